package awssm_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
)

// TestHealthThroughOutage drives a Handle's readiness probe through an
// outage of Secrets Manager: ok, then degraded (still ready, the last good
// config served) while the endpoint is down, then ok again once it is up.
// The probe never shows the secret's value.
func TestHealthThroughOutage(t *testing.T) {
	t.Parallel()
	const canary = "canary-outage-pw-3b71"
	srv := fake(t)
	srv.Put(t.Context(), "prod/db", []byte(`{"password":"`+canary+`"}`))
	type Config struct {
		Password driftless.Secret `env:"DB_PASSWORD" default:"awssm://prod/db#password"`
	}
	h, err := driftless.NewHandle[Config](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", awssm.New(srv.Client())))
	require.NoError(t, err)
	defer h.Close()
	ready := func() (int, driftless.Health, string) {
		rec := httptest.NewRecorder()
		h.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz?probe=readiness", nil))
		var res driftless.HealthResponse
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
		assert.False(t, strings.Contains(rec.Body.String(), canary), "the secret's value leaked into the health output")
		return rec.Code, res.Health, rec.Body.String()
	}

	code, hl, _ := ready()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, driftless.HealthOK, hl.Verdict, hl.Reasons)

	srv.Down()
	require.Error(t, h.RefreshNow(t.Context()))
	code, hl, body := ready()
	assert.Equal(t, http.StatusOK, code, "degraded is ready")
	assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
	assert.Contains(t, body, "awssm://prod/db")

	srv.Up()
	require.NoError(t, h.RefreshNow(t.Context()))
	code, hl, _ = ready()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, driftless.HealthOK, hl.Verdict, hl.Reasons)
}
