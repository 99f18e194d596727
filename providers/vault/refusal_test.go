package vault_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
	"github.com/driftless/driftless/providertest"
)

// kvStandIn serves a KV v2 mount at secret/ and answers every read of
// secret/data/app with status and body, as Vault (or a proxy in front of
// it) would. No Vault server is needed.
func kvStandIn(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/sys/internal/ui/mounts/secret/app" {
			fmt.Fprint(w, `{"data":{"path":"secret/","type":"kv","options":{"version":"2"}}}`)
			return
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// clientOf returns a client of addr with token (none for ""), whatever the
// environment says.
func clientOf(t *testing.T, addr, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	require.NoError(t, err)
	c.ClearToken()
	if token != "" {
		c.SetToken(token)
	}
	return c
}

// A deleted or destroyed KV v2 version exists: Vault answers 404 with the
// version's metadata. It is refused, never "not found", so a key source
// does not fall through to a lower source or a default.
func TestDeletedVersionIsNotNotFound(t *testing.T) {
	for name, meta := range map[string]string{
		"Deleted":   `{"created_time":"2026-01-01T00:00:00Z","deletion_time":"2026-01-02T00:00:00Z","destroyed":false,"version":3}`,
		"Destroyed": `{"created_time":"2026-01-01T00:00:00Z","deletion_time":"","destroyed":true,"version":3}`,
	} {
		t.Run(name, func(t *testing.T) {
			addr := kvStandIn(t, http.StatusNotFound, `{"data":{"data":null,"metadata":`+meta+`}}`)
			p, err := vault.New(clientOf(t, addr, "a-token"))
			require.NoError(t, err)
			_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
			require.Error(t, err)
			assert.ErrorIs(t, err, driver.ErrPermission)
			assert.NotErrorIs(t, err, driver.ErrNotFound)
			assert.Contains(t, err.Error(), "secret/app")
		})
	}
	t.Run("Missing", func(t *testing.T) {
		addr := kvStandIn(t, http.StatusNotFound, `{"errors":[]}`)
		p, err := vault.New(clientOf(t, addr, "a-token"))
		require.NoError(t, err)
		_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
		assert.ErrorIs(t, err, driver.ErrNotFound, "a path that was never written is not found")
	})
}

// A 401 or 403 is a refusal whatever its body, a proxy's HTML page
// included, and the body is never shown.
func TestDenialWithForeignBody(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			addr := kvStandIn(t, status, "<html><body>Access denied "+providertest.Canary+"</body></html>")
			p, err := vault.New(clientOf(t, addr, "a-token"))
			require.NoError(t, err)
			_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
			require.Error(t, err)
			assert.ErrorIs(t, err, driver.ErrPermission)
			assert.NotErrorIs(t, err, driver.ErrNoCredentials, "the client had a token")
			assert.NotErrorIs(t, err, driver.ErrUnavailable)
			assert.NotErrorIs(t, err, driver.ErrNotFound)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), providertest.Canary)
		})
	}
}

// A client without a token, refused, is told so: ErrNoCredentials (with
// ErrPermission and Vault's error), and what to set.
func TestNoToken(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		status      int
		body        string
	}{
		{"PermissionDenied", "", http.StatusForbidden, `{"errors":["permission denied"]}`},
		{"MissingClientToken", "", http.StatusBadRequest, `{"errors":["missing client token"]}`},
		// A proxy that drops the token: Vault's own words decide.
		{"MissingClientTokenWithToken", "a-token", http.StatusForbidden, `{"errors":["missing client token"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := kvStandIn(t, tc.status, tc.body)
			p, err := vault.New(clientOf(t, addr, tc.token))
			require.NoError(t, err)
			_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
			require.Error(t, err)
			assert.ErrorIs(t, err, driver.ErrNoCredentials)
			assert.NotErrorIs(t, err, driver.ErrUnavailable)
			assert.NotErrorIs(t, err, driver.ErrNotFound)
			assert.Contains(t, err.Error(), "VAULT_TOKEN", "the message says what to set")
			assert.Contains(t, err.Error(), "secret/app")
			var re *api.ResponseError
			assert.ErrorAs(t, err, &re, "Vault's error stays wrapped")
		})
	}
	t.Run("TokenRefused", func(t *testing.T) {
		addr := kvStandIn(t, http.StatusForbidden, `{"errors":["permission denied"]}`)
		p, err := vault.New(clientOf(t, addr, "a-token"))
		require.NoError(t, err)
		_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
		assert.ErrorIs(t, err, driver.ErrPermission)
		assert.NotErrorIs(t, err, driver.ErrNoCredentials, "a token was sent and refused")
	})
}
