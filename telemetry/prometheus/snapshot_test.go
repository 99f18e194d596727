package driftlessprom_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	driftlessprom "github.com/driftless/driftless/telemetry/prometheus"
)

// TestSnapshotAge boots through an outage from a sealed snapshot and reads
// its age and the refusals from the collector.
func TestSnapshotAge(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key driftless.Secret `env:"KEY" default:"mem://key"`
	}
	reg := prometheus.NewRegistry()
	c, err := driftlessprom.New(reg)
	require.NoError(t, err)
	mem := drifttest.NewProvider()
	mem.Set("key", "k1")
	keyFile := filepath.Join(t.TempDir(), "snap.key")
	require.NoError(t, os.WriteFile(keyFile, []byte("0123456789abcdef0123456789abcdef-key"), 0o600))
	path := filepath.Join(t.TempDir(), "config.snap")
	opts := []driftless.Option{c.Option(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
		driftless.WithSnapshot(path, driftless.SnapshotKeyFile(keyFile), time.Hour)}

	_, err = driftless.LoadAs[cfg](t.Context(), opts...)
	require.NoError(t, err)
	mem.FailAll(fmt.Errorf("%w: connection refused", driftless.ErrUnavailable))
	got, err := driftless.LoadAs[cfg](t.Context(), opts...)
	require.NoError(t, err, "boots from the snapshot")
	assert.Equal(t, "k1", got.Key.Value())
	age := testutil.ToFloat64(c.SnapshotAgeForTest())
	assert.GreaterOrEqual(t, age, 0.0)
	assert.Less(t, age, 60.0)

	// A corrupt snapshot is refused: counted, never described by its content.
	require.NoError(t, os.WriteFile(path, []byte("not a snapshot"), 0o600))
	_, err = driftless.LoadAs[cfg](t.Context(), opts...)
	require.Error(t, err)
	n, err := testutil.GatherAndCount(reg, "driftless_snapshot_errors_total")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 1.0, testutil.ToFloat64(c.SnapshotErrorsForTest()))
}
