package driftless_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// The values of healthConfig: none may appear in a status, a health
// verdict or the text of the health handler.
const (
	canaryDB    = "canary-db-password-5d1e"
	canaryAPI   = "canary-api-key-77f0"
	canaryPlain = "canary-plain-value-a93c"
)

type healthConfig struct {
	Host     string           `env:"HOST"`
	Password driftless.Secret `env:"DB_PASSWORD" default:"mem://db"`
	APIKey   string           `env:"API_KEY" default:"mem://api#key"`
}

// newHealthHandle returns a started Handle over a drifttest provider
// refreshed every minute. Call inside a synctest bubble.
func newHealthHandle(t *testing.T, opts ...driftless.Option) (*driftless.Handle[healthConfig], *drifttest.Provider) {
	t.Helper()
	mem := drifttest.NewProvider()
	mem.Set("db", canaryDB)
	mem.Set("api", `{"key":"`+canaryAPI+`"}`)
	opts = append([]driftless.Option{
		driftless.WithEnv(map[string]string{"HOST": canaryPlain}),
		driftless.WithProvider("mem", mem),
		driftless.WithRefreshInterval(time.Minute),
	}, opts...)
	h, err := driftless.NewHandle[healthConfig](t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	require.NoError(t, h.Start(t.Context()))
	return h, mem
}

// probe calls the health handler and returns the status code and body.
func probe(t *testing.T, h http.Handler, query, accept string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/healthz"+query, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// assertNoValue fails when text holds any of the canary values.
func assertNoValue(t *testing.T, text string) {
	t.Helper()
	for _, c := range []string{canaryDB, canaryAPI, canaryPlain} {
		assert.False(t, strings.Contains(text, c), "a value leaked into the health output")
	}
}

func decodeHealth(t *testing.T, body string) driftless.HealthResponse {
	t.Helper()
	var res driftless.HealthResponse
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	return res
}

func TestHealthDegradedDuringOutageReadyAgainAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, mem := newHealthHandle(t)
		hh := h.HealthHandler()

		code, body := probe(t, hh, "?probe=readiness", "")
		assert.Equal(t, http.StatusOK, code)
		res := decodeHealth(t, body)
		assert.Equal(t, driftless.HealthOK, res.Health.Verdict, res.Health.Reasons)
		assertNoValue(t, body)

		mem.FailAll(fmt.Errorf("%w: connection refused", driftless.ErrUnavailable))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		code, body = probe(t, hh, "?probe=readiness", "")
		assert.Equal(t, http.StatusOK, code, "degraded is still ready: the last good config is served")
		res = decodeHealth(t, body)
		assert.Equal(t, driftless.HealthDegraded, res.Health.Verdict)
		assert.True(t, res.Health.Live)
		assert.Contains(t, strings.Join(res.Health.Reasons, "\n"), "mem://db")
		assert.Contains(t, strings.Join(res.Health.Reasons, "\n"), "connection refused")
		assertNoValue(t, body)
		assert.True(t, h.Current().Password.Value() == canaryDB, "the Password served")

		mem.FailAll(nil)
		time.Sleep(10 * time.Minute) // past the longest backoff
		synctest.Wait()
		code, body = probe(t, hh, "?probe=readiness", "")
		assert.Equal(t, http.StatusOK, code)
		res = decodeHealth(t, body)
		assert.Equal(t, driftless.HealthOK, res.Health.Verdict, res.Health.Reasons)
	})
}

func TestHealthStaleness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, mem := newHealthHandle(t, driftless.WithStaleAfter(3*time.Minute, 10*time.Minute))
		mem.FailAll(fmt.Errorf("%w: timeout", driftless.ErrUnavailable))

		time.Sleep(2 * time.Minute)
		synctest.Wait()
		hl := h.Health()
		assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
		assert.NotContains(t, strings.Join(hl.Reasons, "\n"), "stale", "not yet beyond the degraded bound")

		time.Sleep(3 * time.Minute)
		synctest.Wait()
		hl = h.Health()
		assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
		assert.Contains(t, strings.Join(hl.Reasons, "\n"), "secret mem://db is stale")

		time.Sleep(10 * time.Minute)
		synctest.Wait()
		hl = h.Health()
		assert.Equal(t, driftless.HealthFailed, hl.Verdict)
		assert.Contains(t, strings.Join(hl.Reasons, "\n"), "beyond the failed bound")
		code, _ := probe(t, h.HealthHandler(), "?probe=readiness", "")
		assert.Equal(t, http.StatusServiceUnavailable, code)
		code, _ = probe(t, h.HealthHandler(), "?probe=liveness", "")
		assert.Equal(t, http.StatusOK, code, "failing backends are not a wedged refresh")
	})
}

func TestHealthNotStaleWithoutStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db", canaryDB)
		mem.Set("api", `{"key":"x"}`)
		h, err := driftless.NewHandle[healthConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
			driftless.WithRefreshInterval(time.Minute))
		require.NoError(t, err)
		defer h.Close()
		time.Sleep(time.Hour)
		assert.Equal(t, driftless.HealthOK, h.Health().Verdict, "values are meant to stay as loaded without Start")
	})
}

func TestHealthLeaseExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db", canaryDB)
		mem.Set("api", `{"key":"x"}`)
		mem.SetLease("db", 90*time.Second)
		h, err := driftless.NewHandle[healthConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
			driftless.WithRefreshInterval(time.Hour))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		st := h.Status()
		require.Len(t, st.Secrets, 2)
		assert.False(t, st.Secrets[1].Expires.IsZero(), "the lease of mem://db is reported")

		mem.FailAll(fmt.Errorf("%w: sealed", driftless.ErrUnavailable))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		hl := h.Health()
		assert.Equal(t, driftless.HealthFailed, hl.Verdict)
		assert.Contains(t, strings.Join(hl.Reasons, "\n"), "secret mem://db: its lease ended")
	})
}

func TestHealthLivenessWedged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, mem := newHealthHandle(t)
		release := make(chan struct{})
		h.OnChange(func(driftless.Change[healthConfig]) { <-release })
		mem.Set("db", "rotated-"+canaryDB)
		time.Sleep(2 * time.Minute) // the hook blocks the background refresh
		synctest.Wait()
		code, _ := probe(t, h.HealthHandler(), "?probe=liveness", "")
		assert.Equal(t, http.StatusOK, code, "a refresh late by less than the bound is not wedged")

		time.Sleep(5 * time.Minute)
		synctest.Wait()
		code, body := probe(t, h.HealthHandler(), "?probe=liveness", "")
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Contains(t, body, "wedged")
		close(release)
		synctest.Wait()
		code, _ = probe(t, h.HealthHandler(), "?probe=liveness", "")
		assert.Equal(t, http.StatusOK, code)
	})
}

func TestHealthStatusContent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, mem := newHealthHandle(t)
		time.Sleep(30 * time.Second)
		st := h.Status()
		assert.True(t, st.Running)
		require.Len(t, st.Secrets, 2)
		api, db := st.Secrets[0], st.Secrets[1]
		assert.Equal(t, "mem://api", api.Ref, "a secret is listed without its #key")
		assert.Equal(t, []string{"APIKey"}, api.Fields)
		assert.Equal(t, "mem://db", db.Ref)
		assert.Equal(t, "mem", db.Provider)
		assert.Equal(t, "1", db.Version)
		assert.Equal(t, 30*time.Second, time.Duration(db.Age))
		assert.Equal(t, []string{"Password"}, db.Fields)
		assert.True(t, db.NextRefresh.After(st.Now))
		require.Len(t, st.Fields, 3)
		assert.Equal(t, "Host", st.Fields[0].Path)
		assert.Equal(t, "env", st.Fields[0].Source)
		assert.Equal(t, "mem://db", st.Fields[1].Ref)

		mem.Fail("db", fmt.Errorf("%w: denied", driftless.ErrPermission))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		for _, accept := range []string{"", "text/plain"} {
			code, body := probe(t, h.HealthHandler(), "", accept)
			assert.Equal(t, http.StatusOK, code)
			assertNoValue(t, body)
			assert.Contains(t, body, "mem://db")
			assert.Contains(t, body, "denied")
		}
		_, text := probe(t, h.HealthHandler(), "", "text/plain")
		assert.True(t, strings.HasPrefix(text, "degraded"), "the text form starts with the verdict")
	})
}

func TestHealthHandlerRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newHealthHandle(t)
		code, _ := probe(t, h.HealthHandler(), "?probe=startup", "")
		assert.Equal(t, http.StatusBadRequest, code)
		rec := httptest.NewRecorder()
		h.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/healthz", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)

		var zero driftless.Handle[healthConfig]
		code, body := probe(t, zero.HealthHandler(), "?probe=readiness", "")
		assert.Equal(t, http.StatusServiceUnavailable, code, "a zero Handle has no config")
		assert.Equal(t, driftless.HealthFailed, decodeHealth(t, body).Health.Verdict)
	})
}

func TestHealthFuncHandleStale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th := drifttest.NewHandle(t, &healthConfig{Host: canaryPlain}, driftless.WithRefreshInterval(time.Minute))
		h := th.Handle
		require.NoError(t, h.Start(t.Context()))
		assert.Equal(t, driftless.HealthOK, h.Health().Verdict)
		th.Fail(errors.New("config service down"))
		time.Sleep(4 * time.Minute)
		synctest.Wait()
		hl := h.Health()
		assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
		reasons := strings.Join(hl.Reasons, "\n")
		assert.Contains(t, reasons, "config service down")
		assert.Contains(t, reasons, "the config is stale")
	})
}

func TestWithStaleAfterChecksBounds(t *testing.T) {
	t.Parallel()
	_, err := driftless.NewHandle[healthConfig](t.Context(), driftless.WithEnv(nil), driftless.WithStaleAfter(time.Hour, time.Minute))
	assert.ErrorContains(t, err, "WithStaleAfter")
}

// A Handle that booted from the snapshot of WithSnapshot through an
// outage says so, and is ready again once the backend answers.
func TestHealthServingSnapshot(t *testing.T) {
	t.Parallel()
	f := newSnapFixture(t)
	h, err := driftless.NewHandle[snapConfig](t.Context(), f.opts()...)
	require.NoError(t, err)
	require.NoError(t, h.Close())

	f.sm.FailAll(errDown)
	h, err = driftless.NewHandle[snapConfig](t.Context(), f.opts()...)
	require.NoError(t, err)
	defer h.Close()
	hl := h.Health()
	assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
	assert.Contains(t, strings.Join(hl.Reasons, "\n"), "serving values from the snapshot")
	assert.False(t, h.Status().Snapshot.IsZero())

	f.sm.FailAll(nil)
	require.NoError(t, h.RefreshNow(t.Context()))
	hl = h.Health()
	assert.Equal(t, driftless.HealthOK, hl.Verdict, hl.Reasons)
}
