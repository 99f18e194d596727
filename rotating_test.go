package driftless_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

type signingConfig struct {
	Key driftless.Rotating `env:"SIGNING_KEY" default:"mem://signing#key"`
}

func signingVersion(mem *drifttest.Provider, v string) { mem.Set("signing", `{"key":"`+v+`"}`) }

// pair renders a Rotating for assertions (test values only).
func pair(r driftless.Rotating) string { return r.Current().Value() + "/" + r.Previous().Value() }

// After a rotation, every process holds one consistent pair at every
// instant: the old current with the one before it, or the new current with
// the old current (the key in use right up to the rotation). It used to
// schedule the previous version half an interval apart from the current
// one, so that about half of a fleet held the new current with the old
// previous and rejected the key still in use.
func TestRotatingIsAlwaysAConsistentPair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		signingVersion(mem, "v0")
		signingVersion(mem, "v1")
		const fleet = 16 // each with its own random phase
		var handles []*driftless.Handle[signingConfig]
		for range fleet {
			h, err := driftless.NewHandle[signingConfig](t.Context(), driftless.WithEnv(nil),
				driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute))
			require.NoError(t, err)
			defer h.Close()
			require.Equal(t, "v1/v0", pair(h.Current().Key))
			require.NoError(t, h.Start(t.Context()))
			handles = append(handles, h)
		}
		time.Sleep(100 * time.Second) // a few refreshes in
		signingVersion(mem, "v2")
		for s := range 180 {
			time.Sleep(time.Second)
			synctest.Wait()
			for i, h := range handles {
				p := pair(h.Current().Key)
				require.Containsf(t, []string{"v1/v0", "v2/v1"}, p, "%d s after the rotation, handle %d holds %s", s+1, i, p)
			}
		}
		for _, h := range handles {
			assert.Equal(t, "v2/v1", pair(h.Current().Key), "every process has the rotation within 1.5 intervals")
		}
	})
}

// rotateBetween is a provider that rotates the secret after the current
// version was fetched and before the previous one is, once armed.
type rotateBetween struct {
	*drifttest.Provider
	mu      sync.Mutex
	current chan struct{} // closed when the current version has been fetched
}

func (p *rotateBetween) arm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = make(chan struct{})
}

func (p *rotateBetween) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	v, err := p.Provider.Fetch(ctx, ref)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != nil {
		select {
		case <-p.current:
		default:
			close(p.current)
		}
	}
	return v, err
}

func (p *rotateBetween) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	p.mu.Lock()
	c := p.current
	p.mu.Unlock()
	if c != nil {
		select {
		case <-c:
		case <-ctx.Done():
			return driver.Value{}, ctx.Err()
		}
		p.mu.Lock()
		p.current = nil // once
		p.mu.Unlock()
		signingVersion(p.Provider, "v2")
	}
	return p.Provider.FetchPrevious(ctx, ref)
}

// A rotation between the two calls is detected: the previous version read
// is the current one just read, so the current one is read again.
func TestRotationBetweenCurrentAndPreviousFetch(t *testing.T) {
	mem := drifttest.NewProvider()
	signingVersion(mem, "v0")
	signingVersion(mem, "v1")
	p := &rotateBetween{Provider: mem}
	h, err := driftless.NewHandle[signingConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", p))
	require.NoError(t, err)
	defer h.Close()
	require.Equal(t, "v1/v0", pair(h.Current().Key))
	p.arm()
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, "v2/v1", pair(h.Current().Key))
}

// A secret that was never rotated has no previous version: that is normal,
// logged at debug level, never as a failed fetch.
func TestNoPreviousVersionIsNotAWarning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		signingVersion(mem, "v1")
		var logged bytes.Buffer
		h, err := driftless.NewHandle[signingConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
			driftless.WithRefreshInterval(time.Minute),
			driftless.WithLogger(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		assert.Equal(t, "v1/", pair(h.Current().Key))
		out := logged.String()
		assert.NotContains(t, out, "level=WARN")
		assert.NotContains(t, out, "level=ERROR")
		assert.Contains(t, out, `level=DEBUG msg="driftless: no previous version" provider=mem secret=mem://signing previous=true`)
	})
}
