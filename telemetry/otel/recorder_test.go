package driftlessotel_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	driftlessotel "github.com/driftless/driftless/telemetry/otel"
)

// canary is in every injected error message and secret value: no metric
// or span may hold it.
const canary = "canary-7c1f"

type config struct {
	User     string           `env:"USER" default:"mem://db#user"`
	Password driftless.Secret `env:"PASSWORD" default:"mem://db#password"`
	APIKey   driftless.Secret `env:"API_KEY" default:"mem://api"`
}

// sdk is a Recorder on the SDK's in-memory reader and span recorder.
type sdk struct {
	rec    *driftlessotel.Recorder
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
}

func newSDK(t *testing.T, opts ...driftlessotel.Option) *sdk {
	t.Helper()
	s := &sdk{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(s.spans))
	var err error
	s.rec, err = driftlessotel.New(mp, tp, opts...)
	require.NoError(t, err)
	return s
}

func newBackend() *drifttest.Provider {
	mem := drifttest.NewProvider()
	mem.Set("db", `{"user":"app","password":"`+canary+`-pw"}`)
	mem.Set("api", canary+"-key")
	return mem
}

func (s *sdk) loadOpts(mem *drifttest.Provider, more ...driftless.Option) []driftless.Option {
	return append([]driftless.Option{s.rec.Option(), driftless.WithEnv(map[string]string{}), driftless.WithProvider("mem", mem)}, more...)
}

// collect returns every data point by "instrument{attributes}": the value
// of sums and gauges, the count of histograms.
func (s *sdk) collect(t *testing.T) map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, s.reader.Collect(t.Context(), &rm))
	out := map[string]float64{}
	key := func(name string, set attribute.Set) string {
		return name + "{" + set.Encoded(attribute.DefaultEncoder()) + "}"
	}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, driftlessotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[key(m.Name, p.Attributes)] = float64(p.Value)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					out[key(m.Name, p.Attributes)] = p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[key(m.Name, p.Attributes)] = float64(p.Count)
				}
			default:
				t.Fatalf("unexpected data %T for %s", m.Data, m.Name)
			}
		}
	}
	return out
}

// assertNoCanary checks that no span holds a value, a reference or an
// error message.
func (s *sdk) assertNoCanary(t *testing.T) {
	t.Helper()
	for _, sp := range s.spans.Ended() {
		text := fmt.Sprint(sp.Name(), sp.Attributes(), sp.Status(), sp.Events(), sp.Links())
		assert.NotContains(t, text, canary)
		assert.NotContains(t, text, "mem://")
	}
}

func spanAttrs(sp sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range sp.Attributes() {
		out[kv.Key] = kv.Value
	}
	return out
}

// A Load's backend calls: metrics by provider and outcome, errors by class,
// one client span per call with its latency, and the time since the last
// success growing with the clock.
func TestLoadMetricsAndSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSDK(t)
		mem := newBackend()
		mem.SetLatency(20 * time.Millisecond)
		mem.Fail("api", fmt.Errorf("%w (%s)", driftless.ErrPermission, canary))
		var cfg config
		require.Error(t, driftless.Load(t.Context(), &cfg, s.loadOpts(mem)...))
		time.Sleep(90 * time.Second)

		assert.Equal(t, map[string]float64{
			"driftless.cache.misses{driftless.provider=mem}":                                                 2,
			"driftless.fetch.refs{driftless.provider=mem}":                                                   2,
			"driftless.fetch.duration{driftless.outcome=ok,driftless.provider=mem}":                          1,
			"driftless.fetch.duration{driftless.outcome=error,driftless.provider=mem,error.type=permission}": 1,
			"driftless.fetch.errors{driftless.provider=mem,error.type=permission}":                           1,
			"driftless.fetch.time_since_success{driftless.provider=mem}":                                     90,
		}, s.collect(t))

		spans := s.spans.Ended()
		require.Len(t, spans, 2)
		var failed int
		for _, sp := range spans {
			assert.Equal(t, "driftless.fetch", sp.Name())
			assert.Equal(t, trace.SpanKindClient, sp.SpanKind())
			assert.Equal(t, 20*time.Millisecond, sp.EndTime().Sub(sp.StartTime()), "the call's latency")
			assert.False(t, sp.Parent().IsValid())
			a := spanAttrs(sp)
			assert.Equal(t, "mem", a["driftless.provider"].AsString())
			assert.Equal(t, int64(1), a["driftless.refs"].AsInt64())
			if sp.Status().Code == codes.Error {
				failed++
				assert.Equal(t, "permission", sp.Status().Description)
				assert.Equal(t, "permission", a["error.type"].AsString())
			} else {
				assert.NotContains(t, a, attribute.Key("error.type"))
			}
		}
		assert.Equal(t, 1, failed)
		s.assertNoCanary(t)
	})
}

// A batch call is one span whose driftless.refs is the batch's size.
func TestBatchIsOneSpan(t *testing.T) {
	t.Parallel()
	s := newSDK(t)
	var cfg config
	require.NoError(t, driftless.Load(t.Context(), &cfg, s.rec.Option(), driftless.WithEnv(map[string]string{}),
		driftless.WithProvider("mem", newBackend().Batching(20))))
	spans := s.spans.Ended()
	require.Len(t, spans, 1)
	assert.Equal(t, int64(2), spanAttrs(spans[0])["driftless.refs"].AsInt64())
	m := s.collect(t)
	assert.InDelta(t, 1, m["driftless.fetch.duration{driftless.outcome=ok,driftless.provider=mem}"], 0)
	assert.InDelta(t, 2, m["driftless.fetch.refs{driftless.provider=mem}"], 0)
}

// A Handle's refresh passes are spans and counts by outcome; an outage and
// a rejected config keep the time of the last successful pass.
func TestHandleRefreshes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSDK(t)
		mem := newBackend()
		var reject atomic.Bool
		h, err := driftless.NewHandle[config](t.Context(), s.loadOpts(mem,
			driftless.WithForceRefreshLimit(time.Nanosecond),
			driftless.WithValidator(func(any) error {
				if reject.Load() {
					return errors.New("rejected " + canary)
				}
				return nil
			}))...)
		require.NoError(t, err)
		defer h.Close()
		assert.NotContains(t, s.collect(t), "driftless.refreshes{driftless.outcome=ok}", "the first load is no refresh")

		require.NoError(t, h.Refresh(t.Context())) // nothing due: from the cache
		mem.Set("api", canary+"-key2")
		time.Sleep(time.Minute)
		require.NoError(t, h.ForceRefresh(t.Context()))
		time.Sleep(time.Minute)
		mem.FailAll(fmt.Errorf("%w: %s", driftless.ErrUnavailable, canary))
		require.Error(t, h.ForceRefresh(t.Context()))
		mem.FailAll(nil)
		reject.Store(true)
		require.Error(t, h.ForceRefresh(t.Context()))
		time.Sleep(time.Minute)

		m := s.collect(t)
		for k, want := range map[string]float64{
			"driftless.cache.hits{driftless.provider=mem}":                          2,
			"driftless.refreshes{driftless.outcome=ok}":                             2,
			"driftless.refreshes{driftless.outcome=error}":                          2,
			"driftless.refresh.errors{error.type=unavailable}":                      1,
			"driftless.refresh.errors{error.type=validation}":                       1,
			"driftless.fetch.errors{driftless.provider=mem,error.type=unavailable}": 2,
			"driftless.swaps{}":                                          1,
			"driftless.refresh.time_since_success{}":                     120,
			"driftless.fetch.time_since_success{driftless.provider=mem}": 60,
		} {
			assert.InDelta(t, want, m[k], 1e-6, k) // a forced refresh waits its 1 ns limit
		}

		outcomes := map[string]int{}
		for _, sp := range s.spans.Ended() {
			if sp.Name() != "driftless.refresh" {
				continue
			}
			assert.Equal(t, trace.SpanKindInternal, sp.SpanKind())
			a := spanAttrs(sp)
			outcome := a["driftless.outcome"].AsString()
			if sp.Status().Code == codes.Error {
				outcome += ":" + sp.Status().Description + ":" + a["error.type"].AsString()
			}
			outcomes[outcome]++
		}
		assert.Equal(t, map[string]int{"ok": 2, "error:unavailable:unavailable": 1, "error:validation:validation": 1}, outcomes)
		s.assertNoCanary(t)
	})
}

func TestWithBuckets(t *testing.T) {
	t.Parallel()
	s := newSDK(t, driftlessotel.WithBuckets([]float64{0.1, 1}))
	s.rec.Observe(driftless.Event{Kind: driftless.EventFetch, Scheme: "mem", Refs: 1, Duration: time.Millisecond})
	var rm metricdata.ResourceMetrics
	require.NoError(t, s.reader.Collect(t.Context(), &rm))
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "driftless.fetch.duration" {
			assert.Equal(t, "s", m.Unit)
			assert.Equal(t, []float64{0.1, 1}, m.Data.(metricdata.Histogram[float64]).DataPoints[0].Bounds)
			return
		}
	}
	t.Fatal("no driftless.fetch.duration")
}

// Nil providers report nothing, and Observe is safe to call concurrently
// with any kind, known or not.
func TestNilProvidersAndConcurrentObserve(t *testing.T) {
	t.Parallel()
	rec, err := driftlessotel.New(nil, nil)
	require.NoError(t, err)
	s := newSDK(t)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 100 {
				for _, r := range []*driftlessotel.Recorder{rec, s.rec} {
					r.Observe(driftless.Event{Kind: driftless.EventFetch, Scheme: "mem", Refs: 1, Duration: time.Duration(i)})
					r.Observe(driftless.Event{Kind: driftless.EventKind(200)})
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	assert.InDelta(t, 400, s.collect(t)["driftless.fetch.duration{driftless.outcome=ok,driftless.provider=mem}"], 0)
}
