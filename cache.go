package driftless

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
	done chan struct{} // closed once val and err are set; never reassigned
	prev driver.Value  // the last good value, for lease renewal; set when the entry is made

	// Written with cache.mu held before done is closed; read-only after.
	val driver.Value
	err error

	// Guarded by cache.mu.
	due      time.Time // when it must be fetched again
	failures int       // consecutive failed fetches, for backoff
	period   time.Duration
	first    bool      // fetched for the first time in the current round
	okAt     time.Time // when the last good value (val, or else prev) was fetched
	again    bool      // invalidated while in flight: due again as soon as it is in
}

// cache holds fetched values per (provider, name, version selector).
type cache struct {
	o     *options
	phase float64 // this loader's random phase, spreads refreshes of a fleet

	mu      sync.Mutex
	entries map[cacheKey]*entry // guarded by mu; nil until the first fetch
}

func newCache(o *options) *cache {
	return &cache{o: o, phase: phaseRand()}
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

// invalidate marks keys (all keys when nil) due now; a key being
// fetched is due again as soon as that fetch is in.
func (c *cache) invalidate(match func(driver.Ref) bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if match == nil || match(k.ref) {
			e.due = now
			select {
			case <-e.done:
			default:
				e.again = true // the fetch in flight may have begun before the change
			}
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
	l := &lookup{
		c:       c,
		ctx:     ctx,
		now:     time.Now(),
		out:     make(map[cacheKey]*entry, len(keys)),
		toFetch: map[string][]cacheKey{},
	}
	l.classify(keys)
	l.fetch()
	l.settle()
	l.await()
	return l.out
}

// lookup is one call of cache.get, in four phases: classify sorts the keys
// under c.mu into hits, fetches in flight and fetches to start; fetch runs
// the fetches, one provider at a time per goroutine; settle sets the
// schedules of what was fetched; await waits for the fetches that other
// callers started.
type lookup struct {
	c   *cache
	ctx context.Context
	now time.Time // when get began; staleness is judged at it

	// The fields below are written by classify, with c.mu held, and by
	// await; in between, while the providers are called concurrently, they
	// are only read. The entries they hold are guarded as entry says.
	out     map[cacheKey]*entry   // every key's entry, as get returns it
	toFetch map[string][]cacheKey // keys to fetch, by scheme
	pairs   []driver.Ref          // secrets whose current and previous versions are fetched
	wait    []cacheKey            // keys another caller is fetching
	events  []Event               // hits and misses, emitted once c.mu is released
}

// classify sorts keys, under c.mu, into hits, fetches in flight and
// fetches to start (the two versions of a secret as one unit), then emits
// a hit or miss event for each.
func (l *lookup) classify(keys []cacheKey) {
	paired := map[driver.Ref]bool{}
	for _, k := range keys {
		if k.previous {
			paired[k.ref] = true
		}
	}
	l.c.mu.Lock()
	for _, k := range keys {
		unit := []cacheKey{k}
		if paired[k.ref] {
			unit = []cacheKey{{ref: k.ref}, {ref: k.ref, previous: true}}
		}
		if _, dup := l.out[unit[0]]; dup {
			continue
		}
		l.classifyUnit(unit)
	}
	l.c.mu.Unlock()
	for _, e := range l.events {
		emitEvent(l.ctx, l.c.o, e)
	}
}

// classifyUnit classifies one key, or the two versions of a secret: a hit
// when every entry is fresh, a shared fetch when one is in flight, else
// fetches to start. Called with c.mu held.
func (l *lookup) classifyUnit(unit []cacheKey) {
	fresh, inFlight := l.state(unit)
	if fresh || inFlight {
		for _, u := range unit {
			e := l.c.entries[u]
			switch {
			case e == nil:
				// Not cached while its partner is in flight: fetched alone.
				l.miss(u)
			case inFlight:
				l.out[u] = e // awaited once the fetches are done
				l.wait = append(l.wait, u)
			default:
				l.out[u] = e
				l.events = append(l.events, Event{Kind: EventCacheHit, Scheme: u.ref.Scheme})
			}
		}
		return
	}
	for _, u := range unit {
		l.miss(u)
	}
	if len(unit) == 2 {
		l.pairs = append(l.pairs, unit[0].ref)
	}
}

// state reports whether every entry of unit is cached and fresh, and
// whether any of them is being fetched. Called with c.mu held.
func (l *lookup) state(unit []cacheKey) (fresh, inFlight bool) {
	fresh = true
	for _, u := range unit {
		e := l.c.entries[u]
		if e == nil {
			fresh = false
			continue
		}
		select {
		case <-e.done:
			// A fresh value is a hit; so is a recent failure still in its
			// backoff (retried when due, not on every pass).
			if e.stale(l.now) {
				fresh = false
			}
		default:
			inFlight = true
		}
	}
	return fresh, inFlight
}

// miss puts a new in-flight entry for k in the cache and marks k to be
// fetched. Called with c.mu held.
func (l *lookup) miss(k cacheKey) {
	l.out[k] = l.c.renewEntry(k, l.c.entries[k])
	l.toFetch[k.ref.Scheme] = append(l.toFetch[k.ref.Scheme], k)
	l.events = append(l.events, Event{Kind: EventCacheMiss, Scheme: k.ref.Scheme})
}

// fetch fetches the keys classify left to fetch, each provider's in a
// goroutine of its own, and returns when every entry is finished.
func (l *lookup) fetch() {
	c, ctx, out := l.c, l.ctx, l.out // the goroutines capture these, not l, which stays on the stack
	var wg sync.WaitGroup
	for scheme, ks := range l.toFetch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.fetchScheme(ctx, scheme, ks, out)
		}()
	}
	wg.Wait()
}

// settle, under c.mu, spreads the first refresh of the entries fetched for
// the first time and makes the two versions of each pair due together.
func (l *lookup) settle() {
	var fk []cacheKey
	var fe []*entry
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	for _, ks := range l.toFetch {
		for _, k := range ks {
			if e := l.out[k]; e.first {
				e.first = false
				fk, fe = append(fk, k), append(fe, e)
			}
		}
	}
	l.c.spread(fk, fe)
	// The two versions of a secret are due together: at the earlier of
	// their times (a failure's retry, a lease's renewal point).
	for _, r := range l.pairs {
		cur, prev := l.out[cacheKey{ref: r}], l.out[cacheKey{ref: r, previous: true}]
		due := cur.due
		if due.IsZero() || !prev.due.IsZero() && prev.due.Before(due) {
			due = prev.due
		}
		cur.due, prev.due = due, due
	}
}

// await waits for the keys another caller is fetching; a key whose wait
// ends with ctx gets an entry holding ctx's error.
func (l *lookup) await() {
	for _, k := range l.wait {
		select {
		case <-l.out[k].done:
		case <-l.ctx.Done():
			l.out[k] = &entry{err: fmt.Errorf("waiting for a shared fetch of %s: %w", k.ref, l.ctx.Err()), done: closedChan}
		}
	}
}

// renewEntry puts a new in-flight entry for k in the cache, carrying over
// the schedule and the last good value of old (nil when k was not cached).
// Called with c.mu held.
func (c *cache) renewEntry(k cacheKey, old *entry) *entry {
	ne := &entry{done: make(chan struct{})}
	if old != nil {
		ne.due, ne.failures, ne.period, ne.prev, ne.okAt = old.due, old.failures, old.period, old.prev, old.okAt
		if old.err == nil {
			ne.prev = old.val
		}
	}
	if c.entries == nil {
		c.entries = map[cacheKey]*entry{}
	}
	c.entries[k] = ne
	return ne
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

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
