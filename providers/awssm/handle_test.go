package awssm_test

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
)

// TestHandleRotation is the rotation end to end: a running Handle whose
// config holds a Rotating webhook key and a JSON field; a new version is
// put and AWSCURRENT moved to it; the refresh swaps the snapshot, the
// change hook names the changed fields, and the rotation field holds the
// previous value too (AWSPREVIOUS).
func TestHandleRotation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) *secretsmanager.Client
	}{
		{"awssmtest", func(t *testing.T) *secretsmanager.Client { return fake(t).Client() }},
		{"moto", func(t *testing.T) *secretsmanager.Client { return motoClient(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := tc.client(t)
			ctx := t.Context()
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/hooks"), SecretString: aws.String(`{"signing":"sig-one","user":"app"}`)})
			require.NoError(t, err)
			type Config struct {
				Signing driftless.Rotating `env:"SIGNING" default:"awssm://prod/hooks?version-stage=AWSCURRENT#signing"`
				User    string             `env:"USER_NAME" default:"awssm://prod/hooks#user"`
			}
			h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(nil), driftless.WithProvider("awssm", awssm.New(client)))
			require.NoError(t, err)
			defer h.Close()
			assert.Equal(t, "sig-one", h.Current().Signing.Current().Value())
			assert.False(t, h.Current().Signing.Previous().IsSet(), "no previous version before the first rotation")

			var mu sync.Mutex
			var changed [][]string
			h.OnChange(func(c driftless.Change[Config]) { mu.Lock(); changed = append(changed, c.Paths); mu.Unlock() })
			rotate(t, client, "prod/hooks", `{"signing":"sig-two","user":"app"}`)
			require.NoError(t, h.ForceRefresh(ctx))

			cfg := h.Current()
			assert.Equal(t, "sig-two", cfg.Signing.Current().Value())
			assert.Equal(t, "sig-one", cfg.Signing.Previous().Value(), "the rotation window accepts the old key too")
			assert.True(t, cfg.Signing.Match(func(v string) bool { return v == "sig-one" }))
			assert.Equal(t, "app", cfg.User)
			mu.Lock()
			assert.Equal(t, [][]string{{"Signing"}}, changed)
			mu.Unlock()
		})
	}
}
