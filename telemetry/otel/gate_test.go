package driftlessotel_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// A candidate refused by a gate is counted, and its refresh error is of
// type rejected.
func TestCandidatesRejected(t *testing.T) {
	s := newSDK(t)
	mem := newBackend()
	var refuse atomic.Bool
	gate := driftless.Gate(func(ctx context.Context, ch driftless.Change[config]) error {
		if refuse.Load() {
			return errors.New("the new key does not answer")
		}
		return nil
	})
	h, err := driftless.NewHandle[config](t.Context(), s.loadOpts(mem, gate, driftless.WithForceRefreshLimit(time.Nanosecond))...)
	require.NoError(t, err)
	defer h.Close()

	refuse.Store(true)
	mem.Set("api", canary+"-key2")
	require.ErrorIs(t, h.ForceRefresh(t.Context()), driftless.ErrRejected)
	m := s.collect(t)
	assert.InDelta(t, 1, m["driftless.candidates.rejected{}"], 0)
	assert.InDelta(t, 1, m["driftless.refresh.errors{error.type=rejected}"], 0)
	assert.NotContains(t, m, "driftless.swaps{}")
}
