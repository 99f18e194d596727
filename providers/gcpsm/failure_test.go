package gcpsm_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providertest"
)

// disableLatest is the providertest Unservable hook: it disables the
// latest version of the secret through the official client, as an
// operator does (gcloud secrets versions disable).
func disableLatest(c *secretmanager.Client, secretName func(string) string) func(ctx context.Context, name string) error {
	return func(ctx context.Context, name string) error {
		v, err := c.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: secretName(name) + "/versions/latest"})
		if err != nil {
			return err
		}
		_, err = c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v.GetName()})
		return err
	}
}

// The issue: behind gcpsm.Keys, a disabled secret quietly yielded the
// default tag, because a disabled version was "not found". It is refused.
func TestDisabledSecretBehindKeys(t *testing.T) {
	t.Parallel()
	srv, client, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "openai-key", []byte(providertest.Canary)))
	keys := gcpsm.Keys(project, map[string]string{"OPENAI_API_KEY": "openai-key", "OTHER": "no-such-secret"})
	r, ok := keys.RefFor("OPENAI_API_KEY")
	require.True(t, ok)
	require.NoError(t, disableLatest(client, func(n string) string { return "projects/" + project + "/secrets/" + n })(ctx, "openai-key"))

	_, err := p.Fetch(ctx, r.Secret())
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrPermission)
	assert.NotErrorIs(t, err, driver.ErrNotFound, "a disabled secret must not fall through to the default")
	assert.NotContains(t, err.Error(), providertest.Canary)

	r, _ = keys.RefFor("OTHER")
	_, err = p.Fetch(ctx, r.Secret())
	assert.ErrorIs(t, err, driver.ErrNotFound, "only a secret that does not exist falls through")
}

// A proxy or Google's front end may answer 401 or 403 with an HTML page
// instead of gRPC: the client turns the status into a code, and the
// provider reports a refusal, never an outage or a missing secret.
func TestDenialWithForeignBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		code   codes.Code
	}{
		{http.StatusUnauthorized, codes.Unauthenticated},
		{http.StatusForbidden, codes.PermissionDenied},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			srv, _, p := setup(t)
			require.NoError(t, srv.Put(t.Context(), "app", []byte(providertest.Canary)))
			srv.FailRaw(tc.status, "text/html; charset=UTF-8", "<!DOCTYPE html><html><body><h1>Error: Forbidden</h1>"+providertest.Canary+"</body></html>")
			for name, fetch := range map[string]func(context.Context, driver.Ref) (driver.Value, error){"Fetch": p.Fetch, "FetchPrevious": p.FetchPrevious} {
				_, err := fetch(t.Context(), ref(project+"/app"))
				require.Error(t, err, name)
				assert.ErrorIs(t, err, driver.ErrPermission, name)
				assert.NotErrorIs(t, err, driver.ErrUnavailable, name)
				assert.NotErrorIs(t, err, driver.ErrNotFound, name)
				assert.Equal(t, tc.code, status.Code(err), name)
				assert.Contains(t, err.Error(), "projects/"+project+"/secrets/app", name)
				assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), providertest.Canary, name)
			}
			srv.FailRaw(0, "", "")
			_, err := p.Fetch(t.Context(), ref(project+"/app"))
			assert.NoError(t, err)
		})
	}
}

// Down and Up take the fake's whole endpoint down and back, seen through
// the official client and the provider.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv, _, p := setup(t)
	require.NoError(t, srv.Put(t.Context(), "app", []byte("v")))
	srv.ResetRequests()

	srv.Down()
	_, err := p.Fetch(t.Context(), ref(project+"/app"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Equal(t, codes.Unavailable, status.Code(err))
	assert.Equal(t, 1, srv.Requests("AccessSecretVersion"), "calls are counted while down")

	srv.Up()
	v, err := p.Fetch(t.Context(), ref(project+"/app"))
	require.NoError(t, err)
	assert.Equal(t, "v", string(v.Data))
}

// Application Default Credentials that find nothing are ErrNoCredentials,
// with the library's error and what to set. ADC reads the environment and
// the home directory by design, so the test runs NewFromDefault in a child
// process with an empty HOME and no GOOGLE_* variable (this process's
// environment is never changed). ADC then probes the metadata server of
// Google Cloud (169.254.169.254, metadata.google.internal), which answers
// nothing outside Google Cloud.
func TestNewFromDefaultNoCredentials(t *testing.T) {
	if os.Getenv("GCPSM_NOCREDS_CHILD") == "1" {
		_, err := gcpsm.NewFromDefault(t.Context())
		require.Error(t, err)
		assert.ErrorIs(t, err, driver.ErrNoCredentials)
		assert.NotErrorIs(t, err, driver.ErrUnavailable)
		assert.Contains(t, err.Error(), "GOOGLE_APPLICATION_CREDENTIALS", "the message says what to set")
		assert.Contains(t, err.Error(), "could not find default credentials", "the library's error is kept")
		return
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNewFromDefaultNoCredentials$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOOGLE_") && !strings.HasPrefix(kv, "GCE_") && !strings.HasPrefix(kv, "CLOUDSDK_") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GCPSM_NOCREDS_CHILD=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
}
