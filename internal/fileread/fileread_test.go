//go:build unix

package fileread

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitBound bounds a call that must return at once; it is only reached
// when the call blocks, which is the failure the tests look for.
const waitBound = 10 * time.Second

// returns runs fn and fails the test if it has not returned within
// waitBound.
func returns[T any](t *testing.T, what string, fn func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- fn() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("%s blocked for %v", what, waitBound))
		var zero T
		return zero
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the file system")
	}
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
		return p
	}
	plain := write("plain", "value\n")
	empty := write("empty", "")
	big := write("big", strings.Repeat("x", 65))
	// A kubelet volume: key -> ..data/key, ..data -> ..<timestamp>.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "..2026_11_28"), 0o700))
	write("..2026_11_28/key", "from-kubelet")
	require.NoError(t, os.Symlink("..2026_11_28", filepath.Join(dir, "..data")))
	require.NoError(t, os.Symlink("..data/key", filepath.Join(dir, "key")))

	for _, tc := range []struct {
		name string
		path string
		max  int64
		want string
	}{
		{name: "plain", path: plain, want: "value\n"},
		{name: "empty", path: empty, want: ""},
		{name: "kubelet symlinks", path: filepath.Join(dir, "key"), want: "from-kubelet"},
		{name: "at the limit", path: big, max: 65, want: strings.Repeat("x", 65)},
		{name: "default limit", path: big, max: 0, want: strings.Repeat("x", 65)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, fi, err := Read(t.Context(), tc.path, tc.max)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(data))
			st, err := os.Stat(tc.path)
			require.NoError(t, err)
			assert.True(t, os.SameFile(st, fi), "the metadata is the file's")
		})
	}
}

func TestReadSizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("x"), int(DefaultMaxSize)+1), 0o600))

	_, _, err := Read(t.Context(), path, 0)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorContains(t, err, path)
	assert.ErrorContains(t, err, "1048576 bytes", "the error names the limit")

	_, _, err = Read(t.Context(), path, 100)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorContains(t, err, "100 bytes")

	data, _, err := Read(t.Context(), path, DefaultMaxSize+1)
	require.NoError(t, err)
	assert.Len(t, data, int(DefaultMaxSize)+1)
}

// A file whose size says nothing of its content (a /proc file reports 0)
// is still read to its end, and still bounded.
func TestReadSizeIsOnlyAHint(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	const path = "/proc/self/status"
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Zero(t, fi.Size())
	data, _, err := Read(t.Context(), path, 0)
	require.NoError(t, err)
	assert.Contains(t, string(data), "Name:")
	_, _, err = Read(t.Context(), path, 16)
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestReadRejectsWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("unix special files")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	require.NoError(t, os.Symlink(fifo, filepath.Join(dir, "link-to-fifo")))
	// A socket path must be short: make it outside the long test directory.
	sdir, err := os.MkdirTemp("", "fr")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(sdir) })
	sock := filepath.Join(sdir, "s")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })

	for _, tc := range []struct{ name, path, what string }{
		{"directory", dir, "a directory"},
		{"fifo", fifo, "a named pipe"},
		{"symlink to a fifo", filepath.Join(dir, "link-to-fifo"), "a named pipe"},
		{"endless device", "/dev/zero", "a device"},
		{"empty device", "/dev/null", "a device"},
		{"socket", sock, "a socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := returns(t, "Read", func() error {
				_, _, err := Read(t.Context(), tc.path, 0)
				return err
			})
			require.ErrorIs(t, err, ErrNotRegular)
			assert.ErrorContains(t, err, tc.path)
			assert.ErrorContains(t, err, tc.what)
		})
	}
}

// A path replaced by a named pipe between the stat and the open: the open
// does not wait for a writer, and the open file is checked again.
func TestOpenedFIFOIsRejected(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)
	err := returns(t, "open and read", func() error {
		f, err := open(fifo)
		if err != nil {
			return err
		}
		defer f.Close()
		_, _, err = readOpen(f, fifo, DefaultMaxSize)
		return err
	})
	require.ErrorIs(t, err, ErrNotRegular)
	assert.ErrorContains(t, err, fifo)
}

func TestReadNotFound(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("v"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")))
	for _, p := range []string{
		filepath.Join(dir, "missing"),
		filepath.Join(dir, "dangling"),
		filepath.Join(file, "through-a-file"),
		filepath.Join(dir, "no", "such"),
	} {
		_, _, err := Read(t.Context(), p, 0)
		require.Error(t, err, p)
		assert.True(t, IsNotFound(err), "%s: %v", p, err)
		assert.ErrorContains(t, err, p)
	}
}

func TestReadPermissionDenied(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := filepath.Join(t.TempDir(), "locked")
	require.NoError(t, os.WriteFile(path, []byte("v"), 0o000))
	_, _, err := Read(t.Context(), path, 0)
	require.ErrorIs(t, err, fs.ErrPermission)
	assert.False(t, IsNotFound(err))
}

func TestReadHonoursContext(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("v"), 0o600))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := Read(ctx, path, 0)
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, path)
}

// A read the file system never answers (a hung network mount) returns when
// the context is done; its late result is discarded.
func TestAwaitReturnsWhenTheContextIsDone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		release := make(chan struct{})
		discarded := make(chan []byte, 1)
		start := time.Now()
		_, err := await(ctx, func() []byte {
			<-release
			return []byte("late")
		}, func(b []byte) { discarded <- b })
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start), "it returned at the deadline")
		close(release)
		synctest.Wait()
		assert.Equal(t, "late", string(<-discarded))
	})
}

func TestVersion(t *testing.T) {
	t.Parallel()
	a, b := Version([]byte("one")), Version([]byte("two"))
	assert.Equal(t, a, Version([]byte("one")), "same bytes, same version")
	assert.NotEqual(t, a, b, "different bytes, different version")
	assert.Len(t, a, 16)

	k1, k2 := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(k1)
	_, _ = rand.Read(k2)
	assert.NotEqual(t, versionWithKey(k1, []byte("one")), versionWithKey(k2, []byte("one")),
		"two processes (two keys) show different versions of the same bytes")
}

// The version of a short secret cannot be matched against an offline
// dictionary: it equals no unkeyed digest prefix (the old format) of any
// 6-digit PIN, with or without a trailing newline.
func TestVersionOfAPINIsNotAnUnkeyedDigest(t *testing.T) {
	t.Parallel()
	old := sha256.Sum256([]byte("493817\n"))
	oldVersion := hex.EncodeToString(old[:8])
	versions := []string{Version([]byte("493817")), Version([]byte("493817\n"))}
	found := unkeyedPINs(t, append(versions, oldVersion)...)
	require.Equal(t, "493817\n", found[oldVersion], "the search finds the PIN behind an old-format version")
	for _, v := range versions {
		assert.NotContains(t, found, v, "the version is an unkeyed digest of a PIN")
	}
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
