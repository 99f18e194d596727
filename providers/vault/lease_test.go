//go:build unix

package vault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

// databaseEngine mounts the database secrets engine on srv, connected to pg,
// with a role "app" whose credentials live ttl.
func databaseEngine(t *testing.T, srv *devServer, pg *pgServer, ttl string) {
	t.Helper()
	ctx := t.Context()
	c := srv.Root
	require.NoError(t, c.Sys().MountWithContext(ctx, "database", &api.MountInput{Type: "database"}))
	_, err := c.Logical().WriteWithContext(ctx, "database/config/pg", map[string]any{
		"plugin_name":    "postgresql-database-plugin",
		"connection_url": fmt.Sprintf("postgresql://{{username}}:{{password}}@127.0.0.1:%d/postgres?sslmode=disable", pg.Port),
		"username":       "postgres",
		"password":       pg.Password,
		"allowed_roles":  "*",
	})
	require.NoError(t, err)
	databaseRole(t, srv, "app", ttl, ttl)
}

// databaseRole writes a role of the database engine whose credentials live
// ttl, renewable up to maxTTL.
func databaseRole(t *testing.T, srv *devServer, name, ttl, maxTTL string) {
	t.Helper()
	_, err := srv.Root.Logical().WriteWithContext(t.Context(), "database/roles/"+name, map[string]any{
		"db_name":             "pg",
		"creation_statements": []string{`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`},
		"default_ttl":         ttl,
		"max_ttl":             maxTTL,
	})
	require.NoError(t, err)
}

type dbCreds struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func decodeCreds(t *testing.T, v driver.Value) dbCreds {
	t.Helper()
	var c dbCreds
	require.NoError(t, json.Unmarshal(v.Data, &c))
	require.NotEmpty(t, c.Username)
	require.NotEmpty(t, c.Password)
	return c
}

// TestDatabaseLease reads dynamic PostgreSQL credentials: each read reports
// when its lease ends, a read before then returns new credentials that log
// in, and the old ones stop working when their lease ends.
func TestDatabaseLease(t *testing.T) {
	t.Parallel()
	pg := startPostgres(t)
	srv := startVault(t)
	ctx := t.Context()
	const ttl = 6 * time.Second
	databaseEngine(t, srv, pg, ttl.String())
	p, err := vault.New(srv.Client(t, srv.Token))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	ref := mustParse(t, "vault://database/creds/app")

	before := time.Now()
	v1, err := p.Fetch(ctx, ref)
	require.NoError(t, err)
	after := time.Now()
	assert.True(t, strings.HasPrefix(v1.Version, "database/creds/app/"), "Version is the lease ID")
	require.False(t, v1.Expires.IsZero(), "a leased secret reports when it expires")
	assert.False(t, v1.Expires.Before(before.Add(ttl-time.Second)), "Expires %v is before the lease's end", v1.Expires)
	assert.False(t, v1.Expires.After(after.Add(ttl)), "Expires %v is after the lease's end", v1.Expires)
	c1 := decodeCreds(t, v1)
	require.NoError(t, pgLogin(ctx, pg.Port, c1.Username, c1.Password), "the first credentials log in")

	// What a refresh does before Expires: read again, and get new credentials.
	v2, err := p.Fetch(ctx, ref)
	require.NoError(t, err)
	require.True(t, time.Now().Before(v1.Expires), "the test was too slow to re-read before the lease ended")
	c2 := decodeCreds(t, v2)
	assert.NotEqual(t, v1.Version, v2.Version, "a new lease")
	assert.NotEqual(t, c1.Username, c2.Username, "new credentials")
	assert.False(t, v2.Expires.Before(v1.Expires))
	require.NoError(t, pgLogin(ctx, pg.Port, c2.Username, c2.Password), "the new credentials log in")

	// Field selection works on the JSON data like on KV.
	user, err := driver.Select(v2.Data, "username")
	require.NoError(t, err)
	assert.Equal(t, c2.Username, string(user))

	// When the first lease ends, Vault revokes it and its role stops working.
	require.Eventually(t, func() bool {
		return pgLogin(ctx, pg.Port, c1.Username, c1.Password) != nil
	}, ttl+20*time.Second, 100*time.Millisecond, "the first credentials still log in after their lease ended")

	t.Run("UnknownRole", func(t *testing.T) {
		_, err := p.Fetch(ctx, mustParse(t, "vault://database/creds/nope"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "database/creds/nope")
		assert.Contains(t, err.Error(), `database mount "database/"`)
	})
	t.Run("RenewExtendsUntilMaxTTL", func(t *testing.T) {
		// Leases of 2s, renewable up to 5s: renewals keep the same
		// credentials working past their first end, until Vault grants too
		// little and Renew says to read new ones.
		databaseRole(t, srv, "renewable", "2s", "5s")
		ref := mustParse(t, "vault://database/creds/renewable")
		v, err := p.Fetch(ctx, ref)
		require.NoError(t, err)
		c := decodeCreds(t, v)
		firstEnd := v.Expires
		renewed, loggedInLate := 0, false
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for deadline := time.Now().Add(15 * time.Second); ; <-tick.C {
			require.True(t, time.Now().Before(deadline), "Renew never reported the max TTL")
			nv, err := p.Renew(ctx, ref, v)
			if errors.Is(err, vault.ErrNotRenewable) {
				assert.NotContains(t, err.Error(), c.Password)
				break
			}
			require.NoError(t, err)
			renewed++
			assert.Equal(t, v.Data, nv.Data)
			// Vault counts leases in whole seconds.
			assert.False(t, nv.Expires.Before(v.Expires.Add(-time.Second)), "a renewal shortened the lease")
			v = nv
			if !loggedInLate && time.Now().After(firstEnd.Add(500*time.Millisecond)) {
				require.NoError(t, pgLogin(ctx, pg.Port, c.Username, c.Password), "renewed credentials log in after their first end")
				loggedInLate = true
			}
		}
		assert.Positive(t, renewed)
		assert.True(t, loggedInLate, "renewals did not outlast the first lease")

		_, err = p.Renew(ctx, mustParse(t, "vault://secret/x"), driver.Value{Data: []byte("{}"), Version: "3"})
		require.ErrorIs(t, err, vault.ErrNotRenewable, "a KV value has no lease")
	})
	t.Run("VersionIsInvalid", func(t *testing.T) {
		_, err := p.Fetch(ctx, mustParse(t, "vault://database/creds/app?version=2"))
		require.ErrorIs(t, err, driver.ErrInvalidRef)
	})
}
