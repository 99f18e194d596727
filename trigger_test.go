package driftless_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

// Triggers that arrive before the next pass cause one pass, which fetches
// the named secret once, and only it.
func TestTriggerCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, mem := newHealthHandle(t, driftless.WithRefreshInterval(time.Hour))
		release := make(chan struct{})
		first := true
		h.OnChange(func(driftless.Change[healthConfig]) {
			if first {
				first = false
				<-release // keep the background refresh busy
			}
		})
		mem.Set("db", "two")
		require.NoError(t, h.Trigger("DB_PASSWORD"))
		synctest.Wait() // the pass swapped and is in the hook
		assert.True(t, h.Current().Password.Value() == "two", "the Password served")
		calls := mem.Calls()

		mem.Set("db", "three")
		require.NoError(t, h.Trigger("Password"))
		require.NoError(t, h.Trigger("mem://db"))
		require.NoError(t, h.Trigger("mem://db#anything"))
		close(release)
		synctest.Wait()
		assert.True(t, h.Current().Password.Value() == "three", "the Password served")
		assert.Equal(t, calls+1, mem.Calls(), "three triggers, one fetch of mem://db, none of mem://api")
	})
}

func TestTriggerNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _ := newHealthHandle(t)
		for _, name := range []string{"Nope", "Host", "HOST", "mem://other", "mem://"} {
			err := h.Trigger(name)
			assert.ErrorIs(t, err, driftless.ErrUnknownName, name)
		}
		err := h.Trigger("mem://not-a-secret-of-the-config")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "not-a-secret", "a reference is not echoed: it may be a value")
		assert.ErrorContains(t, h.Trigger("Pasword"), `did you mean "Password"?`)
	})
}

// Without Start, Trigger says nothing will run; RefreshNow fetches the
// named secrets now.
func TestRefreshNowWithoutStart(t *testing.T) {
	mem := drifttest.NewProvider()
	mem.Set("db", "one")
	mem.Set("api", `{"key":"k"}`)
	h, err := driftless.NewHandle[healthConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
	require.NoError(t, err)
	defer h.Close()
	assert.ErrorContains(t, h.Trigger("Password"), "not running")

	mem.Set("db", "two")
	calls := mem.Calls()
	require.NoError(t, h.RefreshNow(t.Context(), "Password"))
	assert.True(t, h.Current().Password.Value() == "two", "the Password served")
	assert.Equal(t, calls+1, mem.Calls(), "only mem://db is fetched")
}

// slowReader reads a secret when called, then takes a while to answer:
// what it returns may be out of date by then.
type slowReader struct{ mem *drifttest.Provider }

func (s slowReader) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	v, err := s.mem.Fetch(ctx, ref)
	select {
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
		return driver.Value{}, ctx.Err()
	}
	return v, err
}

// A trigger that arrives while its secret is being fetched is not lost: the
// fetch in flight may have read the old version, so it is fetched again.
func TestTriggerDuringFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db", "one")
		mem.Set("api", `{"key":"k"}`)
		h, err := driftless.NewHandle[healthConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", slowReader{mem}), driftless.WithRefreshInterval(time.Hour))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))

		mem.Set("db", "two")
		require.NoError(t, h.Trigger("Password"))
		synctest.Wait() // the fetch has read "two" and waits
		mem.Set("db", "three")
		require.NoError(t, h.Trigger("Password"))
		time.Sleep(30 * time.Second)
		synctest.Wait()
		assert.True(t, h.Current().Password.Value() == "three", "the Password served")
	})
}

func TestTriggerFuncHandle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th := drifttest.NewHandle(t, &healthConfig{Host: "a"}, driftless.WithRefreshInterval(time.Hour))
		require.NoError(t, th.Start(t.Context()))
		assert.ErrorIs(t, th.Trigger("Nope"), driftless.ErrUnknownName)
		require.NoError(t, th.Trigger("Host"))
	})
}
