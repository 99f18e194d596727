package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

// appRole enables AppRole on srv with a role whose tokens live ttl (renewable
// up to maxTTL) and may read secret/data/app/*, and returns its role ID and
// a secret ID.
func appRole(t testing.TB, srv *devServer, ttl, maxTTL string) (roleID, secretID string) {
	t.Helper()
	ctx := t.Context()
	c := srv.Root
	require.NoError(t, c.Sys().EnableAuthWithOptionsWithContext(ctx, "approle", &api.EnableAuthOptions{Type: "approle"}))
	require.NoError(t, c.Sys().PutPolicyWithContext(ctx, "app", `path "secret/data/app/*" { capabilities = ["read"] }`))
	_, err := c.Logical().WriteWithContext(ctx, "auth/approle/role/app", map[string]any{
		"token_policies": "app", "token_ttl": ttl, "token_max_ttl": maxTTL,
	})
	require.NoError(t, err)
	s, err := c.Logical().ReadWithContext(ctx, "auth/approle/role/app/role-id")
	require.NoError(t, err)
	roleID = s.Data["role_id"].(string)
	s, err = c.Logical().WriteWithContext(ctx, "auth/approle/role/app/secret-id", nil)
	require.NoError(t, err)
	return roleID, s.Data["secret_id"].(string)
}

func TestAppRole(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	ctx := t.Context()
	_, err := srv.Root.KVv2("secret").Put(ctx, "app/api", map[string]any{"key": "k-1"})
	require.NoError(t, err)
	// Tokens live 2s and can be renewed up to 4s: the Provider must renew,
	// then log in again, with no read to prompt it.
	roleID, secretID := appRole(t, srv, "2s", "4s")
	ref := mustParse(t, "vault://secret/app/api#key")

	t.Run("LoginAndKeepAlive", func(t *testing.T) {
		method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: secretID})
		require.NoError(t, err)
		base := srv.Client(t, "")
		p, err := vault.New(base, vault.WithAuth(method))
		require.NoError(t, err)
		_, got, err := fetchKey(ctx, p, ref)
		require.NoError(t, err)
		assert.Equal(t, "k-1", got)
		assert.Empty(t, base.Token(), "the caller's client is left untouched")
		first := p.Client().Token()
		require.NotEmpty(t, first)

		// Past the max TTL of the first token, a new one is in place.
		require.Eventually(t, func() bool { return p.Client().Token() != first }, 20*time.Second, 50*time.Millisecond,
			"no new login before the first token's max TTL")
		require.Eventually(t, func() bool {
			_, err := srv.Root.Auth().Token().LookupWithContext(ctx, first)
			return err != nil
		}, 20*time.Second, 50*time.Millisecond, "the first token should expire at its max TTL")
		_, got, err = fetchKey(ctx, p, ref)
		require.NoError(t, err)
		assert.Equal(t, "k-1", got)

		require.NoError(t, p.Close())
		require.NoError(t, p.Close())
		_, err = p.Fetch(ctx, ref.Secret())
		require.ErrorIs(t, err, driver.ErrClosed)
	})

	t.Run("RevokedTokenLogsInAgain", func(t *testing.T) {
		method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: secretID})
		require.NoError(t, err)
		p, err := vault.New(srv.Client(t, ""), vault.WithAuth(method))
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		_, _, err = fetchKey(ctx, p, ref)
		require.NoError(t, err)
		require.NoError(t, srv.Root.Auth().Token().RevokeTreeWithContext(ctx, p.Client().Token()))
		_, got, err := fetchKey(ctx, p, ref)
		require.NoError(t, err, "a 403 after revocation triggers one new login")
		assert.Equal(t, "k-1", got)
	})

	t.Run("BadSecretID", func(t *testing.T) {
		const bad = "00000000-bad0-secret-id00-000000000000"
		method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: bad})
		require.NoError(t, err)
		p, err := vault.New(srv.Client(t, ""), vault.WithAuth(method))
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		_, err = p.Fetch(ctx, ref.Secret())
		require.ErrorIs(t, err, driver.ErrPermission)
		assert.NotContains(t, err.Error(), bad)
	})

	t.Run("LoginHonoursContext", func(t *testing.T) {
		method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: secretID})
		require.NoError(t, err)
		p, err := vault.New(srv.Client(t, ""), vault.WithAuth(method))
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err = p.Fetch(c, ref.Secret())
		require.ErrorIs(t, err, context.Canceled)
	})
}
