package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/driftless/driftless"
	driftlessprom "github.com/driftless/driftless/telemetry/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// newMetrics returns a Prometheus registry with the driftless collector
// registered, and the option that feeds the collector: pass it to
// newService. The registry is the service's own, not the global default,
// so that each Handle (and each test) counts alone.
func newMetrics() (*prometheus.Registry, driftless.Option, error) {
	reg := prometheus.NewRegistry()
	c, err := driftlessprom.New(reg)
	if err != nil {
		return nil, nil, err
	}
	return reg, c.Option(), nil
}

// adminHandler is the service's admin endpoints, for an internal port only
// (the status names the secrets the service reads, never their values):
//
//   - /healthz/ready: the readiness probe, 200 while the config served is
//     good (ok, or degraded: a refresh failed, or values come from the
//     snapshot), 503 when it is failed;
//   - /healthz/live: the liveness probe, 503 only when the background
//     refresh is wedged;
//   - /healthz: the full health and status, JSON (text for Accept:
//     text/plain);
//   - /metrics: the driftless_* series, for Prometheus to scrape.
func (s *service) adminHandler(reg *prometheus.Registry) http.Handler {
	health := s.cfg.HealthHandler()
	mux := http.NewServeMux()
	mux.Handle("/healthz", health)
	mux.Handle("/healthz/ready", probe(health, "readiness"))
	mux.Handle("/healthz/live", probe(health, "liveness"))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// probe serves h with ?probe=kind, so that a probe has a path of its own.
func probe(h http.Handler, kind string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q.Set("probe", kind)
		r.URL.RawQuery = q.Encode()
		h.ServeHTTP(w, r)
	})
}

// showAdmin writes what the demo's probes answer and its driftless
// refresh and swap counts, from admin served in process.
func showAdmin(out io.Writer, admin http.Handler) error {
	for _, path := range []string{"/healthz/ready", "/healthz/live"} {
		rec := httptest.NewRecorder()
		admin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var res struct{ Health struct{ Verdict string } }
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(out, "GET %s: %d %s\n", path, rec.Code, res.Health.Verdict)
	}
	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Fprintf(out, "GET /metrics: %d\n", rec.Code)
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "driftless_refreshes_total") || strings.HasPrefix(line, "driftless_swaps_total") {
			fmt.Fprintln(out, "  "+line)
		}
	}
	return sc.Err()
}
