package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// TestStatusReadsARunningService serves a Handle's health handler on
// loopback and reads it with driftless status: the table names the secret
// and its fields, never its value, and the exit code follows the verdict.
func TestStatusReadsARunningService(t *testing.T) {
	const canary = "canary-status-pw-0c4e"
	mem := drifttest.NewProvider()
	mem.Set("db", canary)
	type Config struct {
		Password driftless.Secret `env:"DB_PASSWORD" default:"mem://db"`
	}
	h, err := driftless.NewHandle[Config](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
	require.NoError(t, err)
	defer h.Close()
	srv := httptest.NewServer(h.HealthHandler())
	defer srv.Close()

	var out, errb bytes.Buffer
	code := run([]string{"status", srv.URL + "/healthz"}, &out, &errb)
	assert.Equal(t, exitOK, code, errb.String())
	assert.True(t, strings.HasPrefix(out.String(), "ok"), "the verdict comes first")
	assert.Contains(t, out.String(), "mem://db")
	assert.Contains(t, out.String(), "Password")
	assert.NotContains(t, out.String(), canary)

	mem.FailAll(fmt.Errorf("%w: connection refused", driftless.ErrUnavailable))
	require.Error(t, h.RefreshNow(t.Context()))
	out.Reset()
	code = run([]string{"status", "--json", srv.URL}, &out, &errb)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out.String(), `"verdict": "degraded"`)
	assert.Contains(t, out.String(), "connection refused")
	assert.NotContains(t, out.String(), canary)
}

func TestStatusSendsAuthorization(t *testing.T) {
	th := drifttest.NewHandle(t, &struct {
		Port int `env:"PORT"`
	}{Port: 1})
	inner := th.HealthHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()

	res, err := fetchStatus(t.Context(), srv.URL, "Bearer t0ken")
	require.NoError(t, err)
	assert.Equal(t, driftless.HealthOK, res.Health.Verdict)
	_, err = fetchStatus(t.Context(), srv.URL, "")
	assert.ErrorContains(t, err, "401")
}

func TestStatusUsageAndBadAnswers(t *testing.T) {
	notDriftless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"status":"UP"}`)
	}))
	defer notDriftless.Close()
	for _, args := range [][]string{
		{"status"},
		{"status", "ftp://example.test/"},
		{"status", "a", "b"},
		{"status", notDriftless.URL},
	} {
		var out, errb bytes.Buffer
		assert.Equal(t, exitError, run(args, &out, &errb), args)
		assert.NotEmpty(t, errb.String(), args)
	}
}
