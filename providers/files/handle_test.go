//go:build unix

package files_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type appConfig struct {
	OpenAIKey  driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
	DBPassword driftless.Secret `env:"DB_PASSWORD"`
	Model      string           `env:"MODEL" default:"gpt-4-turbo"`
}

// startHandle builds a Handle over a files provider with a refresh interval
// of an hour, so that every change seen within the test comes from the
// watch, and returns it with channels fed by its hooks.
func startHandle(t *testing.T, env map[string]string, opts ...driftless.Option) (*driftless.Handle[appConfig], <-chan driftless.Change[appConfig], <-chan error) {
	t.Helper()
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	opts = append([]driftless.Option{
		driftless.WithEnv(env),
		driftless.WithProvider("file", p),
		driftless.WithRefreshInterval(time.Hour),
	}, opts...)
	h, err := driftless.NewHandle[appConfig](t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	changes := make(chan driftless.Change[appConfig], 16)
	errs := make(chan error, 16)
	h.OnChange(func(c driftless.Change[appConfig]) { changes <- c })
	h.OnError(func(err error) { errs <- err })
	require.NoError(t, h.Start(t.Context()))
	return h, changes, errs
}

func nextChange(t *testing.T, ch <-chan driftless.Change[appConfig]) driftless.Change[appConfig] {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("no change hook within %v", waitBound))
		return driftless.Change[appConfig]{}
	}
}

// TestHandleKubeletSwap: a Secret volume used as a directory source; a
// kubelet swap reaches Current and the change hooks at once, long before
// the hour-long refresh interval.
func TestHandleKubeletSwap(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"openai-api-key": []byte("sk-1"), "db-password": []byte("pw-1")})
	h, changes, _ := startHandle(t, nil, driftless.WithKeySource(files.Dir(vol.dir, files.WithDashedNames())))
	require.Equal(t, "sk-1", h.Current().OpenAIKey.Value())

	vol.set("openai-api-key", []byte("sk-2"))
	c := nextChange(t, changes)
	assert.Equal(t, []string{"OpenAIKey"}, c.Paths)
	assert.Equal(t, "sk-1", c.Old.OpenAIKey.Value())
	assert.Equal(t, "sk-2", c.New.OpenAIKey.Value())
	assert.Equal(t, "sk-2", h.Current().OpenAIKey.Value())
	assert.Equal(t, "pw-1", h.Current().DBPassword.Value())
	assert.Equal(t, "gpt-4-turbo", h.Current().Model)

	vol.set("db-password", []byte("pw-2"))
	c = nextChange(t, changes)
	assert.Equal(t, []string{"DBPassword"}, c.Paths)
	assert.Equal(t, "pw-2", h.Current().DBPassword.Value())
}

// TestHandleFileReference: file:// references (one JSON file, two keys)
// are watched the same way; a plain rewrite is picked up.
func TestHandleFileReference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"openai":"sk-1","db":"pw-1"}`), 0o600))
	h, changes, _ := startHandle(t, map[string]string{
		"OPENAI_API_KEY": "file://" + path + "#openai",
		"DB_PASSWORD":    "file://" + path + "#db",
	})
	require.Equal(t, "sk-1", h.Current().OpenAIKey.Value())

	require.NoError(t, os.WriteFile(path, []byte(`{"openai":"sk-2","db":"pw-2"}`), 0o600))
	// An in-place rewrite may be seen half-written (truncated): that pass
	// fails to decode and keeps the last good config; the next one swaps.
	c := nextChange(t, changes)
	assert.ElementsMatch(t, []string{"OpenAIKey", "DBPassword"}, c.Paths)
	assert.Equal(t, "sk-2", h.Current().OpenAIKey.Value())
	assert.Equal(t, "pw-2", h.Current().DBPassword.Value())
}

// TestHandleDeletedFileKeepsLastGood: a referenced file deleted keeps the
// last good config and reports the failure; recreated, it is picked up.
func TestHandleDeletedFileKeepsLastGood(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"openai-api-key": []byte("sk-1"), "other": []byte("x")})
	h, changes, errs := startHandle(t, map[string]string{"OPENAI_API_KEY": "file://" + vol.path("openai-api-key")})

	vol.remove("openai-api-key")
	select {
	case err := <-errs:
		require.ErrorIs(t, err, driver.ErrNotFound)
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("no error hook within %v after the file was deleted", waitBound))
	}
	assert.Equal(t, "sk-1", h.Current().OpenAIKey.Value(), "the last good config is kept")
	assert.Empty(t, changes)

	vol.set("openai-api-key", []byte("sk-2"))
	c := nextChange(t, changes)
	assert.Equal(t, []string{"OpenAIKey"}, c.Paths)
	assert.Equal(t, "sk-2", h.Current().OpenAIKey.Value())
}

// TestHandleKeyAppears: a key missing from the directory falls through to
// its default; when the file appears, the watch picks it up.
func TestHandleKeyAppears(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"OPENAI_API_KEY": []byte("sk-1")})
	h, changes, _ := startHandle(t, nil, driftless.WithKeySource(files.Dir(vol.dir)))
	require.Equal(t, "gpt-4-turbo", h.Current().Model)

	vol.set("MODEL", []byte("gpt-5"))
	c := nextChange(t, changes)
	assert.Equal(t, []string{"Model"}, c.Paths)
	assert.Equal(t, "gpt-5", h.Current().Model)
}

// TestHandleFileBecameFIFO: a referenced file replaced by a named pipe is
// reported by the watch as a failure (the last good config is kept), and
// ForceRefresh and Close return instead of waiting for a writer.
func TestHandleFileBecameFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "openai-api-key")
	require.NoError(t, os.WriteFile(path, []byte("sk-1"), 0o600))
	h, changes, errs := startHandle(t, map[string]string{"OPENAI_API_KEY": "file://" + path})

	// Renamed over the file, so that the watch never sees it missing.
	fifo := path + ".fifo"
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	require.NoError(t, os.Rename(fifo, path))
	select {
	case err := <-errs:
		require.ErrorIs(t, err, driver.ErrInvalidRef)
		assert.ErrorContains(t, err, path)
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("no error hook within %v after the file became a named pipe", waitBound))
	}

	returned := make(chan error, 1)
	go func() { returned <- h.ForceRefresh(t.Context()) }()
	select {
	case err := <-returned:
		require.ErrorIs(t, err, driver.ErrInvalidRef)
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("ForceRefresh blocked for %v on a named pipe", waitBound))
	}
	assert.Equal(t, "sk-1", h.Current().OpenAIKey.Value(), "the last good config is kept")
	assert.Empty(t, changes)

	go func() { returned <- h.Close() }()
	select {
	case err := <-returned:
		assert.NoError(t, err)
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("Close blocked for %v", waitBound))
	}
}
