package driftless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/driver"
)

// Change describes one swap of a Handle's snapshot, or a candidate that a
// Gate checks. Paths lists the field paths whose values changed, in field
// order; it never holds a value. Versions holds, by field path, the old and
// new versions of the changed fields whose provider reports versions (the
// rotated secrets); it is nil when there are none.
type Change[T any] struct {
	Old, New *T
	Paths    []string
	Versions map[string]VersionChange

	names *nameCheck // the names of T; nil in a Change made by hand
}

// Changed reports whether the field that name designates changed. name is
// a field path ("DB.Password"), a key with its prefix ("DB_PASSWORD"), or
// the path of a nested struct ("DB": true when any field inside it
// changed).
//
// A name that designates nothing in T is a mistake that Changed cannot
// return: it returns false, and the Handle reports an error wrapping
// ErrUnknownName to its OnError hooks and its logger (once per name) after
// the change hooks have run. To catch such a mistake at startup instead,
// register the hook with OnChangeOf, which checks its names.
func (c Change[T]) Changed(name string) bool {
	if c.names == nil {
		return slices.Contains(c.Paths, name)
	}
	paths, ok := c.names.index[name]
	if !ok {
		c.names.unknown(name)
		return false
	}
	for _, p := range paths {
		if slices.Contains(c.Paths, p) {
			return true
		}
	}
	return false
}

// nameCheck maps the names Change.Changed accepts to the field paths they
// designate, and collects the unknown names asked for.
type nameCheck struct {
	index map[string][]string // immutable after newNameCheck

	mu       sync.Mutex      // guards pending and reported
	pending  []string        // unknown names asked since the last report
	reported map[string]bool // unknown names already reported
}

func newNameCheck(p *plan) *nameCheck {
	idx := map[string][]string{}
	add := func(name, path string) {
		if !slices.Contains(idx[name], path) {
			idx[name] = append(idx[name], path)
		}
	}
	for i := range p.fields {
		f := &p.fields[i]
		add(f.path, f.path)
		if f.key != "" {
			add(f.key, f.path)
		}
		for j := range len(f.path) {
			if f.path[j] == '.' {
				add(f.path[:j], f.path)
			}
		}
	}
	return &nameCheck{index: idx, reported: map[string]bool{}}
}

// check returns an error for each name that designates nothing.
func (n *nameCheck) check(typ string, names []string) error {
	var errs []error
	for _, name := range names {
		if _, ok := n.index[name]; !ok {
			errs = append(errs, fmt.Errorf("%w: %q in %s%s", ErrUnknownName, name, typ, n.hint(name)))
		}
	}
	return errors.Join(errs...)
}

// hint suggests the known name closest to name, if one is close: the same
// but for case, or at most two edits away (editDistance, as for tags).
func (n *nameCheck) hint(name string) string {
	best, bestD := "", 3
	for known := range n.index {
		d := editDistance(name, known)
		if strings.EqualFold(name, known) {
			d = 0
		}
		if d < bestD || d == bestD && known < best {
			best, bestD = known, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func (n *nameCheck) unknown(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.reported[name] && !slices.Contains(n.pending, name) {
		n.pending = append(n.pending, name)
	}
}

// takeUnknown returns the unknown names asked for since the last call, each
// name once in the Handle's life.
func (n *nameCheck) takeUnknown(typ string) []error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var errs []error
	for _, name := range n.pending {
		n.reported[name] = true
		errs = append(errs, fmt.Errorf("%w: Change.Changed(%q) in a hook: no field or key of %s has that name%s", ErrUnknownName, name, typ, n.hint(name)))
	}
	n.pending = nil
	return errs
}

// Handle keeps a config of type T fresh while a service runs. Current
// returns the current snapshot, an immutable *T read with one atomic load:
// no lock, no allocation, safe on any hot path. Callers must not modify a
// snapshot.
//
// Nothing runs in the background until Start. A refresh re-fetches each
// secret when its TTL (per provider, see WithRefreshInterval) has passed, spread over
// the interval so a fleet does not fetch in step, before a lease reported by
// the provider expires, and at once when a watched file changes. It rebuilds
// the whole config, recomputes its derived fields (a Derive method on *T),
// validates it, has it admitted by the gates (see Gate), swaps it
// atomically and then calls the change hooks. Any failure (fetch, decode,
// validation, a gate's refusal) keeps the last good snapshot, is reported
// to the error hooks and Health, and is retried with exponential backoff.
//
// User code that a Handle calls (hooks, validators, decoders, a
// NewHandleFunc load function) may panic: the panic is recovered and
// reported as an error wrapping ErrPanic, and the Handle keeps working.
//
// A zero Handle behaves as a closed Handle without a snapshot: Current
// returns nil and the methods that refresh return ErrHandleClosed. Make a
// Handle with NewHandle or NewHandleFunc.
type Handle[T any] struct {
	// Set by the constructor, read-only afterwards.
	l     *loader                           // options, plan, cache; for NewHandleFunc, its cache stays empty
	fn    func(context.Context) (*T, error) // NewHandleFunc's load function; nil for NewHandle
	fnRep *Report                           // the report of a NewHandleFunc Handle
	names *nameCheck
	wake  chan struct{}

	// Read and written with atomic operations, no lock.
	cur atomic.Pointer[T]
	rep atomic.Pointer[Report]

	// passMu is held for the whole of a load and swap: one pass at a time.
	passMu   sync.Mutex
	retryAt  time.Time // after a failed pass, when to retry
	failures int       // consecutive failed passes
	fnDue    time.Time // NewHandleFunc: when the next background pass is due

	// hookMu guards the hook lists and the hook counter.
	hookMu   sync.Mutex
	hooks    []changeHook[T] // in registration order
	errHooks []errorHook     // in registration order
	nextHook int

	// forceMu guards the state of forced refreshes.
	forceMu   sync.Mutex
	forcing   *forceCall // the forced pass in flight, or nil
	forceSeq  uint64     // forced passes started
	lastSeq   uint64     // the last forced pass that ran to its end
	lastForce time.Time  // when it ended
	lastErr   error      // and its result

	// runMu guards the background goroutine's state and closed.
	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	closed bool

	// watchMu guards the watches.
	watchMu sync.Mutex
	watched map[string][]driver.Ref // scheme -> refs being watched
	stopW   map[string]context.CancelFunc

	st passLog // status.go: what the passes did, for Status and Health
}

type changeHook[T any] struct {
	id    int
	fn    func(Change[T])
	names []string // OnChangeOf: called only when one of these changed
	in    string   // "OnChange hook registered at main.go:42", for errors
}

type errorHook struct {
	id int
	fn func(error)
	in string
}

type forceCall struct {
	seq     uint64
	done    chan struct{}
	err     error
	stopped bool // the caller's context ended mid-pass: the pass did not run to its end
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
	return newHandle[T](ctx, l, nil)
}

// NewHandleFunc returns a Handle whose configs come from load instead of
// the source chain: a custom source (a config service, a database, a
// composite of two LoadAs calls), or a fixed config in tests (see package
// drifttest). It calls load once and fails when that fails, as NewHandle
// does.
//
// Everything else works as with NewHandle: every config load returns is
// validated (the Validate method, WithValidator) before it is published;
// a failure or a panic keeps the last good config and calls the OnError
// hooks; a change calls the OnChange hooks with the changed paths, which is
// why T must be a config struct that Load accepts. Refresh and ForceRefresh
// call load at once (ForceRefresh within its WithForceRefreshLimit), and
// Start calls it every WithRefreshInterval, retrying failures with
// WithBackoff. The options about sources and providers do not apply.
//
// load must honour its context and return a new *T each time (it must not
// modify a *T it has returned: that is a snapshot). An error that is not a
// *LoadError is wrapped in one. Report returns the fields of T with the
// source "load function" and no values.
func NewHandleFunc[T any](ctx context.Context, load func(context.Context) (*T, error), opts ...Option) (*Handle[T], error) {
	if load == nil {
		return nil, errors.New("driftless: NewHandleFunc needs a load function")
	}
	l, err := newLoader(reflect.TypeFor[T](), opts)
	if err != nil {
		return nil, err
	}
	return newHandle(ctx, l, load)
}

func newHandle[T any](ctx context.Context, l *loader, fn func(context.Context) (*T, error)) (*Handle[T], error) {
	h := &Handle[T]{l: l, fn: fn, names: newNameCheck(l.plan), wake: make(chan struct{}, 1)}
	l.watches = fn == nil // the file watch compares with what each pass read
	if fn != nil {
		h.fnRep = funcReport(l)
	}
	cfg, rep, err := h.load(ctx)
	if err != nil {
		return nil, err
	}
	paths := allPaths(l.plan)
	if err := l.runGates(ctx, nil, cfg, paths, versionChanges(nil, rep, paths), h.names); err != nil {
		l.commitSnapshot(ctx, true)
		h.emit(ctx, Event{Kind: EventRejected, Err: err, Changed: paths})
		return nil, &LoadError{Type: l.typ.String(), Errors: []error{err}}
	}
	l.commitSnapshot(ctx, false)
	if fn != nil {
		// The first background call, at a random point of the second half
		// of the interval, as the cache spreads the secrets of a fleet.
		h.fnDue = time.Now().Add(time.Duration((0.5 + l.cache.phase) * float64(l.o.defaultTTL)))
	}
	h.cur.Store(cfg)
	h.rep.Store(rep)
	h.st.loaded(time.Now(), h.fnDue)
	return h, nil
}

// funcReport describes the fields of a NewHandleFunc Handle's config.
func funcReport(l *loader) *Report {
	rep := &Report{Type: l.typ.String(), Fields: make([]FieldReport, len(l.plan.fields))}
	for i := range l.plan.fields {
		f := &l.plan.fields[i]
		rep.Fields[i] = FieldReport{Path: f.path, Key: f.key, Secret: f.secret, Desc: f.desc, Source: "load function"}
	}
	return rep
}

// load runs one load: the source chain, or the NewHandleFunc function and
// the validators.
func (h *Handle[T]) load(ctx context.Context) (*T, *Report, error) {
	if h.fn == nil {
		res := h.l.load(ctx, true)
		h.l.cache.evict(res.used)
		if res.err != nil {
			return nil, nil, res.err
		}
		return res.cfg.Interface().(*T), res.report, nil
	}
	cfg, err := callLoadFunc(ctx, h.fn)
	if err == nil && cfg == nil {
		err = errors.New("driftless: the NewHandleFunc load function returned neither a config nor an error")
	}
	if err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			return nil, nil, le
		}
		return nil, nil, &LoadError{Type: h.l.typ.String(), Errors: []error{err}}
	}
	if errs := h.l.validate(reflect.ValueOf(cfg)); len(errs) > 0 {
		return nil, nil, &LoadError{Type: h.l.typ.String(), Errors: errs}
	}
	return cfg, h.fnRep, nil
}

// usable returns the error for a zero or closed Handle.
func (h *Handle[T]) usable() error {
	if h.l == nil {
		return errZeroHandle
	}
	h.runMu.Lock()
	defer h.runMu.Unlock()
	if h.closed {
		return ErrHandleClosed
	}
	return nil
}

// Current returns the current snapshot. It never blocks and never
// allocates. The snapshot must not be modified. It is nil only for a zero
// Handle.
func (h *Handle[T]) Current() *T { return h.cur.Load() }

// Report returns the explain report of the current snapshot (nil for a
// zero Handle).
func (h *Handle[T]) Report() *Report { return h.rep.Load() }

// OnChange registers fn to be called after each swap, with the old and new
// snapshots and the paths that changed. The hooks of one swap run one at a
// time, in the order they were registered, in the goroutine that refreshed,
// after the new snapshot is visible to Current; a slow hook delays the next
// refresh. When Refresh or ForceRefresh returns, the hooks of its swap have
// run (so a hook must not call ForceRefresh: during a forced refresh it
// would wait for itself). A hook that panics does not stop the others: the panic is reported
// as an error wrapping ErrPanic (see OnError), and the new snapshot stays.
// The returned function removes the hook.
func (h *Handle[T]) OnChange(fn func(Change[T])) (remove func()) {
	return h.addChangeHook(fn, nil, "OnChange hook registered at "+caller())
}

// OnChangeOf is OnChange for a hook that only cares about some fields: fn
// is called after a swap that changed at least one of names, each a field
// path, a key or the path of a nested struct (as Change.Changed accepts).
// The names are checked now: a name that designates nothing in T is an
// error wrapping ErrUnknownName, and fn is not registered.
func (h *Handle[T]) OnChangeOf(fn func(Change[T]), names ...string) (remove func(), err error) {
	if h.l == nil {
		return func() {}, errZeroHandle
	}
	if len(names) == 0 {
		return func() {}, errors.New("driftless: OnChangeOf needs at least one field path or key (use OnChange for every change)")
	}
	if err := h.names.check(h.l.typ.String(), names); err != nil {
		return func() {}, err
	}
	return h.addChangeHook(fn, slices.Clone(names), "OnChangeOf hook registered at "+caller()), nil
}

func (h *Handle[T]) addChangeHook(fn func(Change[T]), names []string, in string) func() {
	h.hookMu.Lock()
	defer h.hookMu.Unlock()
	id := h.nextHook
	h.nextHook++
	h.hooks = append(h.hooks, changeHook[T]{id: id, fn: fn, names: names, in: in})
	return func() {
		h.hookMu.Lock()
		defer h.hookMu.Unlock()
		h.hooks = slices.DeleteFunc(h.hooks, func(k changeHook[T]) bool { return k.id == id })
	}
}

// OnError registers fn to be called when a refresh fails, a Gate's
// refusal included (the last good snapshot is kept), and when a change hook panicked or asked
// Change.Changed about an unknown name (the new snapshot is in place). The
// error is a *LoadError and never holds a value. Error hooks run one at a
// time, in the order they were registered, like the change hooks (and must
// not call ForceRefresh either); a panic in one is recovered and reported
// to the others. The returned function removes the hook.
func (h *Handle[T]) OnError(fn func(error)) (remove func()) {
	in := "OnError hook registered at " + caller()
	h.hookMu.Lock()
	defer h.hookMu.Unlock()
	id := h.nextHook
	h.nextHook++
	h.errHooks = append(h.errHooks, errorHook{id: id, fn: fn, in: in})
	return func() {
		h.hookMu.Lock()
		defer h.hookMu.Unlock()
		h.errHooks = slices.DeleteFunc(h.errHooks, func(k errorHook) bool { return k.id == id })
	}
}

// caller names the file and line that called the caller of caller.
func caller() string {
	_, file, line, ok := runtime.Caller(2)
	if !ok {
		return "an unknown place"
	}
	return filepath.Base(file) + ":" + strconv.Itoa(line)
}

// Refresh runs one refresh pass now: it re-fetches what is due (TTL passed,
// lease expiring, file changed) and swaps the snapshot if anything changed.
// On failure the last good snapshot is kept and the error returned. A
// NewHandleFunc Handle calls its load function.
func (h *Handle[T]) Refresh(ctx context.Context) error { return h.pass(ctx, false) }

// ForceRefresh re-fetches every secret now, for example after the upstream
// answered 401 with the current key. When it returns nil, every secret has
// been fetched after the call began (or by a forced refresh already in
// flight, which concurrent calls share), the snapshot has been swapped if
// anything changed, and the change hooks have run.
//
// Forced refreshes reach the backends at most once per
// WithForceRefreshLimit interval, so a burst of failing requests cannot
// stampede them: a call within the interval after the last one waits for
// it to pass, within ctx, then fetches (calls waiting together share one
// refresh). If ctx ends first, ForceRefresh returns a *RateLimitError
// (wrapping ErrRateLimited and the context's error) saying when to retry,
// and nothing was fetched; it returns it at once when ctx's deadline falls
// before the end of the interval.
func (h *Handle[T]) ForceRefresh(ctx context.Context) error {
	if err := h.usable(); err != nil {
		return err
	}
	h.forceMu.Lock()
	arrived := h.forceSeq
	h.forceMu.Unlock()
	for {
		h.forceMu.Lock()
		if c := h.forcing; c != nil {
			h.forceMu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if c.stopped {
				continue // its caller gave up; run one for this call
			}
			return c.err
		}
		if h.lastSeq > arrived {
			// A forced refresh began after this call and has ended.
			err := h.lastErr
			h.forceMu.Unlock()
			return err
		}
		retryAt := h.lastForce.Add(h.l.o.forceEvery)
		if h.lastSeq == 0 || !time.Now().Before(retryAt) {
			h.forceSeq++
			c := &forceCall{seq: h.forceSeq, done: make(chan struct{})}
			h.forcing = c
			h.forceMu.Unlock()
			return h.runForced(ctx, c)
		}
		h.forceMu.Unlock()
		if dl, ok := ctx.Deadline(); ok && dl.Before(retryAt) {
			return &RateLimitError{RetryAt: retryAt, Err: context.DeadlineExceeded}
		}
		t := time.NewTimer(time.Until(retryAt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &RateLimitError{RetryAt: retryAt, Err: ctx.Err()}
		}
	}
}

// runForced runs the forced pass c and publishes its result, even if the
// pass panics, so that the Handle is never left waiting for it.
func (h *Handle[T]) runForced(ctx context.Context, c *forceCall) (err error) {
	err = errors.New("driftless: forced refresh aborted") // replaced unless the pass panics
	defer func() {
		h.forceMu.Lock()
		c.err = err
		c.stopped = err != nil && ctx.Err() != nil
		if !c.stopped {
			h.lastSeq, h.lastForce, h.lastErr = c.seq, time.Now(), err
		}
		h.forcing = nil
		h.forceMu.Unlock()
		close(c.done)
	}()
	err = h.pass(ctx, true)
	return err
}

// Start runs the background refresh until ctx is done or Close is called.
// It returns at once; calling it twice, or after Close, is an error.
func (h *Handle[T]) Start(ctx context.Context) error {
	if h.l == nil {
		return errZeroHandle
	}
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
	h.watchFiles(ctx, &wg)
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

// nextPass returns when the next pass is due: the earliest cache entry due
// (for NewHandleFunc, the end of the interval), or the retry time after a
// failed pass.
func (h *Handle[T]) nextPass() time.Time {
	next := h.l.cache.earliestDue()
	h.passMu.Lock()
	retry := h.retryAt
	if h.fn != nil {
		next = h.fnDue
	}
	h.passMu.Unlock()
	if !retry.IsZero() && (next.IsZero() || retry.Before(next)) {
		next = retry
	}
	return next
}

// pass loads once, swaps the snapshot if it changed and calls the hooks.
func (h *Handle[T]) pass(ctx context.Context, force bool) error {
	if err := h.usable(); err != nil {
		return err
	}
	start := time.Now()
	o := h.l.o
	ch, retry, stopped, err := h.swap(ctx, force)
	if stopped {
		// Stopped (Close or the caller's context) mid-pass: not a failure
		// of the backends, so no backoff and no error hooks.
		return err
	}
	if err != nil {
		h.emit(ctx, Event{Kind: EventRefresh, Duration: time.Since(start), Err: err})
		if o.logger != nil {
			o.logger.LogAttrs(ctx, slog.LevelWarn, "driftless: refresh failed; keeping the last good config",
				slog.String("config", h.l.typ.String()), slog.Duration("retry_in", retry), slog.String("error", err.Error()))
		}
		return h.reportError(ctx, err)
	}
	h.emit(ctx, Event{Kind: EventRefresh, Duration: time.Since(start)})
	if len(ch.Paths) == 0 {
		return nil
	}
	h.emit(ctx, Event{Kind: EventSwap, Changed: ch.Paths})
	if o.logger != nil {
		o.logger.LogAttrs(ctx, slog.LevelInfo, "driftless: config swapped",
			slog.String("config", h.l.typ.String()), slog.Any("changed", ch.Paths))
	}
	h.hookMu.Lock()
	hooks := slices.Clone(h.hooks)
	h.hookMu.Unlock()
	var errs []error
	for _, k := range hooks {
		if k.names != nil && !slices.ContainsFunc(k.names, ch.Changed) {
			continue
		}
		if err := callHook(k.in, func() { k.fn(ch) }); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, h.names.takeUnknown(h.l.typ.String())...)
	if len(errs) == 0 {
		return nil
	}
	err = &LoadError{Type: h.l.typ.String(), Errors: errs}
	if o.logger != nil {
		o.logger.LogAttrs(ctx, slog.LevelError, "driftless: config swapped, but a change hook failed",
			slog.String("config", h.l.typ.String()), slog.String("error", err.Error()))
	}
	return h.reportError(ctx, err)
}

// swap runs one load under passMu and publishes the new snapshot if it
// changed. On failure, retry is the backoff before the next attempt;
// stopped reports a pass ended by its context, which is not a failure.
func (h *Handle[T]) swap(ctx context.Context, force bool) (ch Change[T], retry time.Duration, stopped bool, err error) {
	h.passMu.Lock()
	defer h.passMu.Unlock()
	h.st.begin(time.Now())
	defer func() { h.st.end(time.Now(), stopped, err, h.failures, h.retryAt, h.fnDue) }()
	if force {
		h.l.cache.invalidate(nil, time.Now())
	}
	nu, rep, err := h.load(ctx)
	old := h.cur.Load()
	var paths []string
	var versions map[string]VersionChange
	if err == nil {
		paths = changedPaths(h.l.plan, reflect.ValueOf(old).Elem(), reflect.ValueOf(nu).Elem())
		versions = versionChanges(h.rep.Load(), rep, paths)
		if len(paths) > 0 {
			if gerr := h.l.runGates(ctx, old, nu, paths, versions, h.names); gerr != nil {
				err = &LoadError{Type: h.l.typ.String(), Errors: []error{gerr}}
				if ctx.Err() == nil {
					h.emit(ctx, Event{Kind: EventRejected, Err: err, Changed: paths})
				}
			}
		}
	}
	h.l.commitSnapshot(ctx, err != nil)
	if err != nil {
		if ctx.Err() != nil {
			return ch, 0, true, err
		}
		h.failures++
		retry = h.l.o.backoff(h.failures)
		h.retryAt = time.Now().Add(retry)
		if h.fn != nil {
			h.fnDue = h.retryAt
		}
		return ch, retry, false, err
	}
	h.failures = 0
	h.retryAt = time.Time{}
	if h.fn != nil {
		h.fnDue = time.Now().Add(h.l.o.defaultTTL)
	}
	if len(paths) > 0 {
		h.cur.Store(nu)
	}
	h.rep.Store(rep)
	return Change[T]{Old: old, New: nu, Paths: paths, Versions: versions, names: h.names}, 0, false, nil
}

// reportError calls the error hooks with err, in registration order, and
// returns err. A hook that panics is reported to the hooks that did not,
// and to the logger, and joins the returned error.
func (h *Handle[T]) reportError(ctx context.Context, err error) error {
	h.hookMu.Lock()
	hooks := slices.Clone(h.errHooks)
	h.hookMu.Unlock()
	var panics []error
	var calm []errorHook
	for _, k := range hooks {
		if perr := callHook(k.in, func() { k.fn(err) }); perr != nil {
			panics = append(panics, perr)
		} else {
			calm = append(calm, k)
		}
	}
	if len(panics) == 0 {
		return err
	}
	perr := &LoadError{Type: h.l.typ.String(), Errors: panics}
	if o := h.l.o; o.logger != nil {
		o.logger.LogAttrs(ctx, slog.LevelError, "driftless: an error hook panicked",
			slog.String("config", h.l.typ.String()), slog.String("error", perr.Error()))
	}
	for _, k := range calm {
		_ = callHook(k.in, func() { k.fn(perr) })
	}
	var le *LoadError
	if errors.As(err, &le) {
		return &LoadError{Type: le.Type, Errors: append(slices.Clone(le.Errors), panics...)}
	}
	return errors.Join(err, perr)
}

func (h *Handle[T]) emit(ctx context.Context, e Event) { emitEvent(ctx, h.l.o, e) }

// watch (re)starts a Watch for each Watcher provider over the refs it
// serves, when that set changed.
func (h *Handle[T]) watch(ctx context.Context, wg *sync.WaitGroup) {
	byScheme := map[string][]driver.Ref{}
	for _, k := range h.l.cache.keys() {
		if _, ok := h.l.o.providers[k.ref.Scheme].(driver.Watcher); ok && !k.previous {
			byScheme[k.ref.Scheme] = append(byScheme[k.ref.Scheme], k.ref)
		}
	}
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	if h.watched == nil {
		h.watched, h.stopW = map[string][]driver.Ref{}, map[string]context.CancelFunc{}
	}
	for scheme, refs := range byScheme {
		slices.SortFunc(refs, func(a, b driver.Ref) int { return strings.Compare(a.String(), b.String()) })
		if slices.Equal(refs, h.watched[scheme]) {
			continue
		}
		if stop := h.stopW[scheme]; stop != nil {
			stop()
		}
		wctx, stop := context.WithCancel(ctx)
		h.watched[scheme], h.stopW[scheme] = refs, stop
		w := h.l.o.providers[scheme].(driver.Watcher)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Watch(wctx, refs, func(driver.Ref) {
				// Re-read every reference of this provider, not only the one
				// reported, so that files changed together (the keys of one
				// Kubernetes Secret volume) are published together.
				h.l.cache.invalidate(func(k driver.Ref) bool { return k.Scheme == scheme }, time.Now())
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
func (h *Handle[T]) String() string { return fmt.Sprintf("driftless.Handle[%s]", reflect.TypeFor[T]()) }
