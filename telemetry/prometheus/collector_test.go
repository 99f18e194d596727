package driftlessprom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	driftlessprom "github.com/driftless/driftless/telemetry/prometheus"
)

// canary is in every injected error message and secret value: no metric
// may hold it.
const canary = "canary-7c1f"

type config struct {
	User     string           `env:"USER" default:"mem://db#user"`
	Password driftless.Secret `env:"PASSWORD" default:"mem://db#password"`
	APIKey   driftless.Secret `env:"API_KEY" default:"mem://api"`
}

func newCollector(t *testing.T, opts ...driftlessprom.Option) (*prometheus.Registry, *driftlessprom.Collector) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	c, err := driftlessprom.New(reg, opts...)
	require.NoError(t, err)
	return reg, c
}

func newBackend() *drifttest.Provider {
	mem := drifttest.NewProvider()
	mem.Set("db", `{"user":"app","password":"`+canary+`-pw"}`)
	mem.Set("api", canary+"-key")
	return mem
}

func loadOpts(c *driftlessprom.Collector, mem *drifttest.Provider, more ...driftless.Option) []driftless.Option {
	return append([]driftless.Option{c.Option(), driftless.WithEnv(map[string]string{}), driftless.WithProvider("mem", mem)}, more...)
}

// series returns the series of the gathered family named name (none when
// it is absent: a vector without series is not gathered).
func series(t *testing.T, reg prometheus.Gatherer, name string) []*dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()
		}
	}
	return nil
}

// family returns the gathered family named name, failing when it is absent.
func family(t *testing.T, reg prometheus.Gatherer, name string) *dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	require.Failf(t, "metric not gathered", "%s", name)
	return nil
}

// assertNoCanary checks that nothing gathered holds a value, a reference
// or an error message.
func assertNoCanary(t *testing.T, reg prometheus.Gatherer) {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		text := mf.String()
		assert.NotContains(t, text, canary, "metric %s", mf.GetName())
		assert.NotContains(t, text, "mem://", "metric %s", mf.GetName())
	}
}

func TestLoadCountsFetchesAndCache(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t)
	before := float64(time.Now().UnixNano()) / 1e9
	var cfg config
	require.NoError(t, driftless.Load(t.Context(), &cfg, loadOpts(c, newBackend())...))
	after := float64(time.Now().UnixNano()) / 1e9

	// Two secrets (db read by two fields is fetched once): two misses, two calls.
	require.NoError(t, testutil.CollectAndCompare(reg, strings.NewReader(`
# HELP driftless_cache_misses_total Values driftless had to fetch, by provider.
# TYPE driftless_cache_misses_total counter
driftless_cache_misses_total{provider="mem"} 2
# HELP driftless_fetched_refs_total References driftless asked its backends for, by provider (a batch counts each).
# TYPE driftless_fetched_refs_total counter
driftless_fetched_refs_total{provider="mem"} 2
`), "driftless_cache_misses_total", "driftless_fetched_refs_total", "driftless_fetch_errors_total", "driftless_cache_hits_total"))

	h := family(t, reg, "driftless_fetch_duration_seconds").GetMetric()
	require.Len(t, h, 1)
	assert.Equal(t, uint64(2), h[0].GetHistogram().GetSampleCount())
	assert.Equal(t, map[string]string{"provider": "mem", "outcome": "ok"}, labels(h[0]))

	last := family(t, reg, "driftless_last_success_timestamp_seconds").GetMetric()
	require.Len(t, last, 1)
	assert.Equal(t, map[string]string{"provider": "mem"}, labels(last[0]))
	assert.GreaterOrEqual(t, last[0].GetGauge().GetValue(), before)
	assert.LessOrEqual(t, last[0].GetGauge().GetValue(), after)
	assertNoCanary(t, reg)
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// A batch call is one observation of the latency and counts each reference.
func TestBatchIsOneCall(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t)
	mem := newBackend()
	var cfg config
	require.NoError(t, driftless.Load(t.Context(), &cfg, c.Option(), driftless.WithEnv(map[string]string{}),
		driftless.WithProvider("mem", mem.Batching(20))))
	h := family(t, reg, "driftless_fetch_duration_seconds").GetMetric()
	require.Len(t, h, 1)
	assert.Equal(t, uint64(1), h[0].GetHistogram().GetSampleCount())
	assert.InDelta(t, 2, testutil.ToFloat64(mustCounter(t, reg, "driftless_fetched_refs_total")), 0)
}

// mustCounter returns the value of the only series of a counter family as a
// collector ToFloat64 accepts.
func mustCounter(t *testing.T, reg prometheus.Gatherer, name string) prometheus.Collector {
	t.Helper()
	ms := family(t, reg, name).GetMetric()
	require.Len(t, ms, 1, name)
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: "copy"}, ms[0].GetCounter().GetValue)
}

// A failed call is counted by the class of its error, never its message.
func TestFetchErrorsByClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err   error
		class string
	}{
		{driftless.ErrNotFound, "not_found"},
		{driftless.ErrPermission, "permission"},
		{driftless.ErrUnavailable, "unavailable"},
		{driftless.ErrNoCredentials, "no_credentials"},
		{driftless.ErrInvalidRef, "invalid_ref"},
		{fmt.Errorf("%w: %w", driftless.ErrNoCredentials, driftless.ErrPermission), "no_credentials"},
		{context.DeadlineExceeded, "timeout"},
		{errors.New("backend says " + canary), "other"},
	} {
		t.Run(tc.class, func(t *testing.T) {
			t.Parallel()
			reg, c := newCollector(t)
			mem := newBackend()
			mem.Fail("api", fmt.Errorf("%w (%s)", tc.err, canary))
			var cfg config
			require.Error(t, driftless.Load(t.Context(), &cfg, loadOpts(c, mem)...))
			require.NoError(t, testutil.CollectAndCompare(reg, strings.NewReader(`
# HELP driftless_fetch_errors_total Failed driftless backend calls, by provider and error class.
# TYPE driftless_fetch_errors_total counter
driftless_fetch_errors_total{class="`+tc.class+`",provider="mem"} 1
`), "driftless_fetch_errors_total"))
			outcomes := map[string]uint64{}
			for _, m := range family(t, reg, "driftless_fetch_duration_seconds").GetMetric() {
				outcomes[labels(m)["outcome"]] = m.GetHistogram().GetSampleCount()
			}
			assert.Equal(t, map[string]uint64{"ok": 1, "error": 1}, outcomes)
			assertNoCanary(t, reg)
		})
	}
}

// A Handle's refresh passes, swaps and outages: the last good config is kept
// and the time of the last successful refresh stays where it was.
func TestHandleRefreshSwapAndOutage(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t)
	mem := newBackend()
	var reject atomic.Bool
	h, err := driftless.NewHandle[config](t.Context(), loadOpts(c, mem,
		driftless.WithForceRefreshLimit(time.Nanosecond),
		driftless.WithValidator(func(any) error {
			if reject.Load() {
				return errors.New("rejected " + canary)
			}
			return nil
		}))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	assert.Empty(t, series(t, reg, "driftless_refreshes_total"), "the first load is no refresh")

	require.NoError(t, h.Refresh(t.Context())) // nothing due: served from the cache
	assert.InDelta(t, 2, testutil.ToFloat64(mustCounter(t, reg, "driftless_cache_hits_total")), 0)

	mem.Set("api", canary+"-key2")
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.InDelta(t, 1, testutil.ToFloat64(mustCounter(t, reg, "driftless_swaps_total")), 0)
	lastOK := family(t, reg, "driftless_refresh_last_success_timestamp_seconds").GetMetric()[0].GetGauge().GetValue()
	assert.Positive(t, lastOK)

	mem.FailAll(fmt.Errorf("%w: %s", driftless.ErrUnavailable, canary))
	require.Error(t, h.ForceRefresh(t.Context()))
	mem.FailAll(nil)
	reject.Store(true)
	require.Error(t, h.ForceRefresh(t.Context()))

	require.NoError(t, testutil.CollectAndCompare(reg, strings.NewReader(`
# HELP driftless_refreshes_total Refresh passes of driftless handles, by outcome.
# TYPE driftless_refreshes_total counter
driftless_refreshes_total{outcome="error"} 2
driftless_refreshes_total{outcome="ok"} 2
# HELP driftless_refresh_errors_total Failed refresh passes of driftless handles (the last good config kept), by error class.
# TYPE driftless_refresh_errors_total counter
driftless_refresh_errors_total{class="unavailable"} 1
driftless_refresh_errors_total{class="validation"} 1
# HELP driftless_fetch_errors_total Failed driftless backend calls, by provider and error class.
# TYPE driftless_fetch_errors_total counter
driftless_fetch_errors_total{class="unavailable",provider="mem"} 2
# HELP driftless_swaps_total New config snapshots published by driftless handles.
# TYPE driftless_swaps_total counter
driftless_swaps_total 1
`), "driftless_refreshes_total", "driftless_refresh_errors_total", "driftless_fetch_errors_total", "driftless_swaps_total"))
	assert.Equal(t, lastOK, family(t, reg, "driftless_refresh_last_success_timestamp_seconds").GetMetric()[0].GetGauge().GetValue(),
		"failed passes leave the last success alone")
	assertNoCanary(t, reg)
}

func TestWithBuckets(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t, driftlessprom.WithBuckets([]float64{0.1, 1}))
	var cfg config
	require.NoError(t, driftless.Load(t.Context(), &cfg, loadOpts(c, newBackend())...))
	var bounds []float64
	for _, b := range family(t, reg, "driftless_fetch_duration_seconds").GetMetric()[0].GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	assert.Equal(t, []float64{0.1, 1}, bounds)
}

// New registers all the metrics or none.
func TestNewRegistersAllOrNone(t *testing.T) {
	t.Parallel()
	_, err := driftlessprom.New(nil)
	require.Error(t, err)

	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "driftless_swaps_total", Help: "taken"}))
	_, err = driftlessprom.New(reg)
	require.Error(t, err)
	assert.NoError(t, reg.Register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "driftless_fetch_duration_seconds", Help: "Latency of driftless backend calls (a batch is one call), by provider and outcome.",
	}, []string{"provider", "outcome"})), "the metrics registered before the failure were unregistered")

	reg2 := prometheus.NewRegistry()
	_, err = driftlessprom.New(reg2)
	require.NoError(t, err)
	_, err = driftlessprom.New(reg2)
	assert.Error(t, err, "one Collector per registry")
}

// Observe ignores an event kind it does not know, and is safe to call
// concurrently.
func TestObserveConcurrentAndUnknownKind(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				c.Observe(driftless.Event{Kind: driftless.EventCacheHit, Scheme: "mem"})
				c.Observe(driftless.Event{Kind: driftless.EventKind(200)})
			}
		}()
	}
	for range 4 {
		<-done
	}
	assert.InDelta(t, 400, testutil.ToFloat64(mustCounter(t, reg, "driftless_cache_hits_total")), 0)
}
