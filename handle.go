package driftless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrHandleClosed is returned by a Handle's methods after Close.
var ErrHandleClosed = errors.New("driftless: handle closed")

// Change describes one swap of a Handle's snapshot. Paths lists the field
// paths whose values changed; it never holds a value.
type Change[T any] struct {
	Old, New *T
	Paths    []string
}

// Changed reports whether the field path (e.g. "DB.Password") changed.
func (c Change[T]) Changed(path string) bool { return slices.Contains(c.Paths, path) }

// Handle keeps a config of type T fresh while a service runs. Current
// returns the current snapshot, an immutable *T read with one atomic load:
// no lock, no allocation, safe on any hot path. Callers must not modify a
// snapshot.
//
// Nothing runs in the background until Start. A refresh re-fetches each
// secret when its TTL (per provider, see WithTTL) has passed, spread over
// the interval so a fleet does not fetch in step, before a lease reported by
// the provider expires, and at once when a watched file changes. It rebuilds
// the whole config, validates it, swaps it atomically and then calls the
// change hooks. Any failure (fetch, decode, validation) keeps the last good
// snapshot, is reported to the error hooks, and is retried with exponential
// backoff.
type Handle[T any] struct {
	l    *loader
	cur  atomic.Pointer[T]
	rep  atomic.Pointer[Report]
	wake chan struct{}

	passMu   sync.Mutex // one pass at a time
	retryAt  time.Time  // set after a failed pass; guarded by passMu
	failures int

	hookMu    sync.Mutex
	hooks     map[int]func(Change[T])
	errHooks  map[int]func(error)
	nextHook  int
	forceMu   sync.Mutex
	forcing   *forceCall
	lastForce time.Time
	lastErr   error

	runMu   sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	closed  bool
	watchMu sync.Mutex
	watched map[string][]Ref // scheme -> refs being watched
	stopW   map[string]context.CancelFunc
}

type forceCall struct {
	done chan struct{}
	err  error
}

// NewHandle loads the config once (as Load does) and returns a Handle
// holding it. It fails when the first load fails. Call Start to refresh in
// the background, and Close to stop.
func NewHandle[T any](ctx context.Context, opts ...Option) (*Handle[T], error) {
	l, err := newLoader(reflect.TypeFor[T](), opts)
	if err != nil {
		return nil, err
	}
	if err := l.loadOnly(); err != nil {
		return nil, err
	}
	h := &Handle[T]{l: l, wake: make(chan struct{}, 1), hooks: map[int]func(Change[T]){}, errHooks: map[int]func(error){}}
	res := l.load(ctx, true)
	if res.err != nil {
		return nil, res.err
	}
	l.cache.evict(res.used)
	h.cur.Store(res.cfg.Interface().(*T))
	h.rep.Store(res.report)
	return h, nil
}

// Current returns the current snapshot. It never blocks and never
// allocates. The snapshot must not be modified.
func (h *Handle[T]) Current() *T { return h.cur.Load() }

// Report returns the explain report of the current snapshot.
func (h *Handle[T]) Report() *Report { return h.rep.Load() }

// OnChange registers fn to be called after each swap, with the old and new
// snapshots and the paths that changed. Hooks run one at a time, in the
// refreshing goroutine, after the new snapshot is visible to Current; a slow
// hook delays the next refresh. The returned function removes the hook.
func (h *Handle[T]) OnChange(fn func(Change[T])) (remove func()) {
	h.hookMu.Lock()
	defer h.hookMu.Unlock()
	id := h.nextHook
	h.nextHook++
	h.hooks[id] = fn
	return func() { h.hookMu.Lock(); delete(h.hooks, id); h.hookMu.Unlock() }
}

// OnError registers fn to be called when a refresh fails (the last good
// snapshot is kept). The error is a *LoadError and never holds a value.
func (h *Handle[T]) OnError(fn func(error)) (remove func()) {
	h.hookMu.Lock()
	defer h.hookMu.Unlock()
	id := h.nextHook
	h.nextHook++
	h.errHooks[id] = fn
	return func() { h.hookMu.Lock(); delete(h.errHooks, id); h.hookMu.Unlock() }
}

// Refresh runs one refresh pass now: it re-fetches what is due (TTL passed,
// lease expiring, file changed) and swaps the snapshot if anything changed.
// On failure the last good snapshot is kept and the error returned.
func (h *Handle[T]) Refresh(ctx context.Context) error { return h.pass(ctx, false) }

// ForceRefresh re-fetches every secret now, for example after the upstream
// answered 401 with the current key. Concurrent calls share one refresh,
// and calls within the WithForceRefreshLimit interval of the last forced
// refresh return its result without fetching again, so a burst of failing
// requests cannot stampede the backend.
func (h *Handle[T]) ForceRefresh(ctx context.Context) error {
	h.forceMu.Lock()
	if c := h.forcing; c != nil {
		h.forceMu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if !h.lastForce.IsZero() && time.Since(h.lastForce) < h.l.o.forceEvery {
		err := h.lastErr
		h.forceMu.Unlock()
		return err
	}
	c := &forceCall{done: make(chan struct{})}
	h.forcing = c
	h.forceMu.Unlock()

	c.err = h.pass(ctx, true)

	h.forceMu.Lock()
	h.forcing = nil
	h.lastForce = time.Now()
	h.lastErr = c.err
	h.forceMu.Unlock()
	close(c.done)
	return c.err
}

// Start runs the background refresh until ctx is done or Close is called.
// It returns at once; calling it twice, or after Close, is an error.
func (h *Handle[T]) Start(ctx context.Context) error {
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.closed {
		return ErrHandleClosed
	}
	if h.done != nil {
		return errors.New("driftless: handle already started")
	}
	ctx, cancel := context.WithCancel(ctx)
	h.cancel = cancel
	h.done = make(chan struct{})
	go h.run(ctx)
	return nil
}

// Close stops the background refresh and the watches and waits for them to
// end. Current keeps returning the last snapshot. Close is safe to call more
// than once. It does not close the providers, which belong to the caller.
func (h *Handle[T]) Close() error {
	h.runMu.Lock()
	h.closed = true
	cancel, done := h.cancel, h.done
	h.runMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

func (h *Handle[T]) run(ctx context.Context) {
	defer close(h.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	h.watch(ctx, &wg)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := h.nextPass()
		d := time.Hour
		if !next.IsZero() {
			d = max(time.Until(next), 0)
		}
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-h.wake:
		}
		_ = h.pass(ctx, false)
		h.watch(ctx, &wg)
	}
}

// nextPass returns when the next pass is due: the earliest cache entry due,
// or the retry time after a failed pass.
func (h *Handle[T]) nextPass() time.Time {
	next := h.l.cache.earliestDue()
	h.passMu.Lock()
	retry := h.retryAt
	h.passMu.Unlock()
	if !retry.IsZero() && (next.IsZero() || retry.Before(next)) {
		next = retry
	}
	return next
}

// pass loads once and swaps the snapshot if it changed.
func (h *Handle[T]) pass(ctx context.Context, force bool) error {
	h.runMu.Lock()
	closed := h.closed
	h.runMu.Unlock()
	if closed {
		return ErrHandleClosed
	}
	h.passMu.Lock()
	start := time.Now()
	if force {
		h.l.cache.invalidate(nil, start)
	}
	res := h.l.load(ctx, true)
	h.l.cache.evict(res.used)
	o := h.l.o
	if res.err != nil && ctx.Err() != nil {
		// Stopped (Close or the caller's context) mid-pass: not a failure
		// of the backends, so no backoff and no error hooks.
		h.passMu.Unlock()
		return res.err
	}
	if res.err != nil {
		h.failures++
		d := o.backoff(h.failures)
		h.retryAt = time.Now().Add(d)
		h.passMu.Unlock()
		h.emit(Event{Kind: EventRefresh, Duration: time.Since(start), Err: res.err})
		if o.logger != nil {
			o.logger.LogAttrs(ctx, slog.LevelWarn, "driftless: refresh failed; keeping the last good config",
				slog.String("config", h.l.typ.String()), slog.Duration("retry_in", d), slog.String("error", res.err.Error()))
		}
		h.hookMu.Lock()
		hooks := mapValues(h.errHooks)
		h.hookMu.Unlock()
		for _, fn := range hooks {
			fn(res.err)
		}
		return res.err
	}
	h.failures = 0
	h.retryAt = time.Time{}
	old := h.cur.Load()
	nu := res.cfg.Interface().(*T)
	paths := changedPaths(h.l.plan, reflect.ValueOf(old).Elem(), res.cfg.Elem())
	if len(paths) > 0 {
		h.cur.Store(nu)
	}
	h.rep.Store(res.report)
	h.passMu.Unlock()
	h.emit(Event{Kind: EventRefresh, Duration: time.Since(start)})
	if len(paths) == 0 {
		return nil
	}
	h.emit(Event{Kind: EventSwap, Changed: paths})
	if o.logger != nil {
		o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: config swapped",
			slog.String("config", h.l.typ.String()), slog.Any("changed", paths))
	}
	h.hookMu.Lock()
	hooks := mapValues(h.hooks)
	h.hookMu.Unlock()
	ch := Change[T]{Old: old, New: nu, Paths: paths}
	for _, fn := range hooks {
		fn(ch)
	}
	return nil
}

func (h *Handle[T]) emit(e Event) {
	if h.l.o.metrics != nil {
		h.l.o.metrics(e)
	}
}

// watch (re)starts a Watch for each Watcher provider over the refs it
// serves, when that set changed.
func (h *Handle[T]) watch(ctx context.Context, wg *sync.WaitGroup) {
	byScheme := map[string][]Ref{}
	for _, k := range h.l.cache.keys() {
		if _, ok := h.l.o.providers[k.ref.Scheme].(Watcher); ok && !k.previous {
			byScheme[k.ref.Scheme] = append(byScheme[k.ref.Scheme], k.ref)
		}
	}
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	if h.watched == nil {
		h.watched, h.stopW = map[string][]Ref{}, map[string]context.CancelFunc{}
	}
	for scheme, refs := range byScheme {
		slices.SortFunc(refs, func(a, b Ref) int { return cmpString(a.String(), b.String()) })
		if slices.Equal(refs, h.watched[scheme]) {
			continue
		}
		if stop := h.stopW[scheme]; stop != nil {
			stop()
		}
		wctx, stop := context.WithCancel(ctx)
		h.watched[scheme], h.stopW[scheme] = refs, stop
		w := h.l.o.providers[scheme].(Watcher)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Watch(wctx, refs, func(Ref) {
				// Re-read every reference of this provider, not only the one
				// reported, so that files changed together (the keys of one
				// Kubernetes Secret volume) are published together.
				h.l.cache.invalidate(func(k Ref) bool { return k.Scheme == scheme }, time.Now())
				select {
				case h.wake <- struct{}{}:
				default:
				}
			})
			if err != nil && wctx.Err() == nil && h.l.o.logger != nil {
				h.l.o.logger.LogAttrs(wctx, slog.LevelWarn, "driftless: watch stopped",
					slog.String("provider", scheme), slog.String("error", err.Error()))
			}
		}()
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// changedPaths lists the fields whose values differ between two configs.
func changedPaths(p *plan, a, b reflect.Value) []string {
	var out []string
	for i := range p.fields {
		f := &p.fields[i]
		va, oka := fieldAt(a, f.index)
		vb, okb := fieldAt(b, f.index)
		if oka != okb || oka && !equalValues(va, vb) {
			out = append(out, f.path)
		}
	}
	return out
}

func equalValues(a, b reflect.Value) bool {
	switch a.Type() {
	case secretType:
		return a.Interface().(Secret).Equal(b.Interface().(Secret))
	case rotatingType:
		ra, rb := a.Interface().(Rotating), b.Interface().(Rotating)
		return ra.Current().Equal(rb.Current()) && ra.Previous().Equal(rb.Previous())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// fieldAt returns the field at index without allocating; ok is false when a
// nil pointer is on the way.
func fieldAt(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			for v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}

// String describes the handle without any value.
func (h *Handle[T]) String() string { return fmt.Sprintf("driftless.Handle[%s]", h.l.typ) }
