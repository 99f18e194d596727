package vault_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

func mustParse(t *testing.T, s string) driver.Ref {
	t.Helper()
	r, err := driver.ParseRef(s)
	require.NoError(t, err)
	return r
}

// fetchKey fetches ref and applies its Key, as driftless does.
func fetchKey(ctx context.Context, p driver.Provider, ref driver.Ref) (driver.Value, string, error) {
	v, err := p.Fetch(ctx, ref.Secret())
	if err != nil {
		return v, "", err
	}
	data, err := driver.Select(v.Data, ref.Key)
	return v, string(data), err
}

// TestKV covers what the conformance suite does not: KV v2 versions,
// deletions and the previous version, detection per mount, and key
// selection from the JSON map.
func TestKV(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	ctx := t.Context()
	kv2 := srv.Root.KVv2("secret")
	for i, pw := range []string{"pw-1", "pw-2", "pw-3", "pw-4"} {
		_, err := kv2.Put(ctx, "app/db", map[string]any{"user": "app", "password": pw, "port": 5432 + i})
		require.NoError(t, err)
	}
	require.NoError(t, kv2.DeleteVersions(ctx, "app/db", []int{3}))
	require.NoError(t, kv2.Destroy(ctx, "app/db", []int{2}))
	_, err := kv2.Put(ctx, "app/single", map[string]any{"k": "only"})
	require.NoError(t, err)
	require.NoError(t, srv.Root.KVv1("kv1").Put(ctx, "app/db", map[string]any{"password": "v1-pw"}))
	// A second KV v2 mount with a slash in its path.
	require.NoError(t, srv.Root.Sys().MountWithContext(ctx, "team/kv", &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}}))
	_, err = srv.Root.KVv2("team/kv").Put(ctx, "svc", map[string]any{"token": "t-1"})
	require.NoError(t, err)

	p, err := vault.New(srv.Client(t, srv.Token))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })

	for _, tc := range []struct {
		ref     string
		want    string
		version string
		err     error
	}{
		{ref: "vault://secret/app/db#password", want: "pw-4", version: "4"},
		{ref: "vault://secret/app/db#port", want: "5435", version: "4"},
		{ref: "vault://secret/app/db?version=1#password", want: "pw-1", version: "1"},
		{ref: "vault://secret/app/db?version=0#password", want: "pw-4", version: "4"},
		{ref: "vault://secret/app/db?version=3#password", err: driver.ErrPermission}, // deleted: it exists
		{ref: "vault://secret/app/db?version=2#password", err: driver.ErrPermission}, // destroyed: it exists
		{ref: "vault://secret/app/db?version=99#password", err: driver.ErrNotFound},  // never written
		{ref: "vault://secret/app/db#no-such-field", err: driver.ErrNotFound},
		{ref: "vault://secret/app/nope#password", err: driver.ErrNotFound},
		{ref: "vault://kv1/app/db#password", want: "v1-pw"},
		{ref: "vault://kv1/app/db?version=1#password", err: driver.ErrInvalidRef},
		{ref: "vault://kv1/app/nope#password", err: driver.ErrNotFound},
		{ref: "vault://team/kv/svc#token", want: "t-1", version: "1"},
		{ref: "vault://no-such-mount/x#y", err: driver.ErrNotFound},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			v, got, err := fetchKey(ctx, p, mustParse(t, tc.ref))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				var keyErr *driver.KeyError
				if !errors.As(err, &keyErr) { // a KeyError comes from Select, after the provider
					assert.Contains(t, err.Error(), mustParse(t, tc.ref).Name, "the error names the path")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.version, v.Version)
			if tc.version != "" {
				assert.False(t, v.Created.IsZero(), "KV v2 reports the creation time")
			}
			assert.True(t, v.Expires.IsZero(), "KV values do not expire")
		})
	}

	t.Run("FetchPreviousSkipsDeletedAndDestroyed", func(t *testing.T) {
		for _, tc := range []struct {
			ref, want, version string
			err                error
		}{
			{ref: "vault://secret/app/db", want: "pw-1", version: "1"}, // 3 deleted, 2 destroyed
			// The pinned version itself was destroyed: it exists and cannot
			// be served, so its predecessor is not looked for.
			{ref: "vault://secret/app/db?version=2", err: driver.ErrPermission},
			{ref: "vault://secret/app/single", err: driver.ErrNotFound},
			{ref: "vault://kv1/app/db", err: driver.ErrNotFound},
		} {
			v, err := p.FetchPrevious(ctx, mustParse(t, tc.ref))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err, tc.ref)
				continue
			}
			require.NoError(t, err, tc.ref)
			got, err := driver.Select(v.Data, "password")
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got), tc.ref)
			assert.Equal(t, tc.version, v.Version, tc.ref)
		}
	})

	t.Run("RotationSeenWithPrevious", func(t *testing.T) {
		ref := mustParse(t, "vault://secret/rotating#key")
		_, err := kv2.Put(ctx, "rotating", map[string]any{"key": "old"})
		require.NoError(t, err)
		v1, got, err := fetchKey(ctx, p, ref)
		require.NoError(t, err)
		require.Equal(t, "old", got)
		_, err = kv2.Put(ctx, "rotating", map[string]any{"key": "new"})
		require.NoError(t, err)
		v2, got, err := fetchKey(ctx, p, ref)
		require.NoError(t, err)
		assert.Equal(t, "new", got)
		assert.NotEqual(t, v1.Version, v2.Version)
		prev, err := p.FetchPrevious(ctx, ref.Secret())
		require.NoError(t, err)
		old, err := driver.Select(prev.Data, "key")
		require.NoError(t, err)
		assert.Equal(t, "old", string(old))
		assert.Equal(t, v1.Version, prev.Version)
	})

	t.Run("BadReferences", func(t *testing.T) {
		for _, ref := range []driver.Ref{
			{Scheme: "vault", Name: "secret"},
			{Scheme: "vault", Name: "secret//x"},
			{Scheme: "vault", Name: "secret/../sys/x"},
			{Scheme: "vault", Name: "secret/x", Query: "version=-1"},
			{Scheme: "vault", Name: "secret/x", Query: "version=abc"},
			{Scheme: "vault", Name: "secret/x", Query: "stage=prev"},
		} {
			_, err := p.Fetch(ctx, ref)
			assert.ErrorIs(t, err, driver.ErrInvalidRef, "%+v", ref)
		}
	})
}

// TestErrors checks each failure's sentinel, and that the error names the
// path but carries no value.
func TestErrors(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	ctx := t.Context()
	const value = "s3cr3t-value-never-in-errors"
	_, err := srv.Root.KVv2("secret").Put(ctx, "app/db", map[string]any{"password": value})
	require.NoError(t, err)
	_, err = srv.Root.KVv2("secret").Put(ctx, "other/db", map[string]any{"password": value})
	require.NoError(t, err)
	limited := srv.TokenWithPolicy(t, `path "secret/data/app/*" { capabilities = ["read"] }`)

	newProvider := func(t *testing.T, c *api.Client) *vault.Provider {
		p, err := vault.New(c)
		require.NoError(t, err)
		t.Cleanup(func() { _ = p.Close() })
		return p
	}
	unreachable := func(t *testing.T) *api.Client {
		cfg := api.DefaultConfig()
		cfg.Address = fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		cfg.MaxRetries = 0
		c, err := api.NewClient(cfg)
		require.NoError(t, err)
		return c
	}

	for _, tc := range []struct {
		name   string
		client func(t *testing.T) *api.Client
		ref    string
		err    error
		notErr []error
	}{
		{"Allowed", func(t *testing.T) *api.Client { return srv.Client(t, limited) }, "vault://secret/app/db#password", nil, nil},
		{"PermissionDenied", func(t *testing.T) *api.Client { return srv.Client(t, limited) }, "vault://secret/other/db#password", driver.ErrPermission, []error{driver.ErrNotFound}},
		{"BadToken", func(t *testing.T) *api.Client { return srv.Client(t, "not-a-token") }, "vault://secret/app/db#password", driver.ErrPermission, []error{driver.ErrNotFound}},
		{"Missing", func(t *testing.T) *api.Client { return srv.Client(t, limited) }, "vault://secret/app/none#password", driver.ErrNotFound, nil},
		{"NoToken", func(t *testing.T) *api.Client { return srv.Client(t, "") }, "vault://secret/app/db#password", driver.ErrNoCredentials, []error{driver.ErrNotFound, driver.ErrUnavailable}},
		{"Unreachable", unreachable, "vault://secret/app/db#password", driver.ErrUnavailable, []error{driver.ErrNotFound}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t, tc.client(t))
			_, got, err := fetchKey(ctx, p, mustParse(t, tc.ref))
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, value, got)
				return
			}
			require.ErrorIs(t, err, tc.err)
			for _, e := range tc.notErr {
				assert.NotErrorIs(t, err, e)
			}
			assert.Contains(t, err.Error(), strings.SplitN(strings.TrimPrefix(tc.ref, "vault://"), "#", 2)[0])
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), value)
		})
	}

	t.Run("Sealed", func(t *testing.T) {
		srv := startVault(t) // sealing is for good: a server of its own
		_, err := srv.Root.KVv2("secret").Put(ctx, "app/db", map[string]any{"password": value})
		require.NoError(t, err)
		p := newProvider(t, srv.Client(t, srv.Token))
		_, _, err = fetchKey(ctx, p, mustParse(t, "vault://secret/app/db#password")) // mount now cached
		require.NoError(t, err)
		require.NoError(t, srv.Root.Sys().SealWithContext(ctx))
		_, _, err = fetchKey(ctx, p, mustParse(t, "vault://secret/app/db#password"))
		require.ErrorIs(t, err, driver.ErrUnavailable)
		assert.NotErrorIs(t, err, driver.ErrNotFound)
		assert.Contains(t, err.Error(), "sealed")
		assert.Contains(t, err.Error(), "secret/app/db")
		// Uncached mount: detection fails the same way.
		_, err = newProvider(t, srv.Client(t, srv.Token)).Fetch(ctx, mustParse(t, "vault://secret/app/db"))
		require.ErrorIs(t, err, driver.ErrUnavailable)
	})

	t.Run("CancelledContextIsNotUnavailable", func(t *testing.T) {
		p := newProvider(t, srv.Client(t, srv.Token))
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := p.Fetch(c, mustParse(t, "vault://secret/app/db"))
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, errors.Is(err, driver.ErrUnavailable) || errors.Is(err, driver.ErrNotFound))
	})
}
