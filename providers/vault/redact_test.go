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

// TestProxyAnswers covers answers that a Vault server does not give but a
// proxy or load balancer in front of it may: a body that is not Vault's JSON
// error list is never shown, and statuses map to the right sentinel. No
// Vault server is needed.
func TestProxyAnswers(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		err    error
	}{
		{http.StatusBadGateway, "<html>" + providertest.Canary + "</html>", driver.ErrUnavailable},
		{http.StatusTooManyRequests, providertest.Canary, driver.ErrUnavailable},
		{http.StatusServiceUnavailable, `{"errors":["Vault is sealed"]}`, driver.ErrUnavailable},
		{http.StatusForbidden, providertest.Canary, driver.ErrPermission},
		{http.StatusNotFound, providertest.Canary, driver.ErrNotFound},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/sys/internal/ui/mounts/secret/app" {
					fmt.Fprint(w, `{"data":{"path":"secret/","type":"kv","options":{"version":"2"}}}`)
					return
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			cfg := api.DefaultConfig()
			cfg.Address = srv.URL
			cfg.MaxRetries = 0
			c, err := api.NewClient(cfg)
			require.NoError(t, err)
			p, err := vault.New(c)
			require.NoError(t, err)
			_, err = p.Fetch(t.Context(), driver.Ref{Scheme: "vault", Name: "secret/app"})
			require.ErrorIs(t, err, tc.err)
			assert.Contains(t, err.Error(), "secret/app")
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), providertest.Canary)
		})
	}
}
