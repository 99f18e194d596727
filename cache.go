package driftless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/driftless/driftless/driver"
)

// cacheKey identifies one fetch: a secret and version selector, and whether
// the previous version is wanted.
type cacheKey struct {
	ref      driver.Ref // Key is always empty
	previous bool
}

// entry is one cached fetch. While a fetch is in flight, done is open and
// every caller that misses waits on it (concurrent misses share one fetch).
type entry struct {
	done     chan struct{}
	val      driver.Value
	err      error
	due      time.Time // when it must be fetched again
	failures int       // consecutive failed fetches, for backoff
	period   time.Duration
	first    bool         // fetched for the first time in the current round
	prev     driver.Value // the last good value, for lease renewal
}

// cache holds fetched values per (provider, name, version selector).
type cache struct {
	o       *options
	mu      sync.Mutex
	entries map[cacheKey]*entry
	phase   float64 // this loader's random phase, spreads refreshes of a fleet
}

func newCache(o *options) *cache {
	return &cache{o: o, entries: map[cacheKey]*entry{}, phase: phaseRand()}
}

func (c *cache) ttl(scheme string) time.Duration {
	if d, ok := c.o.ttl[scheme]; ok && d > 0 {
		return d
	}
	return c.o.defaultTTL
}

// phaseRand draws a loader's phase; tests replace it to be deterministic.
var phaseRand = rand.Float64

// spread sets the first refresh of newly fetched entries: unit k of n is
// due at (0.5 + frac(phase + k/n)) periods after its fetch, so the entries
// of one loader are evenly spaced over the interval and the loaders of a
// fleet started together (each with a random phase) spread their calls
// evenly from the first interval on. Called with c.mu held; the current
// version of a secret sorts before its previous version.
func (c *cache) spread(keys []cacheKey, es []*entry) {
	if len(es) == 0 {
		return
	}
	idx := make([]int, len(es))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		if sa, sb := ka.ref.String(), kb.ref.String(); sa != sb {
			return sa < sb
		}
		return !ka.previous && kb.previous
	})
	// The entries of a provider with a batch call form one unit, refreshed
	// together in one batch; the previous version of a secret joins the unit
	// of its current version (the two are one consistent pair); every other
	// entry is a unit of its own.
	unit := make([]int, len(es))
	units := 0
	batchUnit := map[string]int{}
	currentUnit := map[driver.Ref]int{}
	for _, i := range idx {
		k := keys[i]
		if k.previous {
			if u, ok := currentUnit[k.ref]; ok {
				unit[i] = u
				continue
			}
		} else if _, ok := c.o.provider(k.ref.Scheme).(driver.BatchFetcher); ok {
			u, seen := batchUnit[k.ref.Scheme]
			if !seen {
				u = units
				units++
				batchUnit[k.ref.Scheme] = u
			}
			unit[i] = u
			currentUnit[k.ref] = u
			continue
		}
		unit[i] = units
		currentUnit[k.ref] = units
		units++
	}
	base := time.Now()
	n := float64(units)
	for _, i := range idx {
		e := es[i]
		_, f := math.Modf(c.phase + float64(unit[i])/n)
		due := base.Add(time.Duration((0.5 + f) * float64(e.period)))
		if e.val.Expires.IsZero() || due.Before(e.due) {
			e.due = due // a lease's earlier renewal point wins
		}
	}
}

// schedule sets e.due after a successful fetch at now. Called with c.mu held.
func (c *cache) schedule(e *entry, scheme string, now time.Time, first bool) {
	period := c.ttl(scheme)
	e.period = period
	if first {
		e.due = now.Add(period) // spread moves it once the whole round is in
	} else if !e.due.IsZero() && now.Sub(e.due) < period {
		e.due = e.due.Add(period) // keep the phase
		if e.due.Before(now) {
			e.due = now.Add(period)
		}
	} else {
		e.due = now.Add(period)
	}
	if !e.val.Expires.IsZero() {
		// Refresh at two thirds of the remaining lifetime (Vault's renewal point).
		if left := e.val.Expires.Sub(now); left > 0 {
			if at := now.Add(left * 2 / 3); at.Before(e.due) {
				e.due = at
			}
		} else {
			e.due = now
		}
	}
}

// backoff sets e.due after a failed fetch. Called with c.mu held.
func (c *cache) backoff(e *entry, now time.Time) {
	e.failures++
	d := c.o.backoff(e.failures)
	// Full jitter on the upper half, so failing replicas do not retry in step.
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	e.due = now.Add(d)
}

// stale reports whether e must be fetched again at now.
func (e *entry) stale(now time.Time) bool { return !e.due.IsZero() && !now.Before(e.due) }

// earliestDue returns the earliest due time of any entry, or zero.
func (c *cache) earliestDue() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t time.Time
	for _, e := range c.entries {
		if e.due.IsZero() {
			continue
		}
		if t.IsZero() || e.due.Before(t) {
			t = e.due
		}
	}
	return t
}

// invalidate marks keys (all keys when nil) due now.
func (c *cache) invalidate(match func(driver.Ref) bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if match == nil || match(k.ref) {
			e.due = now
		}
	}
}

// get returns the values for keys, fetching what is missing or stale, with
// one shared fetch per key, batched per provider where possible, and at
// most o.concurrency fetches in flight per provider. A key whose refresh
// fails while an older value is cached returns the failure (the caller
// keeps its last good config).
//
// When keys holds the previous version of a secret, it holds its current
// version too, and the two are one unit: fetched in the same call (the
// current first), scheduled, refreshed and invalidated together, so that
// they are always one consistent pair.
func (c *cache) get(ctx context.Context, keys []cacheKey) map[cacheKey]*entry {
	now := time.Now()
	out := make(map[cacheKey]*entry, len(keys))
	var wait []cacheKey
	toFetch := map[string][]cacheKey{} // by scheme
	var pairs []driver.Ref             // secrets whose current and previous versions are fetched
	var events []Event                 // emitted after the lock is released
	paired := map[driver.Ref]bool{}
	for _, k := range keys {
		if k.previous {
			paired[k.ref] = true
		}
	}
	c.mu.Lock()
	for _, k := range keys {
		unit := []cacheKey{k}
		if paired[k.ref] {
			unit = []cacheKey{{ref: k.ref}, {ref: k.ref, previous: true}}
		}
		if _, dup := out[unit[0]]; dup {
			continue
		}
		fresh, inFlight := true, false
		for _, u := range unit {
			e := c.entries[u]
			if e == nil {
				fresh = false
				continue
			}
			select {
			case <-e.done:
				// A fresh value is a hit; so is a recent failure still in its
				// backoff (retried when due, not on every pass).
				if e.stale(now) {
					fresh = false
				}
			default:
				inFlight = true
			}
		}
		if fresh || inFlight {
			for _, u := range unit {
				e := c.entries[u]
				switch {
				case e == nil:
					// Not cached while its partner is in flight: fetched alone.
					out[u] = c.renewEntry(u, nil)
					toFetch[u.ref.Scheme] = append(toFetch[u.ref.Scheme], u)
					events = append(events, Event{Kind: EventCacheMiss, Scheme: u.ref.Scheme})
				case inFlight:
					out[u] = e // wait below
					wait = append(wait, u)
				default:
					out[u] = e
					events = append(events, Event{Kind: EventCacheHit, Scheme: u.ref.Scheme})
				}
			}
			continue
		}
		for _, u := range unit {
			out[u] = c.renewEntry(u, c.entries[u])
			toFetch[u.ref.Scheme] = append(toFetch[u.ref.Scheme], u)
			events = append(events, Event{Kind: EventCacheMiss, Scheme: u.ref.Scheme})
		}
		if len(unit) == 2 {
			pairs = append(pairs, k.ref)
		}
	}
	c.mu.Unlock()
	for _, e := range events {
		emitEvent(ctx, c.o, e)
	}

	var wg sync.WaitGroup
	for scheme, ks := range toFetch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.fetchScheme(ctx, scheme, ks, out)
		}()
	}
	wg.Wait()
	var fk []cacheKey
	var fe []*entry
	c.mu.Lock()
	for _, ks := range toFetch {
		for _, k := range ks {
			if e := out[k]; e.first {
				e.first = false
				fk, fe = append(fk, k), append(fe, e)
			}
		}
	}
	c.spread(fk, fe)
	// The two versions of a secret are due together: at the earlier of
	// their times (a failure's retry, a lease's renewal point).
	for _, r := range pairs {
		cur, prev := out[cacheKey{ref: r}], out[cacheKey{ref: r, previous: true}]
		due := cur.due
		if due.IsZero() || !prev.due.IsZero() && prev.due.Before(due) {
			due = prev.due
		}
		cur.due, prev.due = due, due
	}
	c.mu.Unlock()
	for _, k := range wait {
		select {
		case <-out[k].done:
		case <-ctx.Done():
			out[k] = &entry{err: fmt.Errorf("waiting for a shared fetch of %s: %w", k.ref, ctx.Err()), done: closedChan}
		}
	}
	return out
}

// renewEntry puts a new in-flight entry for k in the cache, carrying over
// the schedule and the last good value of old (nil when k was not cached).
// Called with c.mu held.
func (c *cache) renewEntry(k cacheKey, old *entry) *entry {
	ne := &entry{done: make(chan struct{})}
	if old != nil {
		ne.due, ne.failures, ne.period, ne.prev = old.due, old.failures, old.period, old.prev
		if old.err == nil {
			ne.prev = old.val
		}
	}
	c.entries[k] = ne
	return ne
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// fetched is the outcome of one fetch.
type fetched struct {
	val driver.Value
	err error
}

func (c *cache) fetchScheme(ctx context.Context, scheme string, keys []cacheKey, out map[cacheKey]*entry) {
	p := c.o.provider(scheme)
	finish := func(k cacheKey, v driver.Value, err error) {
		e := out[k]
		now := time.Now()
		c.mu.Lock()
		first := e.due.IsZero()
		e.first = first && err == nil
		e.val, e.err = v, err
		if err == nil {
			e.failures = 0
			c.schedule(e, scheme, now, first)
		} else if errors.Is(err, ErrNotFound) {
			c.schedule(e, scheme, now, first) // not found is an answer; check again next period
		} else if ctx.Err() != nil {
			e.due = now // the caller gave up; the backend did not fail: try again next time
		} else {
			c.backoff(e, now)
		}
		close(e.done)
		c.mu.Unlock()
	}
	if p == nil {
		for _, k := range keys {
			finish(k, driver.Value{}, fmt.Errorf("%w %q", ErrNoProvider, scheme))
		}
		return
	}
	// The current version of a secret whose previous version is wanted too
	// is held back until the previous one is in: the pair is finished
	// together.
	var current, previous []cacheKey
	for _, k := range keys {
		if k.previous {
			previous = append(previous, k)
		} else {
			current = append(current, k)
		}
	}
	pairOf := map[driver.Ref]bool{}
	for _, k := range previous {
		if slices.Contains(current, cacheKey{ref: k.ref}) {
			pairOf[k.ref] = true
		}
	}
	var heldMu sync.Mutex
	held := map[driver.Ref]fetched{}
	got := func(k cacheKey, v driver.Value, err error) {
		if !pairOf[k.ref] {
			finish(k, v, err)
			return
		}
		heldMu.Lock()
		held[k.ref] = fetched{v, err}
		heldMu.Unlock()
	}
	// Leases that can be renewed are renewed rather than fetched anew;
	// those that cannot join the fetches.
	if r, ok := p.(driver.Renewer); ok {
		current = c.renew(ctx, scheme, r, current, out, got)
	}
	// Current versions go through the batch call when the provider has one.
	if bf, ok := p.(driver.BatchFetcher); ok && len(current) > 1 {
		refs := make([]driver.Ref, len(current))
		for i, k := range current {
			refs[i] = k.ref
		}
		start := time.Now()
		res, err := bf.FetchBatch(ctx, refs)
		c.audit(ctx, scheme, refs, res, err, time.Since(start), false)
		for i, k := range current {
			switch {
			case err != nil:
				got(k, driver.Value{}, err)
			case i < len(res):
				got(k, res[i].Value, res[i].Err)
			default:
				got(k, driver.Value{}, fmt.Errorf("driftless: provider %q returned %d results for %d references", scheme, len(res), len(refs)))
			}
		}
		current = nil
	}
	sem := make(chan struct{}, c.o.concurrency)
	call := func(k cacheKey) (driver.Value, error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return driver.Value{}, ctx.Err()
		}
		defer func() { <-sem }()
		fetch := p.Fetch
		if k.previous {
			if pf, ok := p.(driver.PreviousFetcher); ok {
				fetch = pf.FetchPrevious
			} else {
				fetch = func(context.Context, driver.Ref) (driver.Value, error) {
					return driver.Value{}, fmt.Errorf("%w: provider %q cannot fetch previous versions", ErrNotFound, scheme)
				}
			}
		}
		start := time.Now()
		v, err := fetch(ctx, k.ref)
		c.audit(ctx, scheme, []driver.Ref{k.ref}, []driver.Result{{Value: v, Err: err}}, nil, time.Since(start), k.previous)
		return v, err
	}
	var wg sync.WaitGroup
	for _, k := range current {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := call(k)
			got(k, v, err)
		}()
	}
	wg.Wait()
	for _, k := range previous {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !pairOf[k.ref] {
				v, err := call(k)
				finish(k, v, err)
				return
			}
			cur := held[k.ref] // every current is in: no lock needed after wg.Wait
			c.fetchPair(ctx, scheme, k, cur, call, finish)
		}()
	}
	wg.Wait()
}

// fetchPair fetches the previous version of a secret whose current version
// was just fetched, then finishes both entries. When the previous version
// turns out to be the current one just read (a rotation happened between
// the two calls), the current version is read again, so that the pair is
// never an old current with the version before it, missing the new one,
// nor a new current with a previous that skips the version in use.
func (c *cache) fetchPair(ctx context.Context, scheme string, pk cacheKey, cur fetched, call func(cacheKey) (driver.Value, error), finish func(cacheKey, driver.Value, error)) {
	ck := cacheKey{ref: pk.ref}
	if cur.err != nil {
		// The pair failed: the previous version is not asked for, and is
		// retried with the current one.
		finish(ck, cur.val, cur.err)
		finish(pk, driver.Value{}, cur.err)
		return
	}
	prev, perr := call(pk)
	if perr == nil && prev.Version != "" && prev.Version == cur.val.Version {
		if c.o.logger != nil {
			c.o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: rotated while fetching; reading the current version again",
				slog.String("provider", scheme), slog.String("secret", pk.ref.String()))
		}
		v, err := call(ck)
		cur = fetched{v, err}
	}
	finish(ck, cur.val, cur.err)
	if cur.err != nil {
		perr = cur.err
	}
	finish(pk, prev, perr)
}

// renew renews the leases of keys whose last good value has one that has
// not expired, concurrently, and returns the keys still to fetch.
func (c *cache) renew(ctx context.Context, scheme string, r driver.Renewer, keys []cacheKey, out map[cacheKey]*entry, finish func(cacheKey, driver.Value, error)) []cacheKey {
	now := time.Now()
	var rest []cacheKey
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, k := range keys {
		prev := out[k].prev
		if k.previous || prev.Expires.IsZero() || !prev.Expires.After(now) {
			rest = append(rest, k)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			v, err := r.Renew(ctx, k.ref, prev)
			c.event(ctx, Event{Kind: EventFetch, Scheme: scheme, Refs: 1, Duration: time.Since(start), Err: err})
			if err != nil {
				if c.o.logger != nil {
					c.o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: lease not renewed; fetching anew",
						slog.String("provider", scheme), slog.String("secret", k.ref.String()), slog.String("reason", err.Error()))
				}
				mu.Lock()
				rest = append(rest, k)
				mu.Unlock()
				return
			}
			if c.o.logger != nil {
				c.o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: lease renewed",
					slog.String("provider", scheme), slog.String("secret", k.ref.String()), slog.Time("expires", v.Expires))
			}
			finish(k, v, nil)
		}()
	}
	wg.Wait()
	return rest
}

func (c *cache) event(ctx context.Context, e Event) { emitEvent(ctx, c.o, e) }

// audit logs one backend call and reports it to the metrics hook; never a
// value. A previous version that does not exist is normal (a secret never
// rotated): it is logged at debug level, not as a failure.
func (c *cache) audit(ctx context.Context, scheme string, refs []driver.Ref, res []driver.Result, err error, d time.Duration, previous bool) {
	c.event(ctx, Event{Kind: EventFetch, Scheme: scheme, Refs: len(refs), Duration: d, Err: err})
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

// evict drops entries not used by the last pass (a reference that is no
// longer in the config).
func (c *cache) evict(used map[cacheKey]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		select {
		case <-e.done:
			if !used[k] {
				delete(c.entries, k)
			}
		default:
		}
	}
}

// keys returns the cached keys.
func (c *cache) keys() []cacheKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]cacheKey, 0, len(c.entries))
	for k := range c.entries {
		out = append(out, k)
	}
	return out
}
