package faults_test

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type refreshConfig struct {
	Key   driftless.Secret `env:"KEY" default:"mem://app#key"`
	Other string           `env:"OTHER" default:"mem://app#other"`
	Plain int              `env:"PLAIN" default:"8080"`
}

// recorder collects what a Handle tells its hooks and its metrics.
type recorder struct {
	mu       sync.Mutex
	failed   []time.Time // failed refresh passes
	errs     []error     // OnError
	changes  []driftless.Change[refreshConfig]
	fetchErr int // failed backend calls
}

func (r *recorder) metrics(e driftless.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case e.Kind == driftless.EventRefresh && e.Err != nil:
		r.failed = append(r.failed, time.Now())
	case e.Kind == driftless.EventFetch && e.Err != nil:
		r.fetchErr++
	}
}

func (r *recorder) snapshot() (failed []time.Time, errs []error, changes []driftless.Change[refreshConfig]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.failed...), append([]error(nil), r.errs...), append([]driftless.Change[refreshConfig](nil), r.changes...)
}

// TestRefreshUnreachable is the row "Provider unreachable during refresh":
// the last good config is kept, retries back off, OnError is told, and the
// first refresh after the backend returns swaps and calls OnChange.
func TestRefreshUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		interval       time.Duration
		first, maxWait time.Duration
		outage         time.Duration
		// Bounds on failed refresh passes during the outage. Without
		// backoff a 1s retry would make outage/1s passes.
		minPasses, maxPasses int
	}{
		{name: "10 minute outage, backoff 1s to 1m", interval: time.Minute, first: time.Second, maxWait: time.Minute, outage: 10 * time.Minute, minPasses: 8, maxPasses: 30},
		{name: "1 hour outage, backoff 5s to 5m", interval: 5 * time.Minute, first: 5 * time.Second, maxWait: 5 * time.Minute, outage: time.Hour, minPasses: 8, maxPasses: 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				p := drifttest.NewProvider()
				p.Set("app", `{"key":"k1","other":"o1"}`) // one secret: one backoff sequence
				rec := &recorder{}
				h, err := driftless.NewHandle[refreshConfig](t.Context(), driftless.WithEnv(nil),
					driftless.WithProvider("mem", p),
					driftless.WithRefreshInterval(tc.interval),
					driftless.WithBackoff(tc.first, tc.maxWait),
					driftless.WithMetrics(rec.metrics))
				require.NoError(t, err)
				h.OnError(func(err error) { rec.mu.Lock(); rec.errs = append(rec.errs, err); rec.mu.Unlock() })
				h.OnChange(func(c driftless.Change[refreshConfig]) {
					rec.mu.Lock()
					rec.changes = append(rec.changes, c)
					rec.mu.Unlock()
				})
				require.NoError(t, h.Start(t.Context()))
				defer h.Close()
				good := h.Current()

				// Healthy for two intervals: refreshes happen, nothing changes.
				time.Sleep(2 * tc.interval)
				synctest.Wait()
				callsHealthy := p.Calls()
				assert.GreaterOrEqual(t, callsHealthy, 2, "the boot fetch and at least one refresh while healthy")
				assert.Same(t, good, h.Current())

				// The backend goes away; a rotation happens meanwhile.
				p.FailAll(errors.Join(driftless.ErrUnavailable, errors.New("dial tcp: connection refused")))
				p.Set("app", `{"key":"k2","other":"o1"}`)
				outageStart := time.Now()
				time.Sleep(tc.outage)
				synctest.Wait()

				failed, errs, changes := rec.snapshot()
				t.Logf("outage %v: %d failed refresh passes, %d backend calls, %d OnError calls", tc.outage, len(failed), p.Calls()-callsHealthy, len(errs))
				assert.Same(t, good, h.Current(), "last good config kept through the outage")
				assert.Equal(t, "k1", h.Current().Key.Value())
				assert.Empty(t, changes)
				assert.GreaterOrEqual(t, len(failed), tc.minPasses, "kept retrying")
				assert.LessOrEqual(t, len(failed), tc.maxPasses, "backed off (a fixed %v retry would make %d passes)", tc.first, int(tc.outage/tc.first))
				require.Len(t, errs, len(failed), "OnError told of every failed pass")
				for _, err := range errs {
					var le *driftless.LoadError
					require.ErrorAs(t, err, &le)
					assert.ErrorIs(t, err, driftless.ErrUnavailable)
					assert.NotContains(t, err.Error(), "k1")
				}
				// Gaps grow to the ceiling and never pass it.
				prev := outageStart
				var gaps []time.Duration
				for _, at := range failed {
					gaps = append(gaps, at.Sub(prev))
					prev = at
				}
				for i, g := range gaps[1:] {
					assert.LessOrEqual(t, g, tc.maxWait, "gap %d", i+1)
				}
				last := gaps[len(gaps)-1]
				assert.GreaterOrEqual(t, last, tc.maxWait/2, "late retries are near the ceiling (full jitter on the upper half)")
				t.Logf("gaps between failed passes: %v", gaps)

				// The backend returns: the next retry succeeds and swaps.
				p.FailAll(nil)
				time.Sleep(tc.maxWait + time.Second)
				synctest.Wait()
				_, _, changes = rec.snapshot()
				require.Len(t, changes, 1, "OnChange after recovery")
				assert.Equal(t, []string{"Key"}, changes[0].Paths)
				assert.Same(t, good, changes[0].Old)
				assert.Equal(t, "k2", h.Current().Key.Value())
				assert.Equal(t, "o1", h.Current().Other)

				// Healthy again: back to the normal interval, not the backoff.
				before := p.Calls()
				time.Sleep(10 * tc.interval)
				synctest.Wait()
				perInterval := float64(p.Calls()-before) / 10
				assert.InDelta(t, 1, perInterval, 0.5, "about one fetch per interval")
			})
		})
	}
}

// TestRefreshUnreachableRealServer is the row "Provider unreachable during
// refresh" against the awssmtest fake through the official SDK: server
// errors past the SDK's retries keep the last good config and tell
// OnError; the next refresh after the server recovers swaps.
func TestRefreshUnreachableRealServer(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key  driftless.Secret `env:"KEY" default:"awssm://prod/key"`
		User string           `env:"USER" default:"awssm://prod/db#user"`
	}
	tests := []struct {
		name    string
		breakIt func(*awssmtest.Server)
		mend    func(*awssmtest.Server)
		is      error
	}{
		{name: "HTTP 500 on every request", breakIt: func(s *awssmtest.Server) { s.FailNext(1 << 20) }, mend: func(s *awssmtest.Server) { s.FailNext(0) }, is: driftless.ErrUnavailable},
		{name: "throttled on every request", breakIt: func(s *awssmtest.Server) { s.Throttle(1 << 20) }, mend: func(s *awssmtest.Server) { s.Throttle(0) }, is: driftless.ErrUnavailable},
		{name: "access revoked", breakIt: func(s *awssmtest.Server) {
			s.FailSecret("prod/key", "AccessDeniedException")
			s.FailSecret("prod/db", "AccessDeniedException")
		}, mend: func(s *awssmtest.Server) {
			s.FailSecret("prod/key", "")
			s.FailSecret("prod/db", "")
		}, is: driftless.ErrPermission},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newAWS(t, map[string]string{"prod/key": "k1", "prod/db": `{"user":"u1"}`})
			h, err := driftless.NewHandle[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", p), driftless.WithForceRefreshLimit(0))
			require.NoError(t, err)
			defer h.Close()
			var told []error
			h.OnError(func(err error) { told = append(told, err) })
			var changes []driftless.Change[cfg]
			h.OnChange(func(c driftless.Change[cfg]) { changes = append(changes, c) })
			good := h.Current()

			_, err = srv.Rotate(t.Context(), "prod/key", []byte("k2"))
			require.NoError(t, err)
			tc.breakIt(srv)
			err = h.ForceRefresh(t.Context())
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.ElementsMatch(t, []string{"Key", "User"}, fieldPaths(t, err))
			assert.Same(t, good, h.Current(), "last good config kept")
			require.Len(t, told, 1)
			assert.Empty(t, changes)

			tc.mend(srv)
			require.NoError(t, h.ForceRefresh(t.Context()))
			require.Len(t, changes, 1)
			assert.Equal(t, []string{"Key"}, changes[0].Paths)
			assert.Equal(t, "k2", h.Current().Key.Value())
		})
	}
}
