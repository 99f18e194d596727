package vault_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

var update = flag.Bool("update", false, "rewrite the golden files of the policy tests")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs (go test -update rewrites it)", path)
}

// TestPolicyGolden checks the policies of KV v2, KV v1, nested and dynamic
// mounts against golden files.
func TestPolicyGolden(t *testing.T) {
	reads := []driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Previous: true, Fields: []string{"DB.User", "DB.Password"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app", Query: "version=3"}, Fields: []string{"Old"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "kv1/legacy"}, Fields: []string{"Legacy"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "team/kv/api"}, Fields: []string{"API"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "database/creds/app"}, Fields: []string{"Postgres"}},
		{Ref: driver.Ref{Scheme: "awssm", Name: "prod/db"}, Fields: []string{"Other"}},
	}
	opts := vault.PolicyOptions{Mounts: map[string]vault.Engine{"kv1": vault.KV1, "team/kv/": vault.KV2, "database/": vault.Dynamic}}
	got, err := vault.Policy(reads, opts)
	require.NoError(t, err)
	golden(t, "policy/mounts.hcl", got)

	got, err = vault.Policy(reads[:2], vault.PolicyOptions{})
	require.NoError(t, err)
	golden(t, "policy/kv2.hcl", got)
}

// TestPolicyErrors names the fields of a malformed reference, never the
// reference.
func TestPolicyErrors(t *testing.T) {
	_, err := vault.Policy([]driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/../s3cr3t"}, Fields: []string{"DB"}},
	}, vault.PolicyOptions{})
	require.ErrorIs(t, err, driftless.ErrInvalidRef)
	assert.Contains(t, err.Error(), "DB")
	assert.NotContains(t, err.Error(), "s3cr3t")
}

// policyConfig reads a KV v2 secret's current and previous versions, a
// pinned version and a KV v1 secret.
type policyConfig struct {
	User     string             `env:"USER" default:"vault://secret/app#user"`
	Password driftless.Rotating `env:"PASSWORD" default:"vault://secret/app#password"`
	Pinned   string             `env:"PINNED" default:"vault://secret/pinned?version=1#v"`
	Legacy   string             `env:"LEGACY" default:"vault://kv1/legacy#v"`
}

// TestPolicyVault applies the generated policy on a real Vault dev server:
// a token with only that policy (not even Vault's default one) loads the
// config, and reading a path outside it is denied.
func TestPolicyVault(t *testing.T) {
	srv := startVault(t)
	ctx := t.Context()
	root := srv.Root
	for _, v := range []string{"u1", "u2"} {
		_, err := root.KVv2("secret").Put(ctx, "app", map[string]any{"user": v, "password": "p-" + v})
		require.NoError(t, err)
	}
	_, err := root.KVv2("secret").Put(ctx, "pinned", map[string]any{"v": "x"})
	require.NoError(t, err)
	_, err = root.KVv2("secret").Put(ctx, "other", map[string]any{"v": "y"})
	require.NoError(t, err)
	require.NoError(t, root.KVv1("kv1").Put(ctx, "legacy", map[string]any{"v": "z"}))
	require.NoError(t, root.KVv1("kv1").Put(ctx, "other", map[string]any{"v": "w"}))

	reads, err := driftless.Reads(t.Context(), &policyConfig{}, driftless.WithEnv(map[string]string{}))
	require.NoError(t, err)
	policy, err := vault.Policy(reads, vault.PolicyOptions{Mounts: map[string]vault.Engine{"kv1/": vault.KV1}})
	require.NoError(t, err)
	require.NoError(t, root.Sys().PutPolicyWithContext(ctx, "generated", string(policy)))
	sec, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{"generated"}, NoDefaultPolicy: true, TTL: "1h"})
	require.NoError(t, err)
	client := srv.Client(t, sec.Auth.ClientToken)

	p, err := vault.New(client)
	require.NoError(t, err)
	var cfg policyConfig
	require.NoError(t, driftless.Load(ctx, &cfg, driftless.WithEnv(map[string]string{}), driftless.WithProvider("vault", p)))
	assert.Equal(t, "u2", cfg.User)
	assert.True(t, cfg.Password.Current().Value() == "p-u2" && cfg.Password.Previous().Value() == "p-u1", "the current and previous passwords")
	assert.Equal(t, "x", cfg.Pinned)
	assert.Equal(t, "z", cfg.Legacy)

	for _, outside := range []string{"vault://secret/other#v", "vault://kv1/other#v"} {
		ref, err := driver.ParseRef(outside)
		require.NoError(t, err)
		_, err = p.Fetch(ctx, ref)
		assert.ErrorIs(t, err, driftless.ErrPermission, outside)
	}
	_, err = client.Logical().ReadWithContext(ctx, "secret/metadata/app")
	assert.Error(t, err, "metadata is not granted")
}
