package driftless_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/configfile"
)

type watchedConfig struct {
	ModelName string `env:"MODEL_NAME" default:"none"`
	Batch     int    `env:"BATCH" default:"1"`
}

// kubeletDir lays a file out as the kubelet mounts a ConfigMap:
// dir/config.json -> ..data/config.json, ..data -> ..<version>.
type kubeletDir struct {
	t   *testing.T
	dir string
	n   int
}

func (k *kubeletDir) publish(text string) {
	k.t.Helper()
	k.n++
	version := filepath.Join(k.dir, "..v"+string(rune('0'+k.n)))
	require.NoError(k.t, os.Mkdir(version, 0o755))
	require.NoError(k.t, os.WriteFile(filepath.Join(version, "config.json"), []byte(text), 0o644))
	tmp := filepath.Join(k.dir, "..data_tmp")
	require.NoError(k.t, os.Symlink(filepath.Base(version), tmp))
	require.NoError(k.t, os.Rename(tmp, filepath.Join(k.dir, "..data")))
	if k.n == 1 {
		require.NoError(k.t, os.Symlink(filepath.Join("..data", "config.json"), filepath.Join(k.dir, "config.json")))
	}
}

func TestHandleReloadsChangedConfigFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := &kubeletDir{t: t, dir: t.TempDir()}
		k.publish(`{"model_name": "m1", "batch": 2}`)
		path := filepath.Join(k.dir, "config.json")
		h, err := driftless.NewHandle[watchedConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithConfigFiles(configfile.JSON, path))
		require.NoError(t, err)
		defer h.Close()
		var mu sync.Mutex
		var changes [][]string
		var errs []error
		h.OnChange(func(c driftless.Change[watchedConfig]) {
			mu.Lock()
			defer mu.Unlock()
			changes = append(changes, c.Paths)
		})
		h.OnError(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
		})
		require.NoError(t, h.Start(t.Context()))
		assert.Equal(t, "m1", h.Current().ModelName)

		// The kubelet swaps ..data to a new version of the same size.
		k.publish(`{"model_name": "m2", "batch": 2}`)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		assert.Equal(t, "m2", h.Current().ModelName, "a ConfigMap update reaches the running service")
		mu.Lock()
		assert.Equal(t, [][]string{{"ModelName"}}, changes)
		mu.Unlock()

		// A bad edit keeps the last good config and is reported.
		k.publish(`{"model_name": "m3", "batch": "many"}`)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		assert.Equal(t, "m2", h.Current().ModelName, "a bad edit keeps the last good config")
		mu.Lock()
		require.NotEmpty(t, errs)
		assert.Contains(t, errs[0].Error(), "Batch")
		assert.Contains(t, errs[0].Error(), "config.json:1")
		mu.Unlock()

		// Fixed: the next check loads it.
		k.publish(`{"model_name": "m4", "batch": 3}`)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		assert.Equal(t, "m4", h.Current().ModelName)
		assert.Equal(t, 3, h.Current().Batch)
	})
}

func TestHandleFileWatchOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "config.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"model_name": "m1"}`), 0o600))
		h, err := driftless.NewHandle[watchedConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithConfigFiles(configfile.JSON, path), driftless.WithFileWatchInterval(-1))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		require.NoError(t, os.WriteFile(path, []byte(`{"model_name": "m22"}`), 0o600))
		time.Sleep(10 * time.Second)
		synctest.Wait()
		assert.Equal(t, "m1", h.Current().ModelName)
		require.NoError(t, h.Refresh(t.Context()))
		assert.Equal(t, "m22", h.Current().ModelName, "an explicit refresh re-reads the file")
	})
}
