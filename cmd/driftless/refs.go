package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/cmd/driftless/internal/resolve"
)

// resolved is one variable after resolution.
type resolved struct {
	envchain.Var
	// IsRef reports whether the raw value is a reference of a well-known
	// scheme; Ref is the parsed reference when it is valid.
	IsRef bool
	Ref   driftless.Ref
	// Value is the plain value: the resolved one for a reference.
	Value   string
	Version string
	Err     error
}

// newResolver returns a resolver with the providers configured from the
// environment.
func newResolver() *resolve.Resolver {
	return resolve.New(backends.Factories(os.Getenv), 16)
}

// parseRefs classifies vars; invalid references get Err set. getenv reads
// driftless's own environment (DRIFTLESS_GCPSM_PROJECT, see expandRef).
func parseRefs(vars []envchain.Var, getenv func(string) string) []resolved {
	project := getenv(backends.EnvGCPSMProject)
	out := make([]resolved, len(vars))
	for i, v := range vars {
		r := resolved{Var: v, Value: v.Value}
		if driftless.IsKnownRef(v.Value) {
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

// parseRef parses s with driftless.ParseRef, after expanding a bare Secret
// Manager id: the core accepts gcpsm://<project>/<secret> and full resource
// names, so gcpsm://<secret>[#key] becomes gcpsm://<project>/<secret>[#key]
// with project, DRIFTLESS_GCPSM_PROJECT. Without a project, a bare id is an
// error that says to set it. Errors never hold s, which could be a
// mistyped secret.
func parseRef(s, project string) (driftless.Ref, error) {
	rest, ok := strings.CutPrefix(s, gcpsmPrefix)
	if !ok {
		return driftless.ParseRef(s)
	}
	name := rest
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	if name == "" || strings.Contains(name, "/") {
		return driftless.ParseRef(s)
	}
	if project == "" {
		return driftless.Ref{}, fmt.Errorf("%w: a gcpsm:// reference with a bare secret id names no project: set %s to the project, or write gcpsm://<project>/<secret>",
			driftless.ErrInvalidRef, backends.EnvGCPSMProject)
	}
	if strings.ContainsAny(project, "/?#") || strings.ContainsFunc(project, unicode.IsSpace) {
		return driftless.Ref{}, fmt.Errorf("%w: %s must be a project id or number (no '/', '?', '#' or spaces)", driftless.ErrInvalidRef, backends.EnvGCPSMProject)
	}
	return driftless.ParseRef(gcpsmPrefix + project + "/" + rest)
}

// resolveAll fetches every valid reference of rs in one pass (each secret
// once, providers concurrently) and fills Value, Version and Err. It
// returns the errors, each naming the key, its source and the reference,
// never a value.
func resolveAll(ctx context.Context, res *resolve.Resolver, rs []resolved) []error {
	var refs []driftless.Ref
	for _, r := range rs {
		if r.IsRef && r.Err == nil {
			refs = append(refs, r.Ref)
		}
	}
	got := res.Resolve(ctx, refs)
	var errs []error
	for i := range rs {
		r := &rs[i]
		if r.IsRef && r.Err == nil {
			g := got[r.Ref]
			r.Value, r.Version = string(g.Value), g.Version
			if g.Err != nil {
				r.Err = fmt.Errorf("%s (%s): %s: %w", r.Key, r.Source, r.Ref, g.Err)
			}
		}
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}
