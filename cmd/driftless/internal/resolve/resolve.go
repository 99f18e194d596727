package resolve

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/driftless/driftless"
)

// Factory creates the provider for one scheme. It is called at most once
// per Resolver, the first time a reference with that scheme is resolved.
type Factory func(ctx context.Context) (driftless.Provider, error)

// Resolver resolves references with providers made by its factories.
type Resolver struct {
	factories   map[string]Factory
	concurrency int

	mu        sync.Mutex
	providers map[string]*lazy
}

type lazy struct {
	once sync.Once
	p    driftless.Provider
	err  error
}

// New returns a Resolver that makes providers with factories, keyed by
// scheme. concurrency bounds the fetches in flight per provider (values
// below 1 mean 16).
func New(factories map[string]Factory, concurrency int) *Resolver {
	if concurrency < 1 {
		concurrency = 16
	}
	return &Resolver{factories: factories, concurrency: concurrency, providers: map[string]*lazy{}}
}

// Result is the outcome of resolving one reference.
type Result struct {
	// Value is the selected value (the #key part applied).
	Value []byte
	// Version is the version the provider served.
	Version string
	// Err is the failure, nil on success.
	Err error
}

func (r *Resolver) provider(ctx context.Context, scheme string) (driftless.Provider, error) {
	r.mu.Lock()
	l, ok := r.providers[scheme]
	if !ok {
		l = &lazy{}
		r.providers[scheme] = l
	}
	r.mu.Unlock()
	l.once.Do(func() {
		f, ok := r.factories[scheme]
		if !ok {
			l.err = fmt.Errorf("%w %q", driftless.ErrNoProvider, scheme)
			return
		}
		p, err := f(ctx)
		if err != nil {
			// A constructor may return a typed nil with its error; keep
			// no provider at all.
			l.err = fmt.Errorf("configuring the %s provider: %w", scheme, err)
			return
		}
		l.p = p
	})
	return l.p, l.err
}

// Resolve fetches every reference of refs and returns one Result per
// distinct reference. Each secret is fetched once, whatever the number of
// references (keys) that read it.
func (r *Resolver) Resolve(ctx context.Context, refs []driftless.Ref) map[driftless.Ref]Result {
	bySecret := map[string][]driftless.Ref{} // scheme -> distinct secrets
	seen := map[driftless.Ref]bool{}
	for _, ref := range refs {
		s := ref.Secret()
		if !seen[s] {
			seen[s] = true
			bySecret[s.Scheme] = append(bySecret[s.Scheme], s)
		}
	}
	var mu sync.Mutex
	fetched := map[driftless.Ref]Result{}
	var wg sync.WaitGroup
	for scheme, secrets := range bySecret {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := r.fetchScheme(ctx, scheme, secrets)
			mu.Lock()
			defer mu.Unlock()
			for i, s := range secrets {
				fetched[s] = res[i]
			}
		}()
	}
	wg.Wait()
	out := make(map[driftless.Ref]Result, len(refs))
	for _, ref := range refs {
		res := fetched[ref.Secret()]
		if res.Err == nil && ref.Key != "" {
			v, err := driftless.Select(res.Value, ref.Key)
			if err != nil {
				res = Result{Version: res.Version, Err: err}
			} else {
				res.Value = v
			}
		}
		out[ref] = res
	}
	return out
}

func (r *Resolver) fetchScheme(ctx context.Context, scheme string, secrets []driftless.Ref) []Result {
	out := make([]Result, len(secrets))
	p, err := r.provider(ctx, scheme)
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	if b, ok := p.(driftless.BatchFetcher); ok && len(secrets) > 1 {
		res, err := b.FetchBatch(ctx, secrets)
		if err == nil && len(res) == len(secrets) {
			for i, x := range res {
				out[i] = Result{Value: x.Value.Data, Version: x.Value.Version, Err: x.Err}
			}
			return out
		}
		// The whole batch failed: fall back to one fetch per secret, so
		// that each reference gets its own error.
	}
	sem := make(chan struct{}, r.concurrency)
	var wg sync.WaitGroup
	for i, s := range secrets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			v, err := p.Fetch(ctx, s)
			out[i] = Result{Value: v.Data, Version: v.Version, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// Watch reports, by calling changed, that a secret among refs may have
// changed, for the providers that learn of changes without polling
// (driftless.Watcher, such as the files provider). Only providers already
// created (by Resolve) are watched. It blocks until ctx is done; a watch
// that fails is reported to failed and not retried. changed may be called
// from several goroutines at once.
func (r *Resolver) Watch(ctx context.Context, refs []driftless.Ref, changed func(), failed func(scheme string, err error)) {
	byScheme := map[string][]driftless.Ref{}
	seen := map[driftless.Ref]bool{}
	for _, ref := range refs {
		if s := ref.Secret(); !seen[s] {
			seen[s] = true
			byScheme[s.Scheme] = append(byScheme[s.Scheme], s)
		}
	}
	var wg sync.WaitGroup
	for scheme, refs := range byScheme {
		r.mu.Lock()
		l := r.providers[scheme]
		r.mu.Unlock()
		if l == nil {
			continue
		}
		w, ok := l.p.(driftless.Watcher)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Watch(ctx, refs, func(driftless.Ref) { changed() }); err != nil && ctx.Err() == nil {
				failed(scheme, err)
			}
		}()
	}
	wg.Wait()
}

// Close closes the providers that were created and hold resources.
func (r *Resolver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, l := range r.providers {
		if c, ok := l.p.(driftless.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
