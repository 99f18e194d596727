package driftless_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

type snapConfig struct {
	Password driftless.Secret   `env:"PASSWORD" default:"sm://db#password"`
	User     string             `env:"USER_NAME" default:"sm://db#user"`
	APIKey   driftless.Rotating `env:"API_KEY" default:"sm://api"`
	Port     int                `env:"PORT" default:"8080"`
}

var (
	errDown   = fmt.Errorf("%w: dial tcp 127.0.0.1:1: connection refused", driftless.ErrUnavailable)
	snapValue = "k3y-material-that-is-at-least-32-bytes-long"
)

// snapFixture is a backend with the secrets of snapConfig and the options
// of a service that keeps a snapshot of them.
type snapFixture struct {
	sm   *drifttest.Provider
	path string
	env  map[string]string
}

func newSnapFixture(t *testing.T) *snapFixture {
	t.Helper()
	sm := drifttest.NewProvider()
	sm.Set("db", `{"password":"pw-Zq8vN3xL0p","user":"app-user-7Hk2"}`)
	sm.Set("api", "api-key-one-Wc5mR9")
	sm.Set("api", "api-key-two-Bt4yJ6")
	return &snapFixture{sm: sm, path: filepath.Join(t.TempDir(), "config.snap"), env: map[string]string{"SNAP_KEY": snapValue}}
}

func (f *snapFixture) opts(extra ...driftless.Option) []driftless.Option {
	return append([]driftless.Option{
		driftless.WithEnv(f.env),
		driftless.WithProvider("sm", f.sm),
		driftless.WithSnapshot(f.path, driftless.SnapshotKeyEnv("SNAP_KEY"), time.Hour),
		driftless.WithForceRefreshLimit(0),
	}, extra...)
}

func (f *snapFixture) file(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(f.path)
	require.NoError(t, err)
	return data
}

func TestSnapshotBootsThroughOutage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newSnapFixture(t)
	h, err := driftless.NewHandle[snapConfig](ctx, f.opts()...)
	require.NoError(t, err)
	degraded, _ := h.Degraded()
	assert.False(t, degraded)
	require.NoError(t, h.Close())

	// The backend goes down, the service restarts.
	f.sm.FailAll(errDown)
	h, err = driftless.NewHandle[snapConfig](ctx, f.opts()...)
	require.NoError(t, err, "boots from the snapshot")
	defer h.Close()
	cfg := h.Current()
	assert.Equal(t, "pw-Zq8vN3xL0p", cfg.Password.Value())
	assert.Equal(t, "app-user-7Hk2", cfg.User)
	assert.Equal(t, "api-key-two-Bt4yJ6", cfg.APIKey.Current().Value())
	assert.Equal(t, "api-key-one-Wc5mR9", cfg.APIKey.Previous().Value())
	assert.Equal(t, 8080, cfg.Port)
	degraded, written := h.Degraded()
	assert.True(t, degraded)
	assert.False(t, written.IsZero())
	assert.Equal(t, written, h.Report().Snapshot)
	sealed := f.file(t)

	// A refresh while it is still down fails (the snapshot is for booting
	// only: OnError hears of the outage), keeps the snapshot's values and
	// does not rewrite the snapshot from them.
	var hookErr error
	h.OnError(func(err error) { hookErr = err })
	assert.ErrorIs(t, h.ForceRefresh(ctx), driftless.ErrUnavailable)
	assert.ErrorIs(t, hookErr, driftless.ErrUnavailable)
	assert.Equal(t, "pw-Zq8vN3xL0p", h.Current().Password.Value())
	degraded, _ = h.Degraded()
	assert.True(t, degraded)
	assert.Equal(t, sealed, f.file(t), "a config from the snapshot is not written back")

	// The backend is back, with a rotated key: the first successful
	// refresh replaces the snapshot's values.
	f.sm.Set("api", "api-key-three-Pd8sE1")
	f.sm.FailAll(nil)
	require.NoError(t, h.ForceRefresh(ctx))
	assert.Equal(t, "api-key-three-Pd8sE1", h.Current().APIKey.Current().Value())
	degraded, _ = h.Degraded()
	assert.False(t, degraded)
	assert.NotEqual(t, sealed, f.file(t), "the live values are sealed")

	// LoadAs boots from it too.
	f.sm.FailAll(errDown)
	c, err := driftless.LoadAs[snapConfig](ctx, f.opts()...)
	require.NoError(t, err)
	assert.Equal(t, "api-key-three-Pd8sE1", c.APIKey.Current().Value())
}

func TestSnapshotEventsAndLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newSnapFixture(t)
	_, err := driftless.LoadAs[snapConfig](ctx, f.opts()...)
	require.NoError(t, err)
	f.sm.FailAll(errDown)
	var events []driftless.Event
	var log strings.Builder
	_, err = driftless.LoadAs[snapConfig](ctx, f.opts(
		driftless.WithMetrics(func(e driftless.Event) {
			if e.Kind == driftless.EventSnapshot {
				events = append(events, e)
			}
		}),
		driftless.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))...)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.NoError(t, events[0].Err)
	assert.Contains(t, log.String(), "serving values from the snapshot")
	assert.NotContains(t, log.String(), "pw-Zq8vN3xL0p")
}

func TestSnapshotNotUsedWhenDeniedOrNotFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		breaks func(*drifttest.Provider)
		is     error
	}{
		{"denied", func(p *drifttest.Provider) { p.Fail("db", driftless.ErrPermission); p.Fail("api", errDown) }, driftless.ErrPermission},
		{"not found", func(p *drifttest.Provider) { p.Delete("db"); p.Fail("api", errDown) }, driftless.ErrNotFound},
		{"no credentials", func(p *drifttest.Provider) { p.FailAll(driftless.ErrNoCredentials) }, driftless.ErrNoCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSnapFixture(t)
			_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
			require.NoError(t, err)
			tc.breaks(f.sm)
			_, err = driftless.NewHandle[snapConfig](t.Context(), f.opts()...)
			assert.ErrorIs(t, err, tc.is)
		})
	}
}

// TestSnapshotRefused: every snapshot that cannot be trusted is refused,
// with an error that says why and holds no value; the load fails.
func TestSnapshotRefused(t *testing.T) {
	t.Parallel()
	type other struct {
		Password driftless.Secret   `env:"PASSWORD" default:"sm://db#password"`
		User     string             `env:"USER_NAME" default:"sm://db#user"`
		APIKey   driftless.Rotating `env:"API_KEY" default:"sm://api"`
		Port     int                `env:"PORT" default:"8080"`
		Extra    string             `env:"EXTRA"`
	}
	for _, tc := range []struct {
		name   string
		breaks func(t *testing.T, f *snapFixture) error // returns the load's error
		reason string
	}{
		{"missing", func(t *testing.T, f *snapFixture) error {
			require.NoError(t, os.Remove(f.path))
			return loadErr[snapConfig](t, f)
		}, "none written yet"},
		{"corrupt", func(t *testing.T, f *snapFixture) error {
			data := f.file(t)
			data[len(data)-5] ^= 0x40
			require.NoError(t, os.WriteFile(f.path, data, 0o600))
			return loadErr[snapConfig](t, f)
		}, "authentication failed"},
		{"truncated", func(t *testing.T, f *snapFixture) error {
			require.NoError(t, os.WriteFile(f.path, f.file(t)[:20], 0o600))
			return loadErr[snapConfig](t, f)
		}, "not a driftless snapshot"},
		{"another type", func(t *testing.T, f *snapFixture) error {
			return loadErr[other](t, f)
		}, "another config type"},
		{"another set of references", func(t *testing.T, f *snapFixture) error {
			f.env["USER_NAME"] = "sm://staging-db#user"
			return loadErr[snapConfig](t, f)
		}, "another set of references"},
		{"wrong key", func(t *testing.T, f *snapFixture) error {
			f.env["SNAP_KEY"] = "another-key-material-that-is-32-bytes-or-more"
			return loadErr[snapConfig](t, f)
		}, "sealed with another key than the key variable SNAP_KEY"},
		{"readable by others", func(t *testing.T, f *snapFixture) error {
			require.NoError(t, os.Chmod(f.path, 0o644))
			return loadErr[snapConfig](t, f)
		}, "readable by other users"},
		{"short key", func(t *testing.T, f *snapFixture) error {
			f.env["SNAP_KEY"] = "short"
			return loadErr[snapConfig](t, f)
		}, "less than 32 bytes of key material"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSnapFixture(t)
			_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
			require.NoError(t, err)
			f.sm.FailAll(errDown)
			err = tc.breaks(t, f)
			var se *driftless.SnapshotError
			require.ErrorAs(t, err, &se)
			assert.ErrorIs(t, err, driftless.ErrSnapshot)
			assert.ErrorIs(t, err, driftless.ErrUnavailable, "the outage is reported too")
			assert.Equal(t, f.path, se.Path)
			assert.Contains(t, se.Reason, tc.reason)
			for _, v := range []string{"pw-Zq8vN3xL0p", "app-user-7Hk2", "api-key-two-Bt4yJ6", snapValue} {
				assert.NotContains(t, err.Error(), v)
			}
		})
	}
}

func loadErr[T any](t *testing.T, f *snapFixture) error {
	t.Helper()
	_, err := driftless.LoadAs[T](t.Context(), f.opts()...)
	require.Error(t, err)
	return err
}

func TestSnapshotExpired(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newSnapFixture(t)
		_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
		require.NoError(t, err)
		f.sm.FailAll(errDown)
		time.Sleep(59 * time.Minute)
		_, err = driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
		require.NoError(t, err, "within the maximum age")
		time.Sleep(2 * time.Minute)
		_, err = driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
		var se *driftless.SnapshotError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, se.Reason, "expired: written 1h1m0s ago")
		assert.Contains(t, se.Reason, "the maximum age is 1h0m0s")
	})
}

// TestSnapshotHoldsNoPlaintext: the file holds no value in any common
// encoding, is readable by its owner only, and no temporary file is left.
func TestSnapshotHoldsNoPlaintext(t *testing.T) {
	t.Parallel()
	f := newSnapFixture(t)
	_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts()...)
	require.NoError(t, err)
	data := f.file(t)
	for _, v := range []string{"pw-Zq8vN3xL0p", "app-user-7Hk2", "api-key-one-Wc5mR9", "api-key-two-Bt4yJ6", snapValue} {
		for _, enc := range []string{
			v,
			base64.StdEncoding.EncodeToString([]byte(v)),
			base64.RawStdEncoding.EncodeToString([]byte(v)),
			base64.URLEncoding.EncodeToString([]byte(v)),
			hex.EncodeToString([]byte(v)),
			v[2 : len(v)-2], // a part of it
		} {
			assert.NotContains(t, string(data), enc, "the snapshot holds a value")
		}
	}
	assert.NotContains(t, string(data), "sm://db", "not even the references")
	fi, err := os.Stat(f.path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(f.path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

// TestSnapshotWrittenOnlyWhenFetched: a refresh served from the cache does
// not rewrite the snapshot; one that fetched does.
func TestSnapshotWrittenOnlyWhenFetched(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newSnapFixture(t)
	h, err := driftless.NewHandle[snapConfig](ctx, f.opts()...)
	require.NoError(t, err)
	defer h.Close()
	first := f.file(t)
	require.NoError(t, h.Refresh(ctx))
	assert.Equal(t, first, f.file(t), "nothing fetched, nothing written")
	require.NoError(t, h.ForceRefresh(ctx))
	assert.NotEqual(t, first, f.file(t), "fetched again, sealed again (a fresh time and nonce)")
}

func TestSnapshotKeyPlacement(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := driftless.LoadAs[snapConfig](t.Context(), driftless.WithEnv(nil),
		driftless.WithSnapshot(filepath.Join(dir, "config.snap"), driftless.SnapshotKeyFile(filepath.Join(dir, "key")), time.Hour))
	assert.ErrorContains(t, err, "in the snapshot's directory")

	for _, tc := range []struct {
		name string
		opt  driftless.Option
	}{
		{"no path", driftless.WithSnapshot("", driftless.SnapshotKeyEnv("K"), time.Hour)},
		{"no age", driftless.WithSnapshot("x.snap", driftless.SnapshotKeyEnv("K"), 0)},
		{"no key", driftless.WithSnapshot("x.snap", driftless.SnapshotKey{}, time.Hour)},
		{"bad key ref", driftless.WithSnapshot("x.snap", driftless.SnapshotKeyRef("not a ref"), time.Hour)},
	} {
		_, err := driftless.LoadAs[snapConfig](t.Context(), driftless.WithEnv(nil), tc.opt)
		assert.ErrorContains(t, err, "WithSnapshot", tc.name)
	}
}

func TestSnapshotKeyFromFileAndRef(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(snapValue+"\n"), 0o600))
	keys := drifttest.NewProvider()
	keys.Set("snapshot", `{"key":"`+snapValue+`"}`)
	for _, tc := range []struct {
		name string
		key  driftless.SnapshotKey
	}{
		{"file", driftless.SnapshotKeyFile(keyFile)},
		{"ref", driftless.SnapshotKeyRef("keys://snapshot#key")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSnapFixture(t)
			opt := []driftless.Option{driftless.WithProvider("keys", keys), driftless.WithSnapshot(f.path, tc.key, time.Hour)}
			_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts(opt...)...)
			require.NoError(t, err)
			f.sm.FailAll(errDown)
			c, err := driftless.LoadAs[snapConfig](t.Context(), f.opts(opt...)...)
			require.NoError(t, err)
			assert.Equal(t, "pw-Zq8vN3xL0p", c.Password.Value())
		})
	}
}

// TestSnapshotKeyRefInTheBackendItStandsInFor: a key kept in the backend
// the snapshot stands in for is refused (it would be down with it).
func TestSnapshotKeyRefInTheBackendItStandsInFor(t *testing.T) {
	t.Parallel()
	f := newSnapFixture(t)
	f.sm.Set("snapshot", snapValue)
	_, err := driftless.LoadAs[snapConfig](t.Context(), f.opts(
		driftless.WithSnapshot(f.path, driftless.SnapshotKeyRef("sm://snapshot"), time.Hour))...)
	require.NoError(t, err, "a snapshot that cannot be written does not fail the load")
	_, err = os.Stat(f.path)
	assert.True(t, errors.Is(err, os.ErrNotExist), "nothing written")
	var got []error
	_, err = driftless.LoadAs[snapConfig](context.Background(), f.opts(
		driftless.WithSnapshot(f.path, driftless.SnapshotKeyRef("sm://snapshot"), time.Hour),
		driftless.WithMetrics(func(e driftless.Event) {
			if e.Kind == driftless.EventSnapshot {
				got = append(got, e.Err)
			}
		}))...)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], driftless.ErrNotAllowed)
	assert.ErrorContains(t, got[0], `scheme "sm" is one the snapshot stands in for`)
}

// TestSnapshotNotWrittenForRejectedCandidate: a config the gates refuse is
// never sealed, so the next boot cannot start from it.
func TestSnapshotNotWrittenForRejectedCandidate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newSnapFixture(t)
	gate := driftless.Gate(func(_ context.Context, c driftless.Change[snapConfig]) error {
		if c.New.APIKey.Current().Value() == "api-key-bad-Qx7" {
			return errors.New("the new key does not answer")
		}
		return nil
	})
	h, err := driftless.NewHandle[snapConfig](ctx, f.opts(gate)...)
	require.NoError(t, err)
	defer h.Close()
	sealed := f.file(t)

	f.sm.Set("api", "api-key-bad-Qx7")
	require.ErrorIs(t, h.ForceRefresh(ctx), driftless.ErrRejected)
	assert.Equal(t, sealed, f.file(t), "the rejected candidate was sealed")

	f.sm.Set("api", "api-key-good-Lm4")
	require.NoError(t, h.ForceRefresh(ctx))
	assert.NotEqual(t, sealed, f.file(t), "the admitted candidate is sealed")

	// At boot too: a rejected first config writes nothing.
	g := newSnapFixture(t)
	g.sm.Set("api", "api-key-bad-Qx7")
	_, err = driftless.NewHandle[snapConfig](ctx, g.opts(gate)...)
	require.ErrorIs(t, err, driftless.ErrRejected)
	_, statErr := os.Stat(g.path)
	assert.True(t, os.IsNotExist(statErr), "a snapshot was written at a rejected boot")
}
