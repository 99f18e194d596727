//go:build unix

package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
	"github.com/driftless/driftless/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConformance runs the shared suite against a kubelet-style volume: each
// Put is a full AtomicWriter update of the volume's payload.
func TestConformance(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		v := newVolume(t, nil)
		p := files.New()
		t.Cleanup(func() { _ = p.Close() })
		return providertest.Backend{
			Provider: p,
			Put: func(_ context.Context, name string, data []byte) error {
				v.set(name, data)
				return nil
			},
			Ref: func(name string) driver.Ref { return fileRef(v.path(name)) },
		}
	})
}

// TestConformancePlainFiles runs the suite against plain files rewritten in
// place, as in Docker's /run/secrets.
func TestConformancePlainFiles(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Backend {
		dir := t.TempDir()
		p := files.New()
		t.Cleanup(func() { _ = p.Close() })
		return providertest.Backend{
			Provider: p,
			Put: func(_ context.Context, name string, data []byte) error {
				return os.WriteFile(filepath.Join(dir, name), data, 0o600)
			},
			Ref: func(name string) driver.Ref { return fileRef(filepath.Join(dir, name)) },
		}
	})
}

func TestFetch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
		return path
	}
	plain := write("plain", "value\n")
	empty := write("empty", "")
	big := write("big", strings.Repeat("x", 65))
	crlf := write("crlf", "value\r\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	require.NoError(t, os.Symlink(plain, filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")))
	vol := newVolume(t, map[string][]byte{"api-key": []byte("from-kubelet")})
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, tc := range []struct {
		name    string
		opts    []files.Option
		ref     driver.Ref
		want    string
		wantErr error
	}{
		{name: "plain", ref: fileRef(plain), want: "value\n"},
		{name: "trimmed", opts: []files.Option{files.WithTrimNewline()}, ref: fileRef(plain), want: "value"},
		{name: "trimmed crlf", opts: []files.Option{files.WithTrimNewline()}, ref: fileRef(crlf), want: "value"},
		{name: "empty is not missing", ref: fileRef(empty), want: ""},
		{name: "symlink", ref: fileRef(filepath.Join(dir, "link")), want: "value\n"},
		{name: "kubelet volume", ref: fileRef(vol.path("api-key")), want: "from-kubelet"},
		{name: "at the size limit", opts: []files.Option{files.WithMaxSize(65)}, ref: fileRef(big), want: strings.Repeat("x", 65)},
		{name: "missing", ref: fileRef(filepath.Join(dir, "missing")), wantErr: driver.ErrNotFound},
		{name: "dangling symlink", ref: fileRef(filepath.Join(dir, "dangling")), wantErr: driver.ErrNotFound},
		{name: "through a file", ref: fileRef(filepath.Join(plain, "x")), wantErr: driver.ErrNotFound},
		{name: "missing directory", ref: fileRef(filepath.Join(dir, "no", "such")), wantErr: driver.ErrNotFound},
		{name: "directory", ref: fileRef(filepath.Join(dir, "sub")), wantErr: driver.ErrInvalidRef},
		{name: "relative", ref: fileRef("relative/path"), wantErr: driver.ErrInvalidRef},
		{name: "query", ref: driver.Ref{Scheme: files.Scheme, Name: plain, Query: "version=1"}, wantErr: driver.ErrInvalidRef},
		{name: "other scheme", ref: driver.Ref{Scheme: "awssm", Name: plain}, wantErr: driver.ErrInvalidRef},
		{name: "too large", opts: []files.Option{files.WithMaxSize(64)}, ref: fileRef(big), wantErr: driver.ErrInvalidRef},
		{name: "device", ref: fileRef("/dev/null"), wantErr: driver.ErrInvalidRef},
		{name: "endless device", ref: fileRef("/dev/zero"), wantErr: driver.ErrInvalidRef},
		{name: "named pipe", ref: fileRef(fifo), wantErr: driver.ErrInvalidRef},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := files.New(tc.opts...)
			v, err := p.Fetch(t.Context(), tc.ref)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), tc.ref.Name, "the error names the path")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(v.Data))
			assert.Len(t, v.Version, 16, "version is a short keyed content hash")
			fi, err := os.Stat(tc.ref.Name)
			require.NoError(t, err)
			assert.True(t, fi.ModTime().Equal(v.Created), "Created is the modification time")
		})
	}

	t.Run("same content same version", func(t *testing.T) {
		path := write("rewritten", "value\n")
		p := files.New()
		a, err := p.Fetch(t.Context(), fileRef(path))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, []byte("value\n"), 0o600))
		b, err := p.Fetch(t.Context(), fileRef(path))
		require.NoError(t, err)
		assert.Equal(t, a.Version, b.Version)
		c, err := files.New().Fetch(t.Context(), fileRef(path))
		require.NoError(t, err)
		assert.Equal(t, a.Version, c.Version, "another Provider in this process agrees")
	})
}

// TestFetchDefaultSizeLimit: without WithMaxSize, a file over 1 MiB is an
// error naming the path and the limit, as in the core's built-in reader.
func TestFetchDefaultSizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := filepath.Join(dir, "at")
	require.NoError(t, os.WriteFile(at, bytes.Repeat([]byte("x"), 1<<20), 0o600))
	over := filepath.Join(dir, "over")
	require.NoError(t, os.WriteFile(over, bytes.Repeat([]byte("x"), 1<<20+1), 0o600))
	p := files.New()

	v, err := p.Fetch(t.Context(), fileRef(at))
	require.NoError(t, err)
	assert.Len(t, v.Data, 1<<20)

	_, err = p.Fetch(t.Context(), fileRef(over))
	require.ErrorIs(t, err, driver.ErrInvalidRef)
	assert.ErrorContains(t, err, over)
	assert.ErrorContains(t, err, "1048576 bytes", "the error names the limit")
	assert.ErrorContains(t, err, "WithMaxSize")
}

// TestFetchVersionIsKeyed: the version of a file cannot be brute-forced
// back to a short secret: it equals no unkeyed digest prefix (the old
// format) of any 6-digit PIN; and a rewrite with new bytes of the same
// size is still a new version.
func TestFetchVersionIsKeyed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pin")
	require.NoError(t, os.WriteFile(path, []byte("493817\n"), 0o600))
	var versions []string
	for _, p := range []*files.Provider{files.New(), files.New(files.WithTrimNewline())} {
		v, err := p.Fetch(t.Context(), fileRef(path))
		require.NoError(t, err)
		versions = append(versions, v.Version)
	}
	old := sha256.Sum256([]byte("493817\n"))
	oldVersion := hex.EncodeToString(old[:8])
	found := unkeyedPINs(t, append(versions, oldVersion)...)
	require.Equal(t, "493817\n", found[oldVersion], "the search finds the PIN behind an old-format version")
	for _, v := range versions {
		assert.NotContains(t, found, v, "the version is an unkeyed digest of a PIN")
	}

	require.NoError(t, os.WriteFile(path, []byte("493818\n"), 0o600))
	v, err := files.New().Fetch(t.Context(), fileRef(path))
	require.NoError(t, err)
	assert.NotEqual(t, versions[0], v.Version, "a rewrite of the same size is a new version")
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

func TestFetchPermissionDenied(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := filepath.Join(t.TempDir(), "locked")
	require.NoError(t, os.WriteFile(path, []byte(providertest.Canary), 0o000))
	_, err := files.New().Fetch(t.Context(), fileRef(path))
	require.ErrorIs(t, err, driver.ErrPermission)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
}

func TestFetchErrorsNeverHoldContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "canary")
	require.NoError(t, os.WriteFile(path, []byte(providertest.Canary), 0o600))
	p := files.New(files.WithMaxSize(8))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, ref := range []driver.Ref{fileRef(path), fileRef(filepath.Join(path, "sub"))} {
		for _, c := range []context.Context{t.Context(), ctx} {
			_, err := p.Fetch(c, ref)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), providertest.Canary[7:20])
		}
	}
}

func TestFetchContextAndClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("v"), 0o600))
	p := files.New()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.Fetch(ctx, fileRef(path))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, driver.ErrNotFound)

	ctx, cancel = context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = p.Fetch(ctx, fileRef(path))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	_, err = p.Fetch(t.Context(), fileRef(path))
	require.ErrorIs(t, err, driver.ErrClosed)
	err = p.Watch(t.Context(), []driver.Ref{fileRef(path)}, func(driver.Ref) {})
	require.ErrorIs(t, err, driver.ErrClosed)
}

func TestDir(t *testing.T) {
	t.Parallel()
	const dir = "/var/run/secrets/app"
	for _, tc := range []struct {
		name  string
		opts  []files.DirOption
		key   string
		want  string // file name below dir; "" for no mapping
		wantR bool
	}{
		{name: "default is the key", key: "OPENAI_API_KEY", want: "OPENAI_API_KEY"},
		{name: "dashed", opts: []files.DirOption{files.WithDashedNames()}, key: "OPENAI_API_KEY", want: "openai-api-key"},
		{name: "lower", opts: []files.DirOption{files.WithLowerNames()}, key: "DB_PASSWORD", want: "db_password"},
		{name: "explicit", opts: []files.DirOption{files.WithNames(map[string]string{"DB_PASSWORD": "db/password"})}, key: "DB_PASSWORD", want: "db/password"},
		{name: "explicit, key not in the map", opts: []files.DirOption{files.WithNames(map[string]string{"A": "a"})}, key: "B"},
		{name: "last mapping wins", opts: []files.DirOption{files.WithNames(map[string]string{"A": "a"}), files.WithDashedNames()}, key: "B_C", want: "b-c"},
		{name: "func", opts: []files.DirOption{files.WithNameFunc(func(k string) (string, bool) { return "x-" + k, k != "SKIP" })}, key: "K", want: "x-K"},
		{name: "func declines", opts: []files.DirOption{files.WithNameFunc(func(k string) (string, bool) { return k, k != "SKIP" })}, key: "SKIP"},
		{name: "empty key", key: ""},
		{name: "escaping name", opts: []files.DirOption{files.WithNames(map[string]string{"A": "../etc/passwd"})}, key: "A"},
		{name: "absolute name", opts: []files.DirOption{files.WithNames(map[string]string{"A": "/etc/passwd"})}, key: "A"},
		{name: "kubelet entry", opts: []files.DirOption{files.WithNames(map[string]string{"A": "..data"})}, key: "A"},
		{name: "kubelet timestamp dir", opts: []files.DirOption{files.WithNames(map[string]string{"A": "..2026_11_28_10_00_00.1/a"})}, key: "A"},
		{name: "dot", opts: []files.DirOption{files.WithNames(map[string]string{"A": "."})}, key: "A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref, ok := files.Dir(dir, tc.opts...).RefFor(tc.key)
			if tc.want == "" {
				assert.False(t, ok, "mapped to %s", ref)
				return
			}
			require.True(t, ok)
			assert.Equal(t, driver.Ref{Scheme: "file", Name: filepath.Join(dir, tc.want)}, ref)
			parsed, err := driver.ParseRef(ref.String())
			require.NoError(t, err, "RefFor returns a reference that parses")
			assert.Equal(t, ref, parsed)
		})
	}
	t.Run("relative dir is made absolute", func(t *testing.T) {
		t.Parallel()
		s := files.Dir("secrets")
		wd, err := os.Getwd()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(wd, "secrets"), s.Path())
		ref, ok := s.RefFor("K")
		require.True(t, ok)
		assert.Equal(t, filepath.Join(wd, "secrets", "K"), ref.Name)
	})
}
