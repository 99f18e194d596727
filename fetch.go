package driftless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/driftless/driftless/driver"
)

// fetched is the outcome of one fetch.
type fetched struct {
	val driver.Value
	err error
}

// fetchScheme fetches keys, all of scheme, and finishes their entries in
// out: sets each one's outcome and schedule and wakes its waiters.
func (c *cache) fetchScheme(ctx context.Context, scheme string, keys []cacheKey, out map[cacheKey]*entry) {
	f := &schemeFetch{
		c:      c,
		ctx:    ctx,
		scheme: scheme,
		p:      c.o.provider(scheme),
		out:    out,
		sem:    make(chan struct{}, c.o.concurrency),
		held:   map[driver.Ref]fetched{},
	}
	f.run(keys)
}

// schemeFetch is one provider's share of a cache.get. Its phases, in
// order: renew the leases that can be renewed; fetch the other current
// versions, in one batch call when the provider has one, else one by one
// within the concurrency bound; then fetch the previous versions. The
// current version of a secret whose previous version is fetched too is
// held until the previous one is in, and the pair is finished together.
type schemeFetch struct {
	c      *cache
	ctx    context.Context
	scheme string
	p      driver.Provider     // nil when no provider serves scheme
	out    map[cacheKey]*entry // the entries to finish; only read here
	sem    chan struct{}       // bounds the one-by-one calls to o.concurrency

	// Set by split before any call starts; read-only afterwards.
	paired map[driver.Ref]bool // secrets whose current and previous versions are both fetched

	// Guarded by heldMu while the current versions are fetched; read-only
	// once they are all in.
	heldMu sync.Mutex
	held   map[driver.Ref]fetched // the current version of a pair, until its previous is in
}

// run fetches keys, phase by phase, and returns when every entry is
// finished.
func (f *schemeFetch) run(keys []cacheKey) {
	if f.p == nil {
		for _, k := range keys {
			f.finish(k, driver.Value{}, fmt.Errorf("%w %q", ErrNoProvider, f.scheme))
		}
		return
	}
	current, previous := f.split(keys)
	// Leases that can be renewed are renewed rather than fetched anew;
	// those that cannot join the fetches.
	if r, ok := f.p.(driver.Renewer); ok {
		current = f.renew(r, current)
	}
	// Current versions go through the batch call when the provider has one.
	if bf, ok := f.p.(driver.BatchFetcher); ok && len(current) > 1 {
		f.batch(bf, current)
		current = nil
	}
	f.fetchEach(current)
	f.fetchPrevious(previous)
}

// split separates the current versions from the previous ones and notes
// the secrets that want both.
func (f *schemeFetch) split(keys []cacheKey) (current, previous []cacheKey) {
	for _, k := range keys {
		if k.previous {
			previous = append(previous, k)
		} else {
			current = append(current, k)
		}
	}
	f.paired = map[driver.Ref]bool{}
	for _, k := range previous {
		if slices.Contains(current, cacheKey{ref: k.ref}) {
			f.paired[k.ref] = true
		}
	}
	return current, previous
}

// finish sets k's outcome and next due time, under c.mu, and wakes the
// callers waiting on it. Not found is an answer, checked again next
// period; a failure because ctx ended is not the backend's, so it is due
// again at once, without backoff.
func (f *schemeFetch) finish(k cacheKey, v driver.Value, err error) {
	e := f.out[k]
	now := time.Now()
	f.c.mu.Lock()
	first := e.due.IsZero()
	e.first = first && err == nil
	e.val, e.err = v, err
	if err == nil {
		e.failures, e.okAt = 0, now
		f.c.schedule(e, f.scheme, now, first)
	} else if errors.Is(err, ErrNotFound) {
		f.c.schedule(e, f.scheme, now, first) // not found is an answer; check again next period
	} else if f.ctx.Err() != nil {
		e.due = now // the caller gave up; the backend did not fail: try again next time
	} else {
		f.c.backoff(e, now)
	}
	if e.again {
		e.due, e.again = now, false
	}
	close(e.done)
	f.c.mu.Unlock()
}

// got takes the outcome of a current version: it finishes its entry, or
// holds it when the previous version of the secret is fetched too.
func (f *schemeFetch) got(k cacheKey, v driver.Value, err error) {
	if !f.paired[k.ref] {
		f.finish(k, v, err)
		return
	}
	f.heldMu.Lock()
	f.held[k.ref] = fetched{v, err}
	f.heldMu.Unlock()
}

// renew renews the leases of keys whose last good value has one that has
// not expired, concurrently, and returns the keys still to fetch.
func (f *schemeFetch) renew(r driver.Renewer, keys []cacheKey) []cacheKey {
	ctx, logger := f.ctx, f.c.o.logger
	now := time.Now()
	var rest []cacheKey
	var mu sync.Mutex // guards rest while the renewals run
	var wg sync.WaitGroup
	for _, k := range keys {
		prev := f.out[k].prev
		if k.previous || prev.Expires.IsZero() || !prev.Expires.After(now) {
			rest = append(rest, k)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			v, err := r.Renew(ctx, k.ref, prev)
			f.c.event(ctx, Event{Kind: EventFetch, Scheme: f.scheme, Refs: 1, Duration: time.Since(start), Err: err})
			if err != nil {
				if logger != nil {
					logger.LogAttrs(ctx, slog.LevelInfo, "driftless: lease not renewed; fetching anew",
						slog.String("provider", f.scheme), slog.String("secret", k.ref.String()), slog.String("reason", err.Error()))
				}
				mu.Lock()
				rest = append(rest, k)
				mu.Unlock()
				return
			}
			if logger != nil {
				logger.LogAttrs(ctx, slog.LevelInfo, "driftless: lease renewed",
					slog.String("provider", f.scheme), slog.String("secret", k.ref.String()), slog.Time("expires", v.Expires))
			}
			f.got(k, v, nil)
		}()
	}
	wg.Wait()
	return rest
}

// batch fetches the current versions keys in one call of the provider's
// batch fetch.
func (f *schemeFetch) batch(bf driver.BatchFetcher, keys []cacheKey) {
	refs := make([]driver.Ref, len(keys))
	for i, k := range keys {
		refs[i] = k.ref
	}
	start := time.Now()
	res, err := bf.FetchBatch(f.ctx, refs)
	f.c.audit(f.ctx, f.scheme, refs, res, err, time.Since(start), false)
	for i, k := range keys {
		switch {
		case err != nil:
			f.got(k, driver.Value{}, err)
		case i < len(res):
			f.got(k, res[i].Value, res[i].Err)
		default:
			f.got(k, driver.Value{}, fmt.Errorf("driftless: provider %q returned %d results for %d references", f.scheme, len(res), len(refs)))
		}
	}
}

// fetchEach fetches the current versions keys one by one, concurrently
// within the concurrency bound.
func (f *schemeFetch) fetchEach(keys []cacheKey) {
	each(keys, func(k cacheKey) {
		v, err := f.call(k)
		f.got(k, v, err)
	})
}

// fetchPrevious fetches the previous versions keys, concurrently within the
// concurrency bound, once every current version is in, and finishes them
// (and the current version of each pair).
func (f *schemeFetch) fetchPrevious(keys []cacheKey) {
	each(keys, func(k cacheKey) {
		if !f.paired[k.ref] {
			v, err := f.call(k)
			f.finish(k, v, err)
			return
		}
		f.finishPair(k, f.held[k.ref]) // every current is in: held is read-only now
	})
}

// each calls fn for every key, concurrently, and waits for them all.
func each(keys []cacheKey, fn func(cacheKey)) {
	if len(keys) == 0 {
		return
	}
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(k)
		}()
	}
	wg.Wait()
}

// call makes one fetch of k, waiting for a slot within the concurrency
// bound, and audits it.
func (f *schemeFetch) call(k cacheKey) (driver.Value, error) {
	select {
	case f.sem <- struct{}{}:
	case <-f.ctx.Done():
		return driver.Value{}, f.ctx.Err()
	}
	defer func() { <-f.sem }()
	fetch := f.p.Fetch
	if k.previous {
		if pf, ok := f.p.(driver.PreviousFetcher); ok {
			fetch = pf.FetchPrevious
		} else {
			fetch = func(context.Context, driver.Ref) (driver.Value, error) {
				return driver.Value{}, fmt.Errorf("%w: provider %q cannot fetch previous versions", ErrNotFound, f.scheme)
			}
		}
	}
	start := time.Now()
	v, err := fetch(f.ctx, k.ref)
	f.c.audit(f.ctx, f.scheme, []driver.Ref{k.ref}, []driver.Result{{Value: v, Err: err}}, nil, time.Since(start), k.previous)
	return v, err
}

// finishPair fetches the previous version pk of a secret whose current
// version cur was just fetched, then finishes both entries. When the
// previous version turns out to be the current one just read (a rotation
// happened between the two calls), the current version is read again, so
// that the pair is never an old current with the version before it,
// missing the new one, nor a new current with a previous that skips the
// version in use.
func (f *schemeFetch) finishPair(pk cacheKey, cur fetched) {
	ck := cacheKey{ref: pk.ref}
	if cur.err != nil {
		// The pair failed: the previous version is not asked for, and is
		// retried with the current one.
		f.finish(ck, cur.val, cur.err)
		f.finish(pk, driver.Value{}, cur.err)
		return
	}
	prev, perr := f.call(pk)
	if perr == nil && prev.Version != "" && prev.Version == cur.val.Version {
		if f.c.o.logger != nil {
			f.c.o.logger.LogAttrs(f.ctx, slog.LevelInfo, "driftless: rotated while fetching; reading the current version again",
				slog.String("provider", f.scheme), slog.String("secret", pk.ref.String()))
		}
		v, err := f.call(ck)
		cur = fetched{v, err}
	}
	f.finish(ck, cur.val, cur.err)
	if cur.err != nil {
		perr = cur.err
	}
	f.finish(pk, prev, perr)
}

func (c *cache) event(ctx context.Context, e Event) { emitEvent(ctx, c.o, e) }

// audit logs one backend call and reports it to the metrics hook; never a
// value. A previous version that does not exist is normal (a secret never
// rotated): it is logged at debug level, not as a failure.
func (c *cache) audit(ctx context.Context, scheme string, refs []driver.Ref, res []driver.Result, err error, d time.Duration, previous bool) {
	callErr := err
	if callErr == nil && len(refs) == 1 && len(res) == 1 {
		callErr = res[0].Err // a call for one reference failed with it
	}
	if previous && errors.Is(callErr, ErrNotFound) {
		callErr = nil
	}
	c.event(ctx, Event{Kind: EventFetch, Scheme: scheme, Refs: len(refs), Duration: d, Err: callErr})
	if c.o.logger == nil {
		return
	}
	for i, r := range refs {
		e := err
		var version string
		if e == nil && i < len(res) {
			e, version = res[i].Err, res[i].Value.Version
		}
		attrs := []slog.Attr{slog.String("provider", scheme), slog.String("secret", r.String())}
		if previous {
			attrs = append(attrs, slog.Bool("previous", true))
		}
		switch {
		case previous && errors.Is(e, ErrNotFound):
			c.o.logger.LogAttrs(ctx, slog.LevelDebug, "driftless: no previous version", append(attrs, slog.Duration("latency", d))...)
		case e != nil:
			c.o.logger.LogAttrs(ctx, slog.LevelWarn, "driftless: fetch failed", append(attrs, slog.Duration("latency", d), slog.String("error", e.Error()))...)
		default:
			c.o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: fetched", append(attrs, slog.String("version", version), slog.Duration("latency", d))...)
		}
	}
}
