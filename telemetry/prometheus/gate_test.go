package driftlessprom_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// A candidate refused by a gate is counted, and its refresh error is of
// class rejected.
func TestCandidatesRejected(t *testing.T) {
	t.Parallel()
	reg, c := newCollector(t)
	mem := newBackend()
	var refuse atomic.Bool
	gate := driftless.Gate(func(ctx context.Context, ch driftless.Change[config]) error {
		if refuse.Load() {
			return errors.New("the new key does not answer")
		}
		return nil
	})
	h, err := driftless.NewHandle[config](t.Context(), loadOpts(c, mem, gate, driftless.WithForceRefreshLimit(time.Nanosecond))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	assert.InDelta(t, 0, testutil.ToFloat64(mustCounter(t, reg, "driftless_candidates_rejected_total")), 0)

	refuse.Store(true)
	mem.Set("api", canary+"-key2")
	require.ErrorIs(t, h.ForceRefresh(t.Context()), driftless.ErrRejected)
	assert.InDelta(t, 1, testutil.ToFloat64(mustCounter(t, reg, "driftless_candidates_rejected_total")), 0)
	assert.InDelta(t, 0, testutil.ToFloat64(mustCounter(t, reg, "driftless_swaps_total")), 0)
	errs := series(t, reg, "driftless_refresh_errors_total")
	require.Len(t, errs, 1)
	assert.Equal(t, "rejected", errs[0].GetLabel()[0].GetValue())
	assertNoCanary(t, reg)
}
