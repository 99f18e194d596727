package azkv_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providertest"
)

// Key Vault's timestamps are whole seconds and its listing order is not
// promised: versions made in one second tie. FetchPrevious never returns
// the current version, and picks the same previous one whatever the order.
func TestPreviousWithTiedTimestamps(t *testing.T) {
	orders := []azkvtest.ListOrder{azkvtest.ListCreated, azkvtest.ListReversed, azkvtest.ListShuffled}
	frozen := time.Now().Truncate(time.Second)
	stop := func() time.Time { return frozen }

	t.Run("TwoVersions", func(t *testing.T) {
		for _, order := range orders {
			srv, p := newProvider(t)
			srv.SetClock(stop)
			srv.SetListOrder(order)
			v1 := srv.Set("api-key", "one")
			v2 := srv.Set("api-key", "two")
			cur, err := p.Fetch(t.Context(), ref("api-key"))
			require.NoError(t, err)
			require.Equal(t, v2, cur.Version)

			prev, err := p.FetchPrevious(t.Context(), ref("api-key"))
			require.NoError(t, err, "order %d", order)
			assert.Equal(t, v1, prev.Version, "order %d: the previous version is the one that is not current", order)
			assert.Equal(t, "one", string(prev.Data), "order %d", order)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		for _, order := range orders {
			srv, p := newProvider(t)
			srv.SetClock(stop)
			srv.SetListOrder(order)
			ids := []string{srv.Set("db", "a"), srv.Set("db", "b"), srv.Set("db", "c")}
			prev, err := p.FetchPrevious(t.Context(), ref("db"))
			require.NoError(t, err, "order %d", order)
			assert.NotEqual(t, ids[2], prev.Version, "order %d: never the current version", order)
			// Ties are broken by version id: the greatest of the others.
			assert.Equal(t, max(ids[0], ids[1]), prev.Version, "order %d", order)
		}
	})

	t.Run("CurrentDisabled", func(t *testing.T) {
		srv, p := newProvider(t)
		srv.SetClock(stop)
		srv.SetListOrder(azkvtest.ListReversed)
		srv.Set("k", "one")
		v2 := srv.Set("k", "two")
		require.NoError(t, srv.Update("k", v2, azkvtest.Attributes{Enabled: ptr(false)}))
		_, err := p.FetchPrevious(t.Context(), ref("k"))
		assert.ErrorIs(t, err, driver.ErrPermission)
		assert.ErrorIs(t, err, azkv.ErrDisabled)
		assert.NotErrorIs(t, err, driver.ErrNotFound)
	})
}

// HTTP 401 and 403 are refusals whatever the body: a proxy's HTML page,
// and a 401 whose challenge is the proxy's own (Basic), which the SDK's
// challenge handling rejects with an error that carries no status.
func TestDenialWithForeignBody(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, p := newProvider(t)
			srv.Set("app", providertest.Canary)
			srv.FailRaw(status, "text/html", "<html><body><h1>Access denied</h1>"+providertest.Canary+"</body></html>")
			for name, fetch := range map[string]func(context.Context, driver.Ref) (driver.Value, error){"Fetch": p.Fetch, "FetchPrevious": p.FetchPrevious} {
				_, err := fetch(t.Context(), ref("app"))
				require.Error(t, err, name)
				assert.ErrorIs(t, err, driver.ErrPermission, name)
				assert.NotErrorIs(t, err, driver.ErrUnavailable, name)
				assert.NotErrorIs(t, err, driver.ErrNotFound, name)
				assert.Contains(t, err.Error(), `secret "app"`, name)
				assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), providertest.Canary, name)
			}
			srv.FailRaw(0, "", "")
			_, err := p.Fetch(t.Context(), ref("app"))
			assert.NoError(t, err)
		})
	}
}

// Down and Up take the fake's vaults down and back, seen through the
// official client and the provider.
func TestOutage(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("app", "v")
	srv.Down()
	_, err := p.Fetch(t.Context(), ref("app"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), "503")
	srv.Up()
	v, err := p.Fetch(t.Context(), ref("app"))
	require.NoError(t, err)
	assert.Equal(t, "v", string(v.Data))
}

func checkNoCredentials(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrNoCredentials)
	assert.NotErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), `secret "app"`)
	assert.Contains(t, err.Error(), "az login", "the message says what to do")
}

// unavailable is a credential that has nothing to sign in with, built the
// way azidentity documents for custom credentials in a chain.
type unavailable struct{}

func (unavailable) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, azidentity.NewCredentialUnavailableError("unavailable: no identity configured")
}

// A credential that finds no identity is ErrNoCredentials, not
// ErrUnavailable: a deployment mistake to fix, not an outage to wait out.
func TestNoCredentials(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("app", "v")
	chain, err := azidentity.NewChainedTokenCredential([]azcore.TokenCredential{unavailable{}}, nil)
	require.NoError(t, err)
	p, err := azkv.NewDefault(azkv.WithCredential(chain), azkv.WithEndpoint(srv.VaultURL(azkvtest.DefaultVault)), azkv.WithClientOptions(srv.ClientOptions()))
	require.NoError(t, err)
	_, err = p.Fetch(t.Context(), ref("app"))
	checkNoCredentials(t, err)
	_, err = p.FetchPrevious(t.Context(), ref("app"))
	checkNoCredentials(t, err)
	assert.Zero(t, srv.Stats().Gets)
}

// NewDefault with DefaultAzureCredential and no identity to find. The
// credential reads the environment and runs the developer tools (az, azd,
// pwsh) by design, so the test runs in a child process with an environment
// of its own (this process's is never changed): no AZURE_* variable but
// AZURE_TOKEN_CREDENTIALS=dev, which leaves out managed identity and so
// any network probe, and a PATH where no tool is found.
func TestNewDefaultNoCredentials(t *testing.T) {
	if os.Getenv("AZKV_NOCREDS_CHILD") == "1" {
		srv := azkvtest.NewServer(t)
		srv.Set("app", "v")
		p, err := azkv.NewDefault(azkv.WithEndpoint(srv.VaultURL(azkvtest.DefaultVault)), azkv.WithClientOptions(srv.ClientOptions()))
		require.NoError(t, err)
		_, err = p.Fetch(t.Context(), ref("app"))
		checkNoCredentials(t, err)
		return
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNewDefaultNoCredentials$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AZURE_") && !strings.HasPrefix(kv, "IDENTITY_") && !strings.HasPrefix(kv, "MSI_") &&
			!strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "PATH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AZKV_NOCREDS_CHILD=1", "HOME="+t.TempDir(), "PATH="+t.TempDir(), "AZURE_TOKEN_CREDENTIALS=dev")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
}
