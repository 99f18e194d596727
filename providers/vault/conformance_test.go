package vault_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
	"github.com/driftless/driftless/providertest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	for _, tc := range []struct {
		name  string
		mount string
		put   func(ctx context.Context, name string, data []byte) error
		kv1   bool
		// unservable soft-deletes the current KV v2 version, as `vault kv
		// delete` does: Vault then answers 404 with the version's
		// metadata. KV v1 deletes for good, so it has no such state.
		unservable func(ctx context.Context, name string) error
	}{
		{"KVv2", "secret", func(ctx context.Context, name string, data []byte) error {
			_, err := srv.Root.KVv2("secret").Put(ctx, name, map[string]any{"value": string(data)})
			return err
		}, false, func(ctx context.Context, name string) error {
			return srv.Root.KVv2("secret").Delete(ctx, name)
		}},
		{"KVv1", "kv1", func(ctx context.Context, name string, data []byte) error {
			return srv.Root.KVv1("kv1").Put(ctx, name, map[string]any{"value": string(data)})
		}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			providertest.Run(t, func(t *testing.T) providertest.Backend {
				p, err := vault.New(srv.Client(t, srv.Token))
				require.NoError(t, err)
				t.Cleanup(func() { _ = p.Close() })
				return providertest.Backend{
					Provider: p,
					Put:      tc.put,
					Ref: func(name string) driver.Ref {
						return driver.Ref{Scheme: "vault", Name: tc.mount + "/" + name, Key: "value"}
					},
					NoBinary:   true, // KV stores JSON strings
					NoVersions: tc.kv1,
					NoHistory:  tc.kv1, // KV v1 keeps no history
					Unservable: tc.unservable,
				}
			})
		})
	}
}
