package driftlessotel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/internal/errclass"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/driftless/driftless/telemetry/otel"

// Attribute keys.
const (
	attrProvider  = attribute.Key("driftless.provider")
	attrOutcome   = attribute.Key("driftless.outcome")
	attrRefs      = attribute.Key("driftless.refs")
	attrErrorType = attribute.Key("error.type")
)

// Values of driftless.outcome.
const (
	outcomeOK    = "ok"
	outcomeError = "error"
)

// defaultBuckets are the bucket boundaries of driftless.fetch.duration, in
// seconds (Prometheus's default buckets: 5 ms to 10 s).
var defaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Recorder turns driftless Events into OpenTelemetry metrics and spans
// (see the package doc). Its methods are safe for concurrent use.
type Recorder struct {
	tracer        trace.Tracer
	fetchDuration metric.Float64Histogram
	fetchErrors   metric.Int64Counter
	fetchRefs     metric.Int64Counter
	cacheHits     metric.Int64Counter
	cacheMisses   metric.Int64Counter
	refreshes     metric.Int64Counter
	refreshErrors metric.Int64Counter
	swaps         metric.Int64Counter
	rejected      metric.Int64Counter
	snapAge       metric.Float64Gauge
	snapErrors    metric.Int64Counter

	lastFetchOK   sync.Map     // provider scheme -> *atomic.Int64, Unix nanoseconds
	lastRefreshOK atomic.Int64 // Unix nanoseconds; 0 before the first success
}

// Option configures New.
type Option func(*options)

type options struct {
	buckets []float64
}

// WithBuckets sets the bucket boundaries of driftless.fetch.duration, in
// seconds (advice to the SDK: a View still overrides it). The default is 5
// ms to 10 s, as Prometheus's default buckets.
func WithBuckets(b []float64) Option {
	return func(o *options) { o.buckets = b }
}

// New creates the instruments with a meter of mp and the spans with a
// tracer of tp. A nil mp reports no metrics, a nil tp no spans. It fails
// when an instrument cannot be created.
func New(mp metric.MeterProvider, tp trace.TracerProvider, opts ...Option) (*Recorder, error) {
	o := options{buckets: defaultBuckets}
	for _, opt := range opts {
		opt(&o)
	}
	if mp == nil {
		mp = metricnoop.NewMeterProvider()
	}
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	m := mp.Meter(ScopeName)
	r := &Recorder{tracer: tp.Tracer(ScopeName)}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	var err error
	r.fetchDuration, err = m.Float64Histogram("driftless.fetch.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of driftless backend calls (a batch is one call)."),
		metric.WithExplicitBucketBoundaries(o.buckets...))
	errs = append(errs, err)
	r.fetchErrors = counter("driftless.fetch.errors", "{call}", "Failed driftless backend calls.")
	r.fetchRefs = counter("driftless.fetch.refs", "{ref}", "References driftless asked its backends for (a batch counts each).")
	r.cacheHits = counter("driftless.cache.hits", "{value}", "Values driftless served from its cache.")
	r.cacheMisses = counter("driftless.cache.misses", "{value}", "Values driftless had to fetch.")
	r.refreshes = counter("driftless.refreshes", "{pass}", "Refresh passes of driftless handles.")
	r.refreshErrors = counter("driftless.refresh.errors", "{pass}", "Failed refresh passes of driftless handles (the last good config kept).")
	r.swaps = counter("driftless.swaps", "{swap}", "New config snapshots published by driftless handles.")
	r.rejected = counter("driftless.candidates.rejected", "{config}", "Candidate configs refused by a driftless gate (the last good config kept).")
	r.snapErrors = counter("driftless.snapshot.errors", "{snapshot}", "Sealed snapshots (WithSnapshot) refused or not written.")
	r.snapAge, err = m.Float64Gauge("driftless.snapshot.age", metric.WithUnit("s"),
		metric.WithDescription("Age of the sealed snapshot (WithSnapshot) a driftless load last booted from."))
	errs = append(errs, err)
	_, err = m.Float64ObservableGauge("driftless.fetch.time_since_success", metric.WithUnit("s"),
		metric.WithDescription("Time since the last successful driftless backend call, by provider."),
		metric.WithFloat64Callback(r.observeFetchSuccess))
	errs = append(errs, err)
	_, err = m.Float64ObservableGauge("driftless.refresh.time_since_success", metric.WithUnit("s"),
		metric.WithDescription("Time since the last successful refresh pass of a driftless handle."),
		metric.WithFloat64Callback(r.observeRefreshSuccess))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("driftlessotel: creating the instruments: %w", err)
	}
	return r, nil
}

// Option returns the driftless option that reports to r
// (driftless.WithMetrics(r.Observe)).
func (r *Recorder) Option() driftless.Option { return driftless.WithMetrics(r.Observe) }

// Observe records one Event. It is the function Option passes to
// driftless.WithMetrics: safe for concurrent use, it takes no lock of its
// own.
func (r *Recorder) Observe(e driftless.Event) {
	ctx := context.Background()
	switch e.Kind {
	case driftless.EventFetch:
		r.fetch(ctx, e)
	case driftless.EventCacheHit:
		r.cacheHits.Add(ctx, 1, metric.WithAttributes(attrProvider.String(e.Scheme)))
	case driftless.EventCacheMiss:
		r.cacheMisses.Add(ctx, 1, metric.WithAttributes(attrProvider.String(e.Scheme)))
	case driftless.EventRefresh:
		r.refresh(ctx, e)
	case driftless.EventSwap:
		r.swaps.Add(ctx, 1)
	case driftless.EventRejected:
		r.rejected.Add(ctx, 1)
	case driftless.EventSnapshot:
		if e.Err != nil {
			r.snapErrors.Add(ctx, 1)
		} else {
			r.snapAge.Record(ctx, e.Duration.Seconds())
		}
	}
}

func (r *Recorder) fetch(ctx context.Context, e driftless.Event) {
	end := time.Now()
	provider := attrProvider.String(e.Scheme)
	_, span := r.tracer.Start(ctx, "driftless.fetch", trace.WithTimestamp(end.Add(-e.Duration)),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(provider, attrRefs.Int(e.Refs)))
	r.fetchRefs.Add(ctx, int64(max(e.Refs, 0)), metric.WithAttributes(provider))
	if e.Err != nil {
		class := errclass.Of(e.Err)
		errType := attrErrorType.String(class)
		r.fetchErrors.Add(ctx, 1, metric.WithAttributes(provider, errType))
		r.fetchDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(provider, attrOutcome.String(outcomeError), errType))
		span.SetAttributes(errType)
		span.SetStatus(codes.Error, class)
	} else {
		r.fetchDuration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(provider, attrOutcome.String(outcomeOK)))
		last, ok := r.lastFetchOK.Load(e.Scheme)
		if !ok {
			last, _ = r.lastFetchOK.LoadOrStore(e.Scheme, new(atomic.Int64))
		}
		storeLatest(last.(*atomic.Int64), end.UnixNano())
	}
	span.End(trace.WithTimestamp(end))
}

func (r *Recorder) refresh(ctx context.Context, e driftless.Event) {
	end := time.Now()
	_, span := r.tracer.Start(ctx, "driftless.refresh", trace.WithTimestamp(end.Add(-e.Duration)))
	if e.Err != nil {
		class := errclass.Of(e.Err)
		errType := attrErrorType.String(class)
		r.refreshes.Add(ctx, 1, metric.WithAttributes(attrOutcome.String(outcomeError)))
		r.refreshErrors.Add(ctx, 1, metric.WithAttributes(errType))
		span.SetAttributes(attrOutcome.String(outcomeError), errType)
		span.SetStatus(codes.Error, class)
	} else {
		r.refreshes.Add(ctx, 1, metric.WithAttributes(attrOutcome.String(outcomeOK)))
		span.SetAttributes(attrOutcome.String(outcomeOK))
		storeLatest(&r.lastRefreshOK, end.UnixNano())
	}
	span.End(trace.WithTimestamp(end))
}

// storeLatest sets a to t unless it holds a later time (events of
// concurrent calls arrive in any order).
func storeLatest(a *atomic.Int64, t int64) {
	for {
		old := a.Load()
		if old >= t || a.CompareAndSwap(old, t) {
			return
		}
	}
}

func (r *Recorder) observeFetchSuccess(_ context.Context, o metric.Float64Observer) error {
	now := time.Now()
	r.lastFetchOK.Range(func(k, v any) bool {
		last := time.Unix(0, v.(*atomic.Int64).Load())
		o.Observe(now.Sub(last).Seconds(), metric.WithAttributes(attrProvider.String(k.(string))))
		return true
	})
	return nil
}

func (r *Recorder) observeRefreshSuccess(_ context.Context, o metric.Float64Observer) error {
	if last := r.lastRefreshOK.Load(); last != 0 {
		o.Observe(time.Now().Sub(time.Unix(0, last)).Seconds())
	}
	return nil
}
