package driftlessprom

import (
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/internal/errclass"
	"github.com/prometheus/client_golang/prometheus"
)

// Label values of outcome.
const (
	outcomeOK    = "ok"
	outcomeError = "error"
)

// Collector turns driftless Events into Prometheus metrics (see the package
// doc for the names). Its methods are safe for concurrent use.
type Collector struct {
	fetchDuration      *prometheus.HistogramVec
	fetchErrors        *prometheus.CounterVec
	fetchedRefs        *prometheus.CounterVec
	cacheHits          *prometheus.CounterVec
	cacheMisses        *prometheus.CounterVec
	refreshes          *prometheus.CounterVec
	refreshErrors      *prometheus.CounterVec
	swaps              prometheus.Counter
	rejected           prometheus.Counter
	snapshotAge        prometheus.Gauge
	snapshotErrors     prometheus.Counter
	lastSuccess        *prometheus.GaugeVec
	refreshLastSuccess prometheus.Gauge
}

// Option configures New.
type Option func(*options)

type options struct {
	buckets []float64
}

// WithBuckets sets the upper bounds of the buckets of
// driftless_fetch_duration_seconds, in seconds. The default is
// prometheus.DefBuckets (5 ms to 10 s).
func WithBuckets(b []float64) Option {
	return func(o *options) { o.buckets = b }
}

// New creates the collectors and registers them with reg. It fails when reg
// refuses one (for example a second Collector on the same registry), having
// registered none.
func New(reg prometheus.Registerer, opts ...Option) (*Collector, error) {
	if reg == nil {
		return nil, errors.New("driftlessprom: New needs a Registerer")
	}
	o := options{buckets: prometheus.DefBuckets}
	for _, opt := range opts {
		opt(&o)
	}
	c := &Collector{
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "driftless_fetch_duration_seconds",
			Help:    "Latency of driftless backend calls (a batch is one call), by provider and outcome.",
			Buckets: o.buckets,
		}, []string{"provider", "outcome"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_fetch_errors_total",
			Help: "Failed driftless backend calls, by provider and error class.",
		}, []string{"provider", "class"}),
		fetchedRefs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_fetched_refs_total",
			Help: "References driftless asked its backends for, by provider (a batch counts each).",
		}, []string{"provider"}),
		cacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_cache_hits_total",
			Help: "Values driftless served from its cache, by provider.",
		}, []string{"provider"}),
		cacheMisses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_cache_misses_total",
			Help: "Values driftless had to fetch, by provider.",
		}, []string{"provider"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_refreshes_total",
			Help: "Refresh passes of driftless handles, by outcome.",
		}, []string{"outcome"}),
		refreshErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "driftless_refresh_errors_total",
			Help: "Failed refresh passes of driftless handles (the last good config kept), by error class.",
		}, []string{"class"}),
		swaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "driftless_swaps_total",
			Help: "New config snapshots published by driftless handles.",
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "driftless_candidates_rejected_total",
			Help: "Candidate configs refused by a driftless gate (the last good config kept).",
		}),
		snapshotAge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "driftless_snapshot_age_seconds",
			Help: "Age of the sealed snapshot (WithSnapshot) a driftless load last booted from.",
		}),
		snapshotErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "driftless_snapshot_errors_total",
			Help: "Sealed snapshots (WithSnapshot) refused or not written.",
		}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "driftless_last_success_timestamp_seconds",
			Help: "Unix time of the last successful driftless backend call, by provider.",
		}, []string{"provider"}),
		refreshLastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "driftless_refresh_last_success_timestamp_seconds",
			Help: "Unix time of the last successful refresh pass of a driftless handle.",
		}),
	}
	var done []prometheus.Collector
	for _, m := range c.collectors() {
		if err := reg.Register(m); err != nil {
			for _, d := range done {
				reg.Unregister(d)
			}
			return nil, fmt.Errorf("driftlessprom: registering the metrics: %w", err)
		}
		done = append(done, m)
	}
	return c, nil
}

func (c *Collector) collectors() []prometheus.Collector {
	return []prometheus.Collector{c.fetchDuration, c.fetchErrors, c.fetchedRefs, c.cacheHits, c.cacheMisses,
		c.refreshes, c.refreshErrors, c.swaps, c.rejected, c.snapshotAge, c.snapshotErrors, c.lastSuccess, c.refreshLastSuccess}
}

// Option returns the driftless option that reports to c
// (driftless.WithMetrics(c.Observe)).
func (c *Collector) Option() driftless.Option { return driftless.WithMetrics(c.Observe) }

// Observe records one Event. It is the function Option passes to
// driftless.WithMetrics: safe for concurrent use, it takes no lock of its
// own.
func (c *Collector) Observe(e driftless.Event) {
	switch e.Kind {
	case driftless.EventFetch:
		outcome := outcomeOK
		if e.Err != nil {
			outcome = outcomeError
			c.fetchErrors.WithLabelValues(e.Scheme, errclass.Of(e.Err)).Inc()
		} else {
			c.lastSuccess.WithLabelValues(e.Scheme).Set(unixSeconds(time.Now()))
		}
		c.fetchDuration.WithLabelValues(e.Scheme, outcome).Observe(e.Duration.Seconds())
		c.fetchedRefs.WithLabelValues(e.Scheme).Add(float64(max(e.Refs, 0)))
	case driftless.EventCacheHit:
		c.cacheHits.WithLabelValues(e.Scheme).Inc()
	case driftless.EventCacheMiss:
		c.cacheMisses.WithLabelValues(e.Scheme).Inc()
	case driftless.EventRefresh:
		if e.Err != nil {
			c.refreshes.WithLabelValues(outcomeError).Inc()
			c.refreshErrors.WithLabelValues(errclass.Of(e.Err)).Inc()
			return
		}
		c.refreshes.WithLabelValues(outcomeOK).Inc()
		c.refreshLastSuccess.Set(unixSeconds(time.Now()))
	case driftless.EventSwap:
		c.swaps.Inc()
	case driftless.EventRejected:
		c.rejected.Inc()
	case driftless.EventSnapshot:
		if e.Err != nil {
			c.snapshotErrors.Inc()
			return
		}
		c.snapshotAge.Set(e.Duration.Seconds())
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
