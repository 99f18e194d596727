//go:build unix

package driftless_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/configfile"
)

// fileWaitBound bounds a call that must return at once; it is reached only
// when the call hangs, which is the failure these tests look for.
const fileWaitBound = 10 * time.Second

// returnsWithin runs fn and fails the test if it has not returned within
// fileWaitBound.
func returnsWithin(t *testing.T, what string, fn func() error) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(fileWaitBound):
		require.FailNow(t, fmt.Sprintf("%s did not return within %v", what, fileWaitBound))
		return nil
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

type fileConfig struct {
	Key driftless.Secret `env:"KEY" required:"true"`
}

// TestFileReaderFIFODoesNotHangLoad: a NAME_FILE or file:// reference to
// a named pipe with no writer fails at once, naming the path, instead of
// hanging Load past its boot timeout.
func TestFileReaderFIFODoesNotHangLoad(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)
	for name, env := range map[string]map[string]string{
		"NAME_FILE": {"KEY_FILE": fifo},
		"file://":   {"KEY": "file://" + fifo},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := returnsWithin(t, "Load", func() error {
				return driftless.Load(t.Context(), &fileConfig{}, driftless.WithEnv(env), driftless.WithFetchTimeout(200*time.Millisecond))
			})
			require.ErrorIs(t, err, driftless.ErrInvalidRef)
			assert.ErrorContains(t, err, fifo)
			assert.ErrorContains(t, err, "named pipe")
		})
	}
}

// TestFileReaderRejectsDevices: /dev/zero would be read until memory runs
// out; no device is read at all.
func TestFileReaderRejectsDevices(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("unix devices")
	}
	for _, dev := range []string{"/dev/zero", "/dev/null"} {
		t.Run(dev, func(t *testing.T) {
			t.Parallel()
			err := returnsWithin(t, "Load", func() error {
				return driftless.Load(t.Context(), &fileConfig{}, driftless.WithEnv(map[string]string{"KEY_FILE": dev}))
			})
			require.ErrorIs(t, err, driftless.ErrInvalidRef)
			assert.ErrorContains(t, err, dev)
			assert.ErrorContains(t, err, "device")
		})
	}
}

func TestFileReaderSizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const mib = 1 << 20
	atLimit := filepath.Join(dir, "at-limit")
	require.NoError(t, os.WriteFile(atLimit, bytes.Repeat([]byte("x"), mib), 0o600))
	over := filepath.Join(dir, "over")
	require.NoError(t, os.WriteFile(over, bytes.Repeat([]byte("x"), mib+1), 0o600))
	small := filepath.Join(dir, "small")
	require.NoError(t, os.WriteFile(small, []byte("0123456789A"), 0o600))
	inMemory := driftless.WithReadFile(func(_ context.Context, path string) ([]byte, error) {
		if path == small {
			return []byte("0123456789A"), nil
		}
		return nil, fs.ErrNotExist
	})

	for _, tc := range []struct {
		name  string
		path  string
		opts  []driftless.Option
		limit string // "" when the file must load
	}{
		{name: "1 MiB by default", path: atLimit},
		{name: "over 1 MiB by default", path: over, limit: "1048576 bytes"},
		{name: "at WithMaxFileSize", path: small, opts: []driftless.Option{driftless.WithMaxFileSize(11)}},
		{name: "over WithMaxFileSize", path: small, opts: []driftless.Option{driftless.WithMaxFileSize(10)}, limit: "10 bytes"},
		{name: "WithMaxFileSize 0 keeps the default", path: over, opts: []driftless.Option{driftless.WithMaxFileSize(0)}, limit: "1048576 bytes"},
		{name: "over WithMaxFileSize, injected reader", path: small, opts: []driftless.Option{inMemory, driftless.WithMaxFileSize(10)}, limit: "10 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]driftless.Option{driftless.WithEnv(map[string]string{"KEY_FILE": tc.path})}, tc.opts...)
			err := driftless.Load(t.Context(), &fileConfig{}, opts...)
			if tc.limit == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, driftless.ErrInvalidRef)
			assert.ErrorContains(t, err, tc.path)
			assert.ErrorContains(t, err, tc.limit, "the error names the limit")
			assert.ErrorContains(t, err, "WithMaxFileSize")
		})
	}
}

// TestFileReaderHonoursContext: the reader gets the load's context, so a
// read that cannot finish ends with the boot timeout.
func TestFileReaderHonoursContext(t *testing.T) {
	t.Parallel()
	stuck := driftless.WithReadFile(func(ctx context.Context, _ string) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	err := returnsWithin(t, "Load", func() error {
		return driftless.Load(t.Context(), &fileConfig{}, stuck,
			driftless.WithEnv(map[string]string{"KEY_FILE": "/run/secrets/key"}),
			driftless.WithFetchTimeout(50*time.Millisecond))
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, driftless.ErrNotFound)
	assert.ErrorContains(t, err, "/run/secrets/key")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	path := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(path, []byte("v"), 0o600))
	err = driftless.Load(ctx, &fileConfig{}, driftless.WithEnv(map[string]string{"KEY_FILE": path}))
	require.ErrorIs(t, err, context.Canceled)
}

func TestFileReaderInjectedNotFound(t *testing.T) {
	t.Parallel()
	missing := driftless.WithReadFile(func(context.Context, string) ([]byte, error) {
		return nil, &fs.PathError{Op: "open", Path: "/run/secrets/key", Err: fs.ErrNotExist}
	})
	err := driftless.Load(t.Context(), &fileConfig{}, missing, driftless.WithEnv(map[string]string{"KEY": "file:///run/secrets/key"}))
	require.ErrorIs(t, err, driftless.ErrNotFound)
	assert.ErrorContains(t, err, "/run/secrets/key")
}

// TestHandleFileBecameFIFO: a Handle whose file is replaced by a named
// pipe keeps its last good config, and ForceRefresh and Close return.
func TestHandleFileBecameFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(path, []byte("v1\n"), 0o600))
	h, err := driftless.NewHandle[fileConfig](t.Context(),
		driftless.WithEnv(map[string]string{"KEY_FILE": path}),
		driftless.WithForceRefreshLimit(0),
		driftless.WithFetchTimeout(200*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, h.Start(t.Context()))
	require.Equal(t, "v1", h.Current().Key.Value())

	require.NoError(t, os.Remove(path))
	mkfifo(t, path)
	err = returnsWithin(t, "ForceRefresh", func() error { return h.ForceRefresh(t.Context()) })
	require.Error(t, err)
	assert.ErrorContains(t, err, path)
	assert.Equal(t, "v1", h.Current().Key.Value(), "the last good config is kept")
	assert.NoError(t, returnsWithin(t, "Close", h.Close))
}

// TestFileVersionIsKeyed: the version shown for a file (Explain, the audit
// log, the CLI) cannot be brute-forced back to a short secret: it equals
// no unkeyed digest prefix (the old format) of any 6-digit PIN.
func TestFileVersionIsKeyed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pin")
	require.NoError(t, os.WriteFile(path, []byte("493817\n"), 0o600))
	v := fileVersion(t, path)
	require.Len(t, v, 16)

	old := sha256.Sum256([]byte("493817\n"))
	oldVersion := hex.EncodeToString(old[:8])
	found := unkeyedPINs(t, v, oldVersion)
	require.Equal(t, "493817\n", found[oldVersion], "the search finds the PIN behind an old-format version")
	assert.NotContains(t, found, v, "the version is an unkeyed digest of a PIN")

	assert.Equal(t, v, fileVersion(t, path), "the same content has the same version in one process")
	require.NoError(t, os.WriteFile(path, []byte("493818\n"), 0o600))
	assert.NotEqual(t, v, fileVersion(t, path), "a rewrite of the same size is a new version")
}

// TestFileVersionDiffersBetweenProcesses: another process (another key)
// shows another version of the same file.
func TestFileVersionDiffersBetweenProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pin")
	require.NoError(t, os.WriteFile(path, []byte("493817\n"), 0o600))
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestFileVersionHelperProcess$")
	cmd.Env = append(os.Environ(), "DRIFTLESS_TEST_VERSION_OF="+path)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Logf("helper stderr: %s", ee.Stderr)
	}
	require.NoError(t, err)
	var other string
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(line, "version="); ok {
			other = strings.TrimSpace(v)
		}
	}
	require.Len(t, other, 16, "the helper printed a version")
	assert.NotEqual(t, fileVersion(t, path), other)
}

// TestFileVersionHelperProcess prints the version of a file, for
// TestFileVersionDiffersBetweenProcesses; it does nothing otherwise.
func TestFileVersionHelperProcess(t *testing.T) {
	path := os.Getenv("DRIFTLESS_TEST_VERSION_OF")
	if path == "" {
		t.Skip("run by TestFileVersionDiffersBetweenProcesses")
	}
	_, err := os.Stdout.WriteString("version=" + fileVersion(t, path) + "\n")
	require.NoError(t, err)
}

// fileVersion is the version Explain reports for the file at path.
func fileVersion(t *testing.T, path string) string {
	t.Helper()
	rep, err := driftless.Explain(t.Context(), &fileConfig{}, driftless.WithEnv(map[string]string{"KEY_FILE": path}))
	require.NoError(t, err)
	require.Len(t, rep.Fields, 1)
	require.NotEmpty(t, rep.Fields[0].Version)
	return rep.Fields[0].Version
}

// unkeyedPINs maps each of versions that is the start of the SHA-256 of a
// 6-digit PIN (with or without "\n") to that PIN.
func unkeyedPINs(t *testing.T, versions ...string) map[string]string {
	t.Helper()
	want := map[[8]byte]string{}
	for _, v := range versions {
		b, err := hex.DecodeString(v)
		require.NoError(t, err)
		require.Len(t, b, 8)
		want[[8]byte(b)] = v
	}
	found := map[string]string{}
	var pin [7]byte
	pin[6] = '\n'
	for n := range 1_000_000 {
		for i, v := 5, n; i >= 0; i, v = i-1, v/10 {
			pin[i] = byte('0' + v%10)
		}
		for _, c := range [][]byte{pin[:6], pin[:7]} {
			sum := sha256.Sum256(c)
			if v, ok := want[[8]byte(sum[:8])]; ok {
				found[v] = string(c)
			}
		}
	}
	return found
}

// A config file that is a FIFO (or becomes one) fails the load at once:
// nothing opens it for a read that would wait for a writer, and the file
// watch only stats it.
func TestConfigFileFIFODoesNotHang(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	mkfifo(t, path)
	err := returnsWithin(t, "Load", func() error {
		var cfg struct {
			Name string `env:"NAME"`
		}
		return driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithConfigFiles(configfile.JSON, path))
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config.json")
}
