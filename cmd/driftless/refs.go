package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/driver"
)

// resolved is one variable after resolution.
type resolved struct {
	envchain.Var
	// IsRef reports whether the raw value is a reference of a well-known
	// scheme; Ref is the parsed reference when it is valid.
	IsRef bool
	Ref   driver.Ref
	// Value is the plain value: the resolved one for a reference.
	Value   string
	Version string
	Err     error
}

// parseRefs classifies vars; invalid references get Err set. getenv reads
// driftless's own environment (DRIFTLESS_GCPSM_PROJECT, see expandRef).
func parseRefs(vars []envchain.Var, getenv func(string) string) []resolved {
	project := getenv(backends.EnvGCPSMProject)
	out := make([]resolved, len(vars))
	for i, v := range vars {
		r := resolved{Var: v, Value: v.Value}
		if backends.IsRef(v.Value) {
			r.IsRef = true
			r.Value = ""
			ref, err := parseRef(v.Value, project)
			if err != nil {
				r.Err = fmt.Errorf("%s (%s): %w", v.Key, v.Source, err)
			} else {
				r.Ref = ref
			}
		}
		out[i] = r
	}
	return out
}

const gcpsmPrefix = "gcpsm://"

// parseRef parses s with driver.ParseRef, after expanding a bare Secret
// Manager id: the core accepts gcpsm://<project>/<secret> and full resource
// names, so gcpsm://<secret>[#key] becomes gcpsm://<project>/<secret>[#key]
// with project, DRIFTLESS_GCPSM_PROJECT. Without a project, a bare id is an
// error that says to set it. Errors never hold s, which could be a
// mistyped secret.
func parseRef(s, project string) (driver.Ref, error) {
	rest, ok := strings.CutPrefix(s, gcpsmPrefix)
	if !ok {
		return driver.ParseRef(s)
	}
	name := rest
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	if name == "" || strings.Contains(name, "/") {
		return driver.ParseRef(s)
	}
	if project == "" {
		return driver.Ref{}, fmt.Errorf("%w: a gcpsm:// reference with a bare secret id names no project: set %s to the project, or write gcpsm://<project>/<secret>",
			driftless.ErrInvalidRef, backends.EnvGCPSMProject)
	}
	if strings.ContainsAny(project, "/?#") || strings.ContainsFunc(project, unicode.IsSpace) {
		return driver.Ref{}, fmt.Errorf("%w: %s must be a project id or number (no '/', '?', '#' or spaces)", driftless.ErrInvalidRef, backends.EnvGCPSMProject)
	}
	return driver.ParseRef(gcpsmPrefix + project + "/" + rest)
}

// resolver resolves the references among a fixed set of variables with
// the library's engine: one driftless.EnvLoader, whose cache lasts as long
// as the resolver (exec --watch resolves the same variables again and
// again). Providers are made only for the schemes the references use.
type resolver struct {
	el        *driftless.EnvLoader // nil when no reference is to be fetched
	providers map[string]driver.Provider
	broken    map[string]error // scheme -> why its provider could not be made
}

// resolverOptions are the options of the library's engine that the CLI
// sets: its concurrency per provider and the bound of one resolution.
// For exec --watch (watching), each pass re-reads every reference, except
// that a value whose lease the provider renews (Vault's dynamic secrets)
// is renewed rather than read anew, so that it keeps its value (and the
// command keeps running) while the lease lasts.
func resolverOptions(timeout time.Duration, watching bool) []driftless.Option {
	opts := []driftless.Option{driftless.WithConcurrency(16), driftless.WithFetchTimeout(timeout)}
	if watching {
		opts = append(opts, driftless.WithRefreshInterval(time.Nanosecond))
	}
	return opts
}

// newResolver prepares the resolution of the valid references among vars:
// it makes the provider of each scheme they use with factories (a factory
// that fails fails the references of its scheme) and an EnvLoader over
// the others, with opts (see resolverOptions).
func newResolver(ctx context.Context, vars []resolved, factories map[string]backends.Factory, opts ...driftless.Option) (*resolver, error) {
	r := &resolver{providers: map[string]driver.Provider{}, broken: map[string]error{}}
	var keys []string
	refs := map[string]string{}
	for i, v := range vars {
		if !v.IsRef || v.Err != nil {
			continue
		}
		scheme := v.Ref.Scheme
		if _, done := r.providers[scheme]; !done && r.broken[scheme] == nil {
			if p, err := makeProvider(ctx, scheme, factories[scheme]); err != nil {
				r.broken[scheme] = err
			} else {
				r.providers[scheme] = p
			}
		}
		if r.broken[scheme] != nil {
			continue
		}
		// Variables are named by their index: the two sides of a diff may
		// set the same key, and are resolved together all the same.
		name := strconv.Itoa(i)
		keys = append(keys, name)
		refs[name] = v.Ref.String() // bare gcpsm ids expanded (see parseRef)
	}
	if len(keys) == 0 {
		return r, nil
	}
	opts = append(opts, driftless.WithEnv(refs))
	for scheme, p := range r.providers {
		opts = append(opts, driftless.WithProvider(scheme, p))
	}
	el, err := driftless.NewEnvLoader(keys, opts...)
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	r.el = el
	return r, nil
}

// makeProvider calls the factory of scheme.
func makeProvider(ctx context.Context, scheme string, f backends.Factory) (driver.Provider, error) {
	if f == nil {
		return nil, fmt.Errorf("%w %q", driftless.ErrNoProvider, scheme)
	}
	p, err := f(ctx)
	if err != nil {
		// A constructor may return a typed nil with its error: keep none.
		return nil, fmt.Errorf("configuring the %s provider: %w", scheme, err)
	}
	return p, nil
}

// Close closes the providers that hold resources.
func (r *resolver) Close() error {
	var errs []error
	for _, p := range r.providers {
		if c, ok := p.(driver.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// refError is the failure of one variable's reference. It names the key,
// its source and the reference, never a value; errors.Is and errors.As
// reach the library's error.
type refError struct {
	v   resolved
	err error
}

func (e *refError) Error() string {
	// A reference that its provider refused, or that no provider or
	// allow-list admits, is not shown: it may be a mistyped secret.
	if errors.Is(e.err, driftless.ErrInvalidRef) || errors.Is(e.err, driftless.ErrNoProvider) || errors.Is(e.err, driftless.ErrNotAllowed) {
		return fmt.Sprintf("%s (%s): %s", e.v.Key, e.v.Source, e.err)
	}
	// The library says which secret it was fetching; the reference, with
	// its #key, is named here already.
	msg := strings.TrimPrefix(e.err.Error(), "fetching "+e.v.Ref.Secret().String()+": ")
	return fmt.Sprintf("%s (%s): %s: %s", e.v.Key, e.v.Source, e.v.Ref, msg)
}

func (e *refError) Unwrap() error { return e.err }

// resolve fetches the references of vars (the variables newResolver was
// given, or a copy of them, in the same order) and fills Value, Version and Err. It returns the
// errors, each naming the key, its source and the reference, never a
// value: the failures of the variables and those of the whole resolution.
func (r *resolver) resolve(ctx context.Context, vars []resolved) []error {
	var vals map[string]driftless.Secret
	versions := map[string]string{}
	fieldErrs := map[string]error{}
	var errs []error
	if r.el != nil {
		var rep *driftless.Report
		var err error
		vals, rep, err = r.el.Load(ctx)
		for _, f := range rep.Fields {
			versions[f.Key] = f.Version
		}
		var le *driftless.LoadError
		switch {
		case errors.As(err, &le):
			for _, e := range le.Errors {
				var fe *driftless.FieldError
				var pe *driftless.ProviderError
				if !errors.As(e, &fe) && !errors.As(e, &pe) {
					errs = append(errs, e)
				}
			}
			for _, fe := range le.Fields() {
				fieldErrs[fe.Key] = fe.Err
			}
		case err != nil:
			errs = append(errs, err)
		}
	}
	for i := range vars {
		v := &vars[i]
		name := strconv.Itoa(i)
		if v.IsRef && v.Err == nil {
			v.Value, v.Version = "", ""
			switch err := r.broken[v.Ref.Scheme]; {
			case err != nil:
				v.Err = &refError{v: *v, err: err}
			case fieldErrs[name] != nil:
				v.Err = &refError{v: *v, err: fieldErrs[name]}
			default:
				s, ok := vals[name]
				if !ok {
					// Only a failure of the whole resolution (listed
					// among errs) leaves a reference without a value.
					v.Err = &refError{v: *v, err: errors.New("not resolved")}
					break
				}
				v.Value, v.Version = s.Value(), versions[name]
			}
		}
		if v.Err != nil {
			errs = append(errs, v.Err)
		}
	}
	return errs
}

// watch reports, by calling changed, that a secret among the references
// of vars may have changed, for the providers that learn of changes
// without polling (driver.Watcher, such as the files provider). It
// returns when ctx is done; a watch that fails is reported to failed and
// not retried. changed may be called from several goroutines at once.
func (r *resolver) watch(ctx context.Context, vars []resolved, changed func(), failed func(scheme string, err error)) {
	byScheme := map[string][]driver.Ref{}
	for _, v := range vars {
		if !v.IsRef || v.Err != nil {
			continue
		}
		if s := v.Ref.Secret(); !slices.Contains(byScheme[s.Scheme], s) {
			byScheme[s.Scheme] = append(byScheme[s.Scheme], s)
		}
	}
	var wg sync.WaitGroup
	for scheme, refs := range byScheme {
		w, ok := r.providers[scheme].(driver.Watcher)
		if !ok {
			continue
		}
		wg.Go(func() {
			if err := w.Watch(ctx, refs, func(driver.Ref) { changed() }); err != nil && ctx.Err() == nil {
				failed(scheme, err)
			}
		})
	}
	wg.Wait()
}
