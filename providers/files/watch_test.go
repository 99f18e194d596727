package files_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitBound is the generous bound within which a change must be reported.
// Reports come from real file-system events, so synctest cannot drive
// them; nothing here sleeps, the tests wait on channels.
const waitBound = 15 * time.Second

// startWatch runs p.Watch over refs until the test ends and returns the
// channel of reported refs.
func startWatch(t *testing.T, p *files.Provider, refs ...driver.Ref) <-chan driver.Ref {
	t.Helper()
	ch := make(chan driver.Ref, 256)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var calls sync.Mutex // changed is never called concurrently: TryLock proves it
	go func() {
		done <- p.Watch(ctx, refs, func(r driver.Ref) {
			if !calls.TryLock() {
				assert.Fail(t, "changed called concurrently with itself")
				return
			}
			defer calls.Unlock()
			ch <- r
		})
	}()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled, "Watch returns ctx.Err() when ctx is done")
	})
	return ch
}

func next(t *testing.T, ch <-chan driver.Ref) driver.Ref {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitBound):
		require.FailNow(t, fmt.Sprintf("no change reported within %v", waitBound))
		return driver.Ref{}
	}
}

func fetchString(t *testing.T, p *files.Provider, ref driver.Ref) string {
	t.Helper()
	v, err := p.Fetch(t.Context(), ref)
	require.NoError(t, err)
	return string(v.Data)
}

// TestWatchKubeletSwap: each AtomicWriter update is reported once, for the
// keys whose content changed only.
func TestWatchKubeletSwap(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"api-key": []byte("a1"), "db-password": []byte("d1")})
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	api, db := fileRef(vol.path("api-key")), fileRef(vol.path("db-password"))
	fetchString(t, p, api)
	fetchString(t, p, db)
	ch := startWatch(t, p, api, db)

	vol.set("db-password", []byte("d2"))
	require.Equal(t, db, next(t, ch), "only the key that changed is reported")
	assert.Equal(t, "d2", fetchString(t, p, db))

	// A resync that writes the same payload again swaps ..data but changes
	// no content: nothing is reported, so the next report is the real one.
	vol.mu.Lock()
	same := vol.payload
	vol.mu.Unlock()
	vol.write(same)
	vol.set("api-key", []byte("a2"))
	require.Equal(t, api, next(t, ch))
	assert.Equal(t, "a2", fetchString(t, p, api))

	vol.set("db-password", []byte("d3"))
	require.Equal(t, db, next(t, ch))
	assert.Empty(t, ch, "no report beyond one per real change")
}

// TestWatchNestedItemPath: an item path "db/password" is reached through
// the symlink db -> ..data/db, which the swap moves.
func TestWatchNestedItemPath(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"db/password": []byte("p1")})
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	ref := fileRef(vol.path("db/password"))
	fetchString(t, p, ref)
	ch := startWatch(t, p, ref)
	for _, v := range []string{"p2", "p3"} {
		vol.set("db/password", []byte(v))
		require.Equal(t, ref, next(t, ch))
		assert.Equal(t, v, fetchString(t, p, ref))
	}
}

// TestWatchPlainRewrite: Docker's /run/secrets and editors update regular
// files, in place or by renaming a new file over the old one.
func TestWatchPlainRewrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		write func(path, data string) error
	}{
		{"in place", func(path, data string) error { return os.WriteFile(path, []byte(data), 0o600) }},
		{"rename over", func(path, data string) error {
			tmp := path + ".tmp~"
			if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
				return err
			}
			return os.Rename(tmp, path)
		}},
		{"symlink to another directory", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "db_password")
			target := path
			if tc.write == nil {
				// /run/secrets/db_password -> /elsewhere/db_password, rewritten in place there.
				target = filepath.Join(t.TempDir(), "db_password")
				require.NoError(t, os.Symlink(target, path))
				tc.write = func(_, data string) error { return os.WriteFile(target, []byte(data), 0o600) }
			}
			require.NoError(t, tc.write(target, "v1"))
			p := files.New()
			t.Cleanup(func() { _ = p.Close() })
			ref := fileRef(path)
			fetchString(t, p, ref)
			ch := startWatch(t, p, ref)
			for _, v := range []string{"v2", "v3-longer"} {
				require.NoError(t, tc.write(target, v))
				require.Equal(t, ref, next(t, ch))
				// An in-place rewrite is a truncate then a write: the value
				// settles on the new content.
				require.Eventually(t, func() bool { return fetchString(t, p, ref) == v }, waitBound, 10*time.Millisecond)
			}
		})
	}
}

// TestWatchBindMountedFile: a file written in place through another path
// (a Compose secret or hostPath bind-mounted into the container; here a
// hard link, which shares the inode the same way) is reported without
// waiting for the poll: no event reaches the watch on its directory, only
// the watch on the file itself sees it.
func TestWatchBindMountedFile(t *testing.T) {
	t.Parallel()
	host := filepath.Join(t.TempDir(), "db_password")
	require.NoError(t, os.WriteFile(host, []byte("v1"), 0o600))
	container := filepath.Join(t.TempDir(), "db_password")
	require.NoError(t, os.Link(host, container))
	p := files.New(files.WithPollInterval(time.Hour))
	t.Cleanup(func() { _ = p.Close() })
	ref := fileRef(container)
	fetchString(t, p, ref)
	ch := startWatch(t, p, ref)
	// A write through the container's own path first: once reported, the
	// watch is surely running.
	require.NoError(t, os.WriteFile(container, []byte("v2"), 0o600))
	require.Equal(t, ref, next(t, ch))
	require.NoError(t, os.WriteFile(host, []byte("v3"), 0o600))
	require.Equal(t, ref, next(t, ch))
	assert.Equal(t, "v3", fetchString(t, p, ref))
}

// TestWatchDeleteRecreate: a deleted file is reported (the fetch is then
// not found), and reported again when it comes back.
func TestWatchDeleteRecreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		setup          func(t *testing.T) (path string, del, create func(data string))
		deleteReported bool
	}{
		{"plain file", func(t *testing.T) (string, func(string), func(string)) {
			path := filepath.Join(t.TempDir(), "token")
			write := func(d string) { require.NoError(t, os.WriteFile(path, []byte(d), 0o600)) }
			write("t1")
			return path, func(string) { require.NoError(t, os.Remove(path)) }, write
		}, true},
		{"kubelet key", func(t *testing.T) (string, func(string), func(string)) {
			vol := newVolume(t, map[string][]byte{"token": []byte("t1"), "other": []byte("o")})
			return vol.path("token"), func(string) { vol.remove("token") }, func(d string) { vol.set("token", []byte(d)) }
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, del, create := tc.setup(t)
			p := files.New()
			t.Cleanup(func() { _ = p.Close() })
			ref := fileRef(path)
			assert.Equal(t, "t1", fetchString(t, p, ref))
			ch := startWatch(t, p, ref)

			del("")
			require.Equal(t, ref, next(t, ch))
			_, err := p.Fetch(t.Context(), ref)
			require.ErrorIs(t, err, driver.ErrNotFound)

			create("t2")
			require.Equal(t, ref, next(t, ch))
			require.Eventually(t, func() bool {
				v, err := p.Fetch(t.Context(), ref)
				return err == nil && string(v.Data) == "t2"
			}, waitBound, 10*time.Millisecond)
		})
	}
}

// TestWatchReportsChangeSinceFetch: a change between the Fetch and the
// start of Watch is reported at once, not lost.
func TestWatchReportsChangeSinceFetch(t *testing.T) {
	t.Parallel()
	vol := newVolume(t, map[string][]byte{"k": []byte("v1")})
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	ref := fileRef(vol.path("k"))
	fetchString(t, p, ref)
	vol.set("k", []byte("v2"))
	ch := startWatch(t, p, ref)
	require.Equal(t, ref, next(t, ch))
}

// TestWatchPollFallback: a change no event can show (the directory did not
// exist when Watch started, so nothing watched it) is caught by the poll.
func TestWatchPollFallback(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mounted-later")
	path := filepath.Join(dir, "key")
	p := files.New(files.WithPollInterval(20 * time.Millisecond))
	t.Cleanup(func() { _ = p.Close() })
	ref := fileRef(path)
	_, err := p.Fetch(t.Context(), ref)
	require.ErrorIs(t, err, driver.ErrNotFound)
	ch := startWatch(t, p, ref)

	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(path, []byte("arrived"), 0o600))
	require.Equal(t, ref, next(t, ch))
	assert.Equal(t, "arrived", fetchString(t, p, ref))

	// Once the directory exists, the poll has watched it: later changes
	// are events again (and the poll would catch them anyway).
	require.NoError(t, os.WriteFile(path, []byte("changed"), 0o600))
	require.Equal(t, ref, next(t, ch))
}

// TestWatchClose: Close stops a running Watch, which returns ErrClosed,
// and waits for it.
func TestWatchClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k")
	require.NoError(t, os.WriteFile(path, []byte("v"), 0o600))
	p := files.New()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		close(started)
		done <- p.Watch(t.Context(), []driver.Ref{fileRef(path)}, func(driver.Ref) {})
	}()
	<-started
	require.NoError(t, p.Close())
	select {
	case err := <-done:
		// Either Watch was running and stopped, or it started after Close.
		require.ErrorIs(t, err, driver.ErrClosed)
	case <-time.After(waitBound):
		require.FailNow(t, "Watch did not return after Close")
	}
}

// TestWatchNoRefs: a Watch with nothing to watch still blocks until ctx
// is done.
func TestWatchNoRefs(t *testing.T) {
	t.Parallel()
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, nil, func(driver.Ref) {}) }()
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestReadsDuringSwapsAreNeverTorn: readers fetching while the kubelet
// swaps the volume again and again only ever see complete values, and
// never a missing file.
func TestReadsDuringSwapsAreNeverTorn(t *testing.T) {
	t.Parallel()
	values := map[string]bool{}
	var order []string
	// Large values would show a torn read; small ones make reads fast
	// enough to hit the moment the kubelet removes the old directory.
	for i, size := range []int{16, 16, 16, 16, 1 << 10, 1 << 10, 64 << 10, 64 << 10} {
		v := strings.Repeat(fmt.Sprintf("%c", 'a'+i), size) + fmt.Sprintf("-end-%d\n", i)
		values[v] = true
		order = append(order, v)
	}
	vol := newVolume(t, map[string][]byte{"cert.pem": []byte(order[0])})
	p := files.New()
	t.Cleanup(func() { _ = p.Close() })
	ref := fileRef(vol.path("cert.pem"))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	reads, torn, failed := 0, 0, 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := p.Fetch(context.Background(), ref)
				mu.Lock()
				reads++
				switch {
				case err != nil:
					failed++
				case !values[string(v.Data)]:
					torn++
				}
				mu.Unlock()
			}
		}()
	}
	const swaps = 1000
	for i := 1; i <= swaps; i++ {
		vol.set("cert.pem", []byte(order[i%len(order)]))
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads during %d swaps", reads, swaps)
	assert.Positive(t, reads)
	assert.Zero(t, torn, "reads that returned a value never written whole")
	assert.Zero(t, failed, "reads that failed during a swap")
}
