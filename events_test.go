package driftless_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

// fetchEvents loads C from mem (or a batching view of it) and returns the
// fetch events the metrics hook received.
func fetchEvents(t *testing.T, batch bool, mem *drifttest.Provider) []driftless.Event {
	t.Helper()
	var mu sync.Mutex
	var events []driftless.Event
	type C struct {
		A driftless.Secret `env:"A" default:"mem://a"`
	}
	var p driver.Provider = mem
	if batch {
		p = mem.Batching(10)
	}
	var cfg C
	_ = driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{}), driftless.WithProvider("mem", p),
		driftless.WithMetrics(func(e driftless.Event) {
			if e.Kind == driftless.EventFetch {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}
		}))
	return events
}

// A backend call that fails reports its error to the metrics hook, whether
// the provider fetches one reference at a time or in batches (here a batch
// of one).
func TestFetchEventCarriesTheError(t *testing.T) {
	t.Parallel()
	for _, batch := range []bool{false, true} {
		mem := drifttest.NewProvider()
		mem.Set("a", "v")
		mem.Fail("a", driftless.ErrPermission)
		events := fetchEvents(t, batch, mem)
		require.Len(t, events, 1, "batch %v", batch)
		assert.ErrorIs(t, events[0].Err, driftless.ErrPermission, "batch %v", batch)
		assert.Equal(t, "mem", events[0].Scheme)
		assert.Equal(t, 1, events[0].Refs)

		mem.Fail("a", nil)
		events = fetchEvents(t, batch, mem)
		require.Len(t, events, 1, "batch %v", batch)
		assert.NoError(t, events[0].Err, "batch %v", batch)
	}
}

// A secret never rotated has no previous version: the fetch of a
// Rotating's previous version that finds none is not a failed call.
func TestFetchEventNoPreviousVersionIsNoError(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("signing", "v1")
	var mu sync.Mutex
	var events []driftless.Event
	var cfg struct {
		Signing driftless.Rotating `env:"SIGNING" default:"mem://signing"`
	}
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{}), driftless.WithProvider("mem", mem),
		driftless.WithMetrics(func(e driftless.Event) {
			if e.Kind == driftless.EventFetch {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}
		})))
	require.Len(t, events, 2, "the current and the previous version")
	for _, e := range events {
		assert.NoError(t, e.Err)
	}
}
