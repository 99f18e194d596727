package drifttest

import (
	"context"
	"sync"
	"testing"

	"github.com/driftless/driftless"
)

// TestHandle is a real *driftless.Handle[T] whose configs come from the
// test instead of sources, for unit tests of code that takes a Handle: pass
// th.Handle to the code under test, then drive it with Set (a new config,
// as after a rotation) and Fail (an outage). Its hooks, validation,
// ForceRefresh and Start behave as in production. Its methods are safe for
// concurrent use.
type TestHandle[T any] struct {
	*driftless.Handle[T]

	t   testing.TB
	mu  sync.Mutex // guards cfg and err
	cfg *T         // what the next refresh returns, unless err is set
	err error
}

// NewHandle returns a TestHandle holding a copy of *cfg, made with
// driftless.NewHandleFunc. cfg is validated like a loaded config (its
// Validate method and the WithValidator options in opts); a rejected cfg
// fails the test. The forced-refresh limit is 0 unless opts sets one, so
// that ForceRefresh never waits. The Handle is closed when the test ends.
//
// The copy is shallow: slices and maps in cfg are shared, so do not modify
// them after the call.
func NewHandle[T any](t testing.TB, cfg *T, opts ...driftless.Option) *TestHandle[T] {
	t.Helper()
	if cfg == nil {
		t.Fatalf("drifttest: NewHandle needs a config")
	}
	th := &TestHandle[T]{t: t, cfg: copyOf(cfg)}
	h, err := driftless.NewHandleFunc(t.Context(), th.load,
		append([]driftless.Option{driftless.WithForceRefreshLimit(0)}, opts...)...)
	if err != nil {
		t.Fatalf("drifttest: %v", err)
	}
	th.Handle = h
	t.Cleanup(func() { _ = h.Close() })
	return th
}

func copyOf[T any](cfg *T) *T {
	c := *cfg
	return &c
}

// load is the Handle's load function.
func (th *TestHandle[T]) load(context.Context) (*T, error) {
	th.mu.Lock()
	defer th.mu.Unlock()
	if th.err != nil {
		return nil, th.err
	}
	return copyOf(th.cfg), nil
}

// Set makes a copy of *cfg the config and refreshes now: when Set returns,
// Current returns the new snapshot and the OnChange hooks of the fields
// that changed have run. It also ends a failure started with Fail. It
// reports an error to the test (with t.Errorf) when the refresh fails: cfg
// rejected by validation, or a hook that panicked.
func (th *TestHandle[T]) Set(cfg *T) {
	th.t.Helper()
	if cfg == nil {
		th.t.Errorf("drifttest: Set needs a config")
		return
	}
	th.mu.Lock()
	th.cfg, th.err = copyOf(cfg), nil
	th.mu.Unlock()
	if err := th.Refresh(th.t.Context()); err != nil {
		th.t.Errorf("drifttest: Set: %v", err)
	}
}

// Fail makes every refresh from now on (Refresh, ForceRefresh, a
// background refresh after Start) fail with err, as when the secrets
// backend is down: the error hooks are called with a *driftless.LoadError
// wrapping err, and the last good snapshot is kept. Fail(nil), or Set, ends
// the failure.
func (th *TestHandle[T]) Fail(err error) {
	th.mu.Lock()
	defer th.mu.Unlock()
	th.err = err
}
