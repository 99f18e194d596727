//go:build unix

package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/vault"
)

// TestHandleRotation: a new KV v2 version reaches a running service through
// driftless.Handle: the snapshot swaps, the change hook names the field, and
// the Rotating field holds the version before.
func TestHandleRotation(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	ctx := t.Context()
	kv := srv.Root.KVv2("secret")
	_, err := kv.Put(ctx, "app/webhook", map[string]any{"key": "k-1", "user": "svc"})
	require.NoError(t, err)
	p, err := vault.New(srv.Client(t, srv.Token))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })

	type Config struct {
		WebhookKey driftless.Rotating `env:"WEBHOOK_KEY" default:"vault://secret/app/webhook#key"`
		User       string             `env:"WEBHOOK_USER" default:"vault://secret/app/webhook#user"`
	}
	h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(map[string]string{}),
		driftless.WithProvider("vault", p), driftless.WithForceRefreshLimit(time.Nanosecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	require.Equal(t, "k-1", h.Current().WebhookKey.Current().Value())
	require.Equal(t, "svc", h.Current().User)

	changes := make(chan driftless.Change[Config], 4)
	h.OnChange(func(c driftless.Change[Config]) { changes <- c })

	_, err = kv.Put(ctx, "app/webhook", map[string]any{"key": "k-2", "user": "svc"})
	require.NoError(t, err)
	require.NoError(t, h.ForceRefresh(ctx))
	select {
	case c := <-changes:
		assert.Equal(t, []string{"WebhookKey"}, c.Paths)
		assert.Equal(t, "k-1", c.Old.WebhookKey.Current().Value())
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no change hook after a new KV version")
	}
	cur := h.Current().WebhookKey
	assert.Equal(t, "k-2", cur.Current().Value())
	assert.Equal(t, "k-1", cur.Previous().Value(), "the previous KV version feeds Rotating")
	assert.True(t, cur.Match(func(v string) bool { return v == "k-1" }), "both versions are accepted during the rotation")
}

// TestHandleLease: dynamic PostgreSQL credentials through driftless.Handle.
// The background refresh reads new credentials before the lease ends, the
// change hook fires, and the new credentials log in.
func TestHandleLease(t *testing.T) {
	t.Parallel()
	pg := startPostgres(t)
	srv := startVault(t)
	ctx := t.Context()
	const ttl = 6 * time.Second
	databaseEngine(t, srv, pg, ttl.String())
	p, err := vault.New(srv.Client(t, srv.Token))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })

	type Config struct {
		DB struct {
			User     string           `env:"USER" default:"vault://database/creds/app#username"`
			Password driftless.Secret `env:"PASSWORD" default:"vault://database/creds/app#password"`
		} `prefix:"DB_"`
	}
	start := time.Now()
	h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(map[string]string{}), driftless.WithProvider("vault", p))
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	first := h.Current().DB
	require.NoError(t, pgLogin(ctx, pg.Port, first.User, first.Password.Value()),
		"user and password come from one read of the lease")

	changes := make(chan driftless.Change[Config], 4)
	h.OnChange(func(c driftless.Change[Config]) { changes <- c })
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	require.NoError(t, h.Start(runCtx))

	select {
	case c := <-changes:
		assert.True(t, time.Now().Before(start.Add(ttl)), "the refresh came after the lease ended")
		assert.ElementsMatch(t, []string{"DB.User", "DB.Password"}, c.Paths)
	case <-time.After(2 * ttl):
		require.FailNow(t, "no change hook before the lease ended")
	}
	next := h.Current().DB
	assert.NotEqual(t, first.User, next.User)
	require.NoError(t, pgLogin(ctx, pg.Port, next.User, next.Password.Value()), "the new credentials log in")
}
