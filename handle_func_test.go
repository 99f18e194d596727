package driftless_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// funcSource is a custom source: a config service, here a struct in memory.
type funcSource struct {
	mu    sync.Mutex
	cfg   svcConfig
	err   error
	panic bool
	calls int
}

func (s *funcSource) load(ctx context.Context) (*svcConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.panic {
		panic("source holds " + panicSecret)
	}
	if s.err != nil {
		return nil, s.err
	}
	c := s.cfg
	return &c, nil
}

func (s *funcSource) set(f func(s *funcSource)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func TestNewHandleFunc(t *testing.T) {
	src := &funcSource{cfg: svcConfig{Model: "m1", Key: driftless.NewSecret("k1"), Limit: 1}}
	h, err := driftless.NewHandleFunc(t.Context(), src.load, driftless.WithForceRefreshLimit(0))
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, "m1", h.Current().Model)
	rep := h.Report()
	require.NotNil(t, rep)
	assert.Equal(t, "driftless_test.svcConfig", rep.Type)
	require.Len(t, rep.Fields, 3)
	assert.Equal(t, driftless.FieldReport{Path: "Key", Key: "API_KEY", Source: "load function", Secret: true}, rep.Fields[1])

	var changes []driftless.Change[svcConfig]
	h.OnChange(func(c driftless.Change[svcConfig]) { changes = append(changes, c) })
	var errs []error
	h.OnError(func(err error) { errs = append(errs, err) })

	src.set(func(s *funcSource) { s.cfg.Key = driftless.NewSecret("k2") })
	require.NoError(t, h.Refresh(t.Context()), "Refresh calls the load function")
	require.Len(t, changes, 1)
	assert.Equal(t, []string{"Key"}, changes[0].Paths)
	assert.Equal(t, "k2", h.Current().Key.Value())

	good := h.Current()
	for name, tc := range map[string]struct {
		change func(s *funcSource)
		is     error
	}{
		"error":      {func(s *funcSource) { s.err = errDownTest }, errDownTest},
		"invalid":    {func(s *funcSource) { s.cfg.Limit = -1 }, driftless.ErrValidation},
		"panic":      {func(s *funcSource) { s.panic = true }, driftless.ErrPanic},
		"nil config": {func(s *funcSource) { s.err = nil }, nil},
	} {
		errs = nil
		src.set(func(s *funcSource) { s.err, s.panic, s.cfg.Limit = nil, false, 1 })
		src.set(tc.change)
		if name == "nil config" {
			h2, err := driftless.NewHandleFunc(t.Context(), func(context.Context) (*svcConfig, error) { return nil, nil })
			assert.Nil(t, h2)
			assert.ErrorContains(t, err, "neither a config nor an error")
			continue
		}
		err := h.ForceRefresh(t.Context())
		require.Error(t, err, name)
		var le *driftless.LoadError
		assert.ErrorAs(t, err, &le, name)
		assert.ErrorIs(t, err, tc.is, name)
		assert.NotContains(t, err.Error(), panicSecret)
		assert.Len(t, errs, 1, "%s: reported to the error hooks", name)
		assert.Same(t, good, h.Current(), "%s: the last good config is kept", name)
	}

	_, err = driftless.NewHandleFunc[svcConfig](t.Context(), nil)
	assert.Error(t, err)
	_, err = driftless.NewHandleFunc(t.Context(), func(context.Context) (*svcConfig, error) { return nil, errDownTest })
	assert.ErrorIs(t, err, errDownTest, "the first load fails like NewHandle's")
}

var errDownTest = errors.New("config service down")

// Start calls the load function once per refresh interval.
func TestNewHandleFuncInTheBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &funcSource{cfg: svcConfig{Model: "m1"}}
		h, err := driftless.NewHandleFunc(t.Context(), src.load, driftless.WithRefreshInterval(time.Minute))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		time.Sleep(10*time.Minute + 30*time.Second)
		synctest.Wait()
		src.mu.Lock()
		defer src.mu.Unlock()
		assert.InDelta(t, 11, src.calls, 1, "the first load, then one per minute")
	})
}
