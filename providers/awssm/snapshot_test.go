package awssm_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
)

// TestSnapshotBootsThroughOutage is the outage end to end: a service
// boots and seals its secrets in a snapshot; Secrets Manager goes down
// (every request answered 503) and the service restarts: it boots from
// the snapshot, degraded; Secrets Manager comes back with a rotated
// secret and the first refresh serves the live value.
func TestSnapshotBootsThroughOutage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := fake(t)
	client := srv.Client()
	_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String(`{"password":"pw-Rk3mX9sQ","user":"app"}`)})
	require.NoError(t, err)
	type Config struct {
		Password driftless.Secret `env:"DB_PASSWORD" default:"awssm://prod/db#password"`
		User     string           `env:"DB_USER" default:"awssm://prod/db#user"`
	}
	keyFile := filepath.Join(t.TempDir(), "snapshot.key")
	require.NoError(t, os.WriteFile(keyFile, []byte("a-snapshot-key-of-32-bytes-or-more-Yw7"), 0o600))
	path := filepath.Join(t.TempDir(), "config.snap")
	opts := []driftless.Option{
		driftless.WithEnv(nil),
		driftless.WithProvider("awssm", awssm.New(client)),
		driftless.WithSnapshot(path, driftless.SnapshotKeyFile(keyFile), time.Hour),
		driftless.WithFetchTimeout(10 * time.Second),
		driftless.WithForceRefreshLimit(0),
	}
	h, err := driftless.NewHandle[Config](ctx, opts...)
	require.NoError(t, err)
	require.NoError(t, h.Close())
	sealed, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(sealed), "pw-Rk3mX9sQ")

	srv.Down()
	h, err = driftless.NewHandle[Config](ctx, opts...)
	require.NoError(t, err, "boots from the snapshot")
	defer h.Close()
	assert.Equal(t, "pw-Rk3mX9sQ", h.Current().Password.Value())
	assert.Equal(t, "app", h.Current().User)
	degraded, _ := h.Degraded()
	assert.True(t, degraded)

	srv.Up()
	rotate(t, client, "prod/db", `{"password":"pw-Tn6bV2cW","user":"app"}`)
	require.NoError(t, h.ForceRefresh(ctx))
	assert.Equal(t, "pw-Tn6bV2cW", h.Current().Password.Value())
	degraded, _ = h.Degraded()
	assert.False(t, degraded)

	// Denied is not an outage: the snapshot is not used.
	srv.FailSecret("prod/db", "AccessDeniedException")
	_, err = driftless.NewHandle[Config](ctx, opts...)
	assert.ErrorIs(t, err, driftless.ErrPermission)
}
