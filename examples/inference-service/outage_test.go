package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
)

// The model API keys the fake Secrets Manager holds, before and after a
// rotation. Never printed: tests compare them with ==.
const (
	keyV1 = "sk-outage-v1-Qm7rT2"
	keyV2 = "sk-outage-v2-Hx4wP9"
)

// outageFixture is the service against a fake Secrets Manager on
// loopback, with the driftless metrics and, when asked, a sealed snapshot.
type outageFixture struct {
	sm   *awssmtest.Server
	reg  *prometheus.Registry
	opts []driftless.Option
	logs bytes.Buffer
}

func newOutageFixture(t testing.TB, snapshot bool) *outageFixture {
	t.Helper()
	f := &outageFixture{sm: awssmtest.NewServer()}
	t.Cleanup(f.sm.Close)
	require.NoError(t, f.sm.Put(t.Context(), "prod/inference", []byte(`{"openai":"`+keyV1+`"}`)))
	dir := t.TempDir()                                    // the pod's ephemeral volume
	keyFile := filepath.Join(t.TempDir(), "snapshot.key") // a mounted secret, kept apart
	require.NoError(t, os.WriteFile(keyFile, []byte("a-snapshot-key-of-32-bytes-or-more-Lp3"), 0o600))
	reg, metrics, err := newMetrics()
	require.NoError(t, err)
	f.reg = reg
	f.opts = []driftless.Option{
		driftless.WithEnv(map[string]string{
			"MODEL_API_URL":  "http://127.0.0.1:1", // never called
			"OPENAI_API_KEY": "awssm://prod/inference#openai",
		}),
		driftless.WithProvider("awssm", awssm.New(f.sm.Client())),
		driftless.WithForceRefreshLimit(0),
		metrics,
	}
	if snapshot {
		f.opts = append(f.opts, driftless.WithSnapshot(filepath.Join(dir, "config.snap"), driftless.SnapshotKeyFile(keyFile), time.Hour))
	}
	return f
}

// boot starts the service's config Handle, as main does.
func (f *outageFixture) boot(t testing.TB) *service {
	t.Helper()
	s, err := newService(t.Context(), slog.New(slog.NewTextHandler(&f.logs, nil)), f.opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.cfg.Close() })
	return s
}

// noSecretLogged checks that the logs hold neither key.
func (f *outageFixture) noSecretLogged(t *testing.T) {
	t.Helper()
	for _, k := range []string{keyV1, keyV2} {
		assert.False(t, strings.Contains(f.logs.String(), k), "the logs hold a key value")
	}
}

func apiKeyIs(s *service, want string) bool { return s.cfg.Current().APIKey.Value() == want }

// A service that sealed its config boots through an outage of Secrets
// Manager from the snapshot, degraded, and is live and ok after the first
// refresh once the backend is back.
func TestBootsThroughOutage(t *testing.T) {
	t.Parallel()
	f := newOutageFixture(t, true)
	first := f.boot(t)
	degraded, _ := first.cfg.Degraded()
	require.False(t, degraded)
	require.NoError(t, first.cfg.Close()) // the pod is rescheduled

	f.sm.Down()
	s := f.boot(t)
	degraded, written := s.cfg.Degraded()
	assert.True(t, degraded, "booted from the snapshot")
	assert.False(t, written.IsZero(), "the snapshot's time")
	assert.True(t, apiKeyIs(s, keyV1), "serves the sealed key")
	h := s.cfg.Health()
	assert.Equal(t, driftless.HealthDegraded, h.Verdict)
	assert.Contains(t, strings.Join(h.Reasons, "\n"), "serving values from the snapshot")

	f.sm.Up()
	_, err := f.sm.Rotate(t.Context(), "prod/inference", []byte(`{"openai":"`+keyV2+`"}`))
	require.NoError(t, err)
	require.NoError(t, s.cfg.RefreshNow(t.Context()))
	degraded, _ = s.cfg.Degraded()
	assert.False(t, degraded, "live again")
	assert.True(t, apiKeyIs(s, keyV2), "serves the live, rotated key")
	assert.Equal(t, driftless.HealthOK, s.cfg.Health().Verdict, s.cfg.Health().Reasons)
	assert.True(t, s.client.Load().key.Value() == keyV2, "the change hook rebuilt the model client")
	f.noSecretLogged(t)
}

// probeResult is what one GET of a probe answered.
type probeResult struct {
	Code    int
	Verdict driftless.Verdict
	Live    bool
}

func getProbe(t *testing.T, base, path string) probeResult {
	t.Helper()
	resp, err := http.Get(base + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body driftless.HealthResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), path)
	return probeResult{Code: resp.StatusCode, Verdict: body.Health.Verdict, Live: body.Health.Live}
}

// The readiness probe goes degraded through an outage and back, and stays
// 200 throughout: the last good config is still worth serving, so a
// Secrets Manager outage does not take the fleet out of rotation. The
// liveness probe stays 200 too. Without a snapshot the refreshes fail and
// the last good config is kept; with one, a refresh that finds the backend
// down serves the sealed values and succeeds, degraded (Handle.Degraded).
func TestReadinessProbeDegradedAndBack(t *testing.T) {
	t.Parallel()
	for _, snapshot := range []bool{false, true} {
		t.Run("snapshot="+strconv.FormatBool(snapshot), func(t *testing.T) {
			t.Parallel()
			f := newOutageFixture(t, snapshot)
			s := f.boot(t)
			admin := httptest.NewServer(s.adminHandler(f.reg))
			t.Cleanup(admin.Close)

			ok := probeResult{Code: http.StatusOK, Verdict: driftless.HealthOK, Live: true}
			degraded := probeResult{Code: http.StatusOK, Verdict: driftless.HealthDegraded, Live: true}
			steps := []struct {
				name string
				act  func()
				down bool
				want probeResult
			}{
				{"booted", func() {}, false, ok},
				{"backend down", f.sm.Down, true, degraded},
				{"still down", func() {}, true, degraded},
				{"backend up", f.sm.Up, false, ok},
			}
			for _, st := range steps {
				st.act()
				err := s.cfg.RefreshNow(t.Context())
				// With or without a snapshot: it is for booting only, so a
				// refresh in an outage fails and the last good key is kept.
				if st.down {
					require.ErrorIs(t, err, driftless.ErrUnavailable, st.name)
				} else {
					require.NoError(t, err, st.name)
				}
				sealed, _ := s.cfg.Degraded()
				assert.False(t, sealed, "%s: a service that booted live never serves the snapshot", st.name)
				assert.Equal(t, st.want, getProbe(t, admin.URL, "/healthz/ready"), "%s: readiness", st.name)
				assert.Equal(t, st.want, getProbe(t, admin.URL, "/healthz/live"), "%s: liveness", st.name)
				assert.True(t, apiKeyIs(s, keyV1), "%s: serves the last good key", st.name)
			}

			// The full status: metadata only, never a value.
			resp, err := http.Get(admin.URL + "/healthz")
			require.NoError(t, err)
			defer resp.Body.Close()
			var body bytes.Buffer
			_, err = body.ReadFrom(resp.Body)
			require.NoError(t, err)
			assert.Contains(t, body.String(), "awssm://prod/inference")
			assert.False(t, strings.Contains(body.String(), keyV1), "the status holds a key value")
			f.noSecretLogged(t)
		})
	}
}

// scrape GETs /metrics and returns each sample, keyed by its name and
// labels as the text format writes them.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	samples := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		require.Positive(t, i, "a sample line")
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		samples[line[:i]] = v
	}
	require.NoError(t, sc.Err())
	return samples
}

// The driftless metrics, scraped over HTTP, count the fetches, the errors
// of an outage by class, the refreshes and the swaps. (No snapshot: with
// one, the refreshes of the outage would serve it and count as ok.)
func TestMetricsScrapedThroughOutage(t *testing.T) {
	t.Parallel()
	f := newOutageFixture(t, false)
	s := f.boot(t)
	admin := httptest.NewServer(s.adminHandler(f.reg))
	t.Cleanup(admin.Close)

	m := scrape(t, admin.URL)
	assert.Equal(t, 1.0, m[`driftless_fetched_refs_total{provider="awssm"}`], "the boot fetched the secret")
	assert.Zero(t, m[`driftless_fetch_errors_total{class="unavailable",provider="awssm"}`])

	f.sm.Down()
	require.Error(t, s.cfg.RefreshNow(t.Context()))
	require.Error(t, s.cfg.RefreshNow(t.Context()))
	m = scrape(t, admin.URL)
	assert.Equal(t, 2.0, m[`driftless_fetch_errors_total{class="unavailable",provider="awssm"}`], "an error per failed fetch, classed unavailable")
	assert.Equal(t, 2.0, m[`driftless_refreshes_total{outcome="error"}`])
	assert.Equal(t, 2.0, m[`driftless_refresh_errors_total{class="unavailable"}`])

	f.sm.Up()
	_, err := f.sm.Rotate(t.Context(), "prod/inference", []byte(`{"openai":"`+keyV2+`"}`))
	require.NoError(t, err)
	require.NoError(t, s.cfg.RefreshNow(t.Context()))
	require.True(t, apiKeyIs(s, keyV2), "the rotated key")
	m = scrape(t, admin.URL)
	assert.Equal(t, 1.0, m[`driftless_refreshes_total{outcome="ok"}`])
	assert.Equal(t, 1.0, m[`driftless_swaps_total`], "the rotation swapped the config once")
	assert.Equal(t, 4.0, m[`driftless_fetched_refs_total{provider="awssm"}`], "boot, two failed refreshes, one good")
	assert.Equal(t, 2.0, m[`driftless_fetch_errors_total{class="unavailable",provider="awssm"}`], "no new error")
	assert.Positive(t, m[`driftless_refresh_last_success_timestamp_seconds`])
	f.noSecretLogged(t)
}
