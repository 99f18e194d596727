package driftless_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// gateConfig assembles a DSN from a host, a user and a rotating password.
type gateConfig struct {
	Host     string           `env:"DB_HOST" default:"db.internal"`
	User     string           `env:"DB_USER" default:"app"`
	Password driftless.Secret `env:"DB_PASSWORD" default:"mem://db-password"`

	dsn string // derived: recomputed by Derive on every candidate
}

func (c *gateConfig) Derive() error {
	c.dsn = "postgres://" + c.User + ":" + c.Password.Value() + "@" + c.Host + "/app"
	return nil
}

func gateOpts(mem *drifttest.Provider, more ...driftless.Option) []driftless.Option {
	return append([]driftless.Option{driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
		driftless.WithRefreshInterval(time.Minute), driftless.WithBackoff(time.Second, 8*time.Second)}, more...)
}

func TestGateAcceptsAndSeesTheChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		v1 := mem.Set("db-password", "pw-one")
		var seen []driftless.Change[gateConfig]
		var mu sync.Mutex
		gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, c)
			return nil
		})
		h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate)...)
		require.NoError(t, err)
		defer h.Close()
		require.Len(t, seen, 1, "the gate runs at boot")
		assert.Nil(t, seen[0].Old)
		assert.Equal(t, []string{"Host", "User", "Password"}, seen[0].Paths)
		assert.Equal(t, map[string]driftless.VersionChange{"Password": {New: v1}}, seen[0].Versions)

		var hooked driftless.Change[gateConfig]
		h.OnChange(func(c driftless.Change[gateConfig]) { hooked = c })
		v2 := mem.Set("db-password", "pw-two")
		time.Sleep(2 * time.Minute)
		require.NoError(t, h.Refresh(t.Context()))
		require.Len(t, seen, 2)
		assert.Equal(t, "pw-one", seen[1].Old.Password.Value())
		assert.Equal(t, "pw-two", seen[1].New.Password.Value())
		assert.Equal(t, []string{"Password"}, seen[1].Paths)
		want := map[string]driftless.VersionChange{"Password": {Old: v1, New: v2}}
		assert.Equal(t, want, seen[1].Versions)
		assert.Equal(t, want, hooked.Versions, "the change hooks see the versions too")
		assert.Equal(t, "pw-two", h.Current().Password.Value())

		// An unchanged candidate is not gated again.
		time.Sleep(2 * time.Minute)
		require.NoError(t, h.Refresh(t.Context()))
		assert.Len(t, seen, 2)
	})
}

func TestGateRefusalKeepsLastGoodAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db-password", "pw-one")
		var allow atomic.Bool
		allow.Store(true)
		var refusedAt []time.Time
		var callMu sync.Mutex
		var events []driftless.Event
		var evMu sync.Mutex
		gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
			if !allow.Load() {
				callMu.Lock()
				refusedAt = append(refusedAt, time.Now())
				callMu.Unlock()
				return errors.New("login refused for user app")
			}
			return nil
		})
		metrics := driftless.WithMetrics(func(e driftless.Event) {
			if e.Kind == driftless.EventRejected {
				evMu.Lock()
				events = append(events, e)
				evMu.Unlock()
			}
		})
		h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate, metrics)...)
		require.NoError(t, err)
		defer h.Close()
		var errs []error
		h.OnError(func(err error) { errs = append(errs, err) })
		require.NoError(t, h.Start(t.Context()))

		allow.Store(false)
		mem.Set("db-password", "pw-two")
		time.Sleep(2 * time.Minute) // the secret is due within one interval
		synctest.Wait()
		assert.Equal(t, "pw-one", h.Current().Password.Value(), "the last good config is kept")
		require.NotEmpty(t, errs)
		assert.ErrorIs(t, errs[0], driftless.ErrRejected)
		var ge *driftless.GateError
		require.ErrorAs(t, errs[0], &ge)
		assert.Contains(t, ge.In, "gate_test.go:")
		hl := h.Health()
		assert.Equal(t, driftless.HealthDegraded, hl.Verdict)
		assert.Contains(t, strings.Join(hl.Reasons, "\n"), "candidate rejected by gate")
		evMu.Lock()
		require.NotEmpty(t, events)
		assert.Equal(t, []string{"Password"}, events[0].Changed)
		assert.ErrorIs(t, events[0].Err, driftless.ErrRejected)
		evMu.Unlock()

		// Retried with backoff (1s, 2s, 4s, then the 8s cap), not every
		// instant.
		time.Sleep(30 * time.Second)
		synctest.Wait()
		callMu.Lock()
		require.GreaterOrEqual(t, len(refusedAt), 6)
		var gaps []time.Duration
		for i := 1; i < 6; i++ {
			gaps = append(gaps, refusedAt[i].Sub(refusedAt[i-1]))
		}
		callMu.Unlock()
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}, gaps)

		allow.Store(true)
		time.Sleep(10 * time.Second) // past the backoff cap
		synctest.Wait()
		assert.Equal(t, "pw-two", h.Current().Password.Value(), "accepted on a retry")
		assert.Equal(t, driftless.HealthOK, h.Health().Verdict)
	})
}

func TestGateTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db-password", "pw-one")
		release := make(chan struct{})
		defer close(release)
		var block atomic.Bool
		var sawDeadline atomic.Bool
		gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
			if !block.Load() {
				return nil
			}
			_, ok := ctx.Deadline()
			sawDeadline.Store(ok)
			<-release // ignores its context: abandoned at the timeout
			return nil
		})
		h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate, driftless.WithGateTimeout(3*time.Second))...)
		require.NoError(t, err)
		defer h.Close()
		block.Store(true)
		mem.Set("db-password", "pw-two")
		time.Sleep(2 * time.Minute)
		start := time.Now()
		err = h.Refresh(t.Context())
		assert.Equal(t, 3*time.Second, time.Since(start))
		assert.ErrorIs(t, err, driftless.ErrRejected)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, sawDeadline.Load())
		assert.Equal(t, "pw-one", h.Current().Password.Value())
	})
}

func TestGatePanicRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db-password", "pw-one")
		var boom atomic.Bool
		gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
			if boom.Load() {
				panic("cannot log in with " + c.New.Password.Value())
			}
			return nil
		})
		h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate)...)
		require.NoError(t, err)
		defer h.Close()
		boom.Store(true)
		mem.Set("db-password", "hunter2-secret")
		time.Sleep(2 * time.Minute)
		err = h.Refresh(t.Context())
		assert.ErrorIs(t, err, driftless.ErrRejected)
		assert.ErrorIs(t, err, driftless.ErrPanic)
		assert.NotContains(t, err.Error(), "hunter2")
		assert.Equal(t, "pw-one", h.Current().Password.Value())
	})
}

func TestGateRefusesAtBoot(t *testing.T) {
	mem := drifttest.NewProvider()
	mem.Set("db-password", "hunter2-secret")
	gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
		return fmt.Errorf("password %s rejected", c.New.Password.Value())
	})
	h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate)...)
	assert.Nil(t, h)
	require.ErrorIs(t, err, driftless.ErrRejected)
	assert.NotContains(t, err.Error(), "hunter2", "the gate's message shows a secret: withheld")

	_, err = driftless.LoadAs[gateConfig](t.Context(), gateOpts(mem, gate)...)
	assert.ErrorIs(t, err, driftless.ErrRejected, "Load runs the gates too")

	load := func(context.Context) (*gateConfig, error) { return &gateConfig{Host: "h"}, nil }
	_, err = driftless.NewHandleFunc(t.Context(), load, driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
		return errors.New("no")
	}))
	assert.ErrorIs(t, err, driftless.ErrRejected)
}

func TestGateOfAnotherType(t *testing.T) {
	mem := drifttest.NewProvider()
	mem.Set("db-password", "pw")
	gate := driftless.Gate(func(ctx context.Context, c driftless.Change[signingConfig]) error { return nil })
	_, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate)...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signingConfig")
	_, err = driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, driftless.WithGateTimeout(0))...)
	assert.Error(t, err)
}

func TestDeriveRecomputesWhenOneInputRotates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db-password", "pw-one")
		var dsns []string
		gate := driftless.Gate(func(ctx context.Context, c driftless.Change[gateConfig]) error {
			dsns = append(dsns, c.New.dsn) // the gate sees the derived value
			return nil
		})
		h, err := driftless.NewHandle[gateConfig](t.Context(), gateOpts(mem, gate)...)
		require.NoError(t, err)
		defer h.Close()
		assert.Equal(t, "postgres://app:pw-one@db.internal/app", h.Current().dsn)
		mem.Set("db-password", "pw-two")
		time.Sleep(2 * time.Minute)
		require.NoError(t, h.Refresh(t.Context()))
		assert.Equal(t, "postgres://app:pw-two@db.internal/app", h.Current().dsn)
		assert.Equal(t, []string{"postgres://app:pw-one@db.internal/app", "postgres://app:pw-two@db.internal/app"}, dsns)

		cfg, err := driftless.LoadAs[gateConfig](t.Context(), gateOpts(mem)...)
		require.NoError(t, err)
		assert.Equal(t, "postgres://app:pw-two@db.internal/app", cfg.dsn, "Load derives too")
	})
}

type deriveFails struct {
	Host string `env:"HOST" default:"h"`
}

func (*deriveFails) Derive() error {
	return &driftless.FieldError{Field: "Host", Err: errors.New("cannot derive")}
}

func (*deriveFails) Validate() error { panic("Validate must not run after Derive failed") }

func TestDeriveErrorStopsTheCandidate(t *testing.T) {
	_, err := driftless.LoadAs[deriveFails](t.Context(), driftless.WithEnv(nil))
	require.ErrorIs(t, err, driftless.ErrValidation)
	assert.NotErrorIs(t, err, driftless.ErrPanic)
	var fe *driftless.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Host", fe.Field)
}

func TestEventRejectedString(t *testing.T) {
	assert.Equal(t, "rejected", driftless.EventRejected.String())
}
