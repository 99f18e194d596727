package files_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// volume is a directory laid out and updated exactly as the kubelet's
// AtomicWriter (pkg/volume/util/atomic_writer.go) does for a Secret or
// ConfigMap volume:
//
//	dir/..2026_11_28_10_00_00.123456789/   the payload's files
//	dir/..data -> ..2026_11_28_10_00_00.123456789
//	dir/<key>  -> ..data/<key>             one per top-level name
//
// write replaces the whole payload: a new timestamped directory, a new
// symlink ..data_tmp renamed over ..data (the atomic step), the per-key
// symlinks of new names, removal of names no longer in the payload, then
// removal of the old timestamped directory.
type volume struct {
	t       testing.TB
	dir     string
	mu      sync.Mutex
	payload map[string][]byte
}

func newVolume(t testing.TB, payload map[string][]byte) *volume {
	t.Helper()
	v := &volume{t: t, dir: t.TempDir(), payload: map[string][]byte{}}
	if payload != nil {
		v.write(payload)
	}
	return v
}

// path returns the user-visible path of key.
func (v *volume) path(key string) string { return filepath.Join(v.dir, key) }

// set writes the payload with key set to data.
func (v *volume) set(key string, data []byte) {
	v.mu.Lock()
	p := maps.Clone(v.payload)
	v.mu.Unlock()
	p[key] = data
	v.write(p)
}

// remove writes the payload without key.
func (v *volume) remove(key string) {
	v.mu.Lock()
	p := maps.Clone(v.payload)
	v.mu.Unlock()
	delete(p, key)
	v.write(p)
}

func (v *volume) write(payload map[string][]byte) {
	v.t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	must := func(err error) {
		require.NoError(v.t, err, "kubelet volume")
	}
	dataLink := filepath.Join(v.dir, "..data")
	// (1) the current timestamped directory
	oldTS, err := os.Readlink(dataLink)
	if err != nil && !os.IsNotExist(err) {
		must(err)
	}
	// (2) user-visible names that the new payload drops
	var drop []string
	for p := range v.payload {
		top := strings.SplitN(p, "/", 2)[0]
		if !hasTop(payload, top) {
			drop = append(drop, top)
		}
	}
	// (3) the new timestamped directory, named as the kubelet names it
	ts, err := os.MkdirTemp(v.dir, time.Now().UTC().Format("..2006_01_02_15_04_05."))
	must(err)
	must(os.Chmod(ts, 0o755))
	// (4) the payload
	for p, data := range payload {
		full := filepath.Join(ts, p)
		must(os.MkdirAll(filepath.Dir(full), 0o755))
		must(os.WriteFile(full, data, 0o644))
	}
	// (5) ..data_tmp -> new directory, renamed over ..data
	tmpLink := filepath.Join(v.dir, "..data_tmp")
	must(os.Symlink(filepath.Base(ts), tmpLink))
	must(os.Rename(tmpLink, dataLink))
	// (6) per-key symlinks key -> ..data/key for new top-level names
	for p := range payload {
		top := strings.SplitN(p, "/", 2)[0]
		visible := filepath.Join(v.dir, top)
		if _, err := os.Lstat(visible); os.IsNotExist(err) {
			must(os.Symlink(filepath.Join("..data", top), visible))
		}
	}
	// (7) names no longer in the payload
	for _, top := range drop {
		must(os.RemoveAll(filepath.Join(v.dir, top)))
	}
	// (8) the old timestamped directory
	if oldTS != "" {
		must(os.RemoveAll(filepath.Join(v.dir, oldTS)))
	}
	v.payload = maps.Clone(payload)
}

func hasTop(payload map[string][]byte, top string) bool {
	for p := range payload {
		if strings.SplitN(p, "/", 2)[0] == top {
			return true
		}
	}
	return false
}

// TestVolumeLayout checks that the helper reproduces the kubelet's layout.
func TestVolumeLayout(t *testing.T) {
	t.Parallel()
	v := newVolume(t, map[string][]byte{"api-key": []byte("one"), "db/password": []byte("pw")})
	v.set("api-key", []byte("two"))
	entries, err := os.ReadDir(v.dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Len(t, names, 4, "want ..<timestamp>, ..data, api-key, db")
	target, err := os.Readlink(filepath.Join(v.dir, "..data"))
	require.NoError(t, err)
	assert.Regexp(t, `^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$`, target)
	assert.Contains(t, names, target, "the ..data target is the only timestamped directory left")
	l, err := os.Readlink(v.path("api-key"))
	require.NoError(t, err)
	assert.Equal(t, "..data/api-key", l)
	b, err := os.ReadFile(v.path("db/password"))
	require.NoError(t, err)
	assert.Equal(t, "pw", string(b), "db/password read through the db symlink")
	b, err = os.ReadFile(v.path("api-key"))
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	v.remove("api-key")
	_, err = os.Lstat(v.path("api-key"))
	assert.True(t, os.IsNotExist(err), "a key dropped from the payload still exists")
}
