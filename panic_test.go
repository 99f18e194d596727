package driftless_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// The secret value that every panic below carries, to check that it never
// reaches an error.
const panicSecret = "sk-panic-secret-value"

// assertPanicReport checks that err reports a recovered panic of in,
// without the panic value.
func assertPanicReport(t *testing.T, err error, in string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, driftless.ErrPanic)
	var pe *driftless.PanicError
	if assert.ErrorAs(t, err, &pe) {
		assert.Contains(t, pe.In, in)
		assert.NotEmpty(t, pe.ValueType)
	}
	assert.NotContains(t, err.Error(), panicSecret, "the panic value never reaches an error")
	assert.NotContains(t, err.Error(), "goroutine", "no stack trace")
}

// panicConfig panics in Validate when its Limit is 13.
type panicConfig struct {
	Key   driftless.Secret `env:"API_KEY" default:"mem://openai#key"`
	Limit int              `env:"LIMIT" default:"mem://limits#rpm"`
}

func (c *panicConfig) Validate() error {
	if c.Limit == 13 {
		panic("unlucky config with key " + c.Key.Value())
	}
	return nil
}

// Every Handle method keeps working after a panic in a hook or validator
// during ForceRefresh (net/http recovers a handler's panic, which used to
// leave the force flag set and the pass mutex locked: Refresh and Close
// blocked for ever). synctest reports a deadlock as a failure.
func TestPanicDuringForceRefreshLeavesHandleWorking(t *testing.T) {
	for name, tc := range map[string]struct {
		setup func(h *driftless.Handle[panicConfig], mem *drifttest.Provider)
		in    string
		kept  bool // the last good snapshot is kept (a change hook runs after the swap)
	}{
		"OnChange hook": {
			setup: func(h *driftless.Handle[panicConfig], mem *drifttest.Provider) {
				h.OnChange(func(c driftless.Change[panicConfig]) { panic(errors.New("hook saw " + c.New.Key.Value())) })
				mem.Set("openai", `{"key":"`+panicSecret+`"}`)
			},
			in: "OnChange hook registered at panic_test.go:",
		},
		"Validate method": {
			setup: func(h *driftless.Handle[panicConfig], mem *drifttest.Provider) {
				mem.Set("openai", `{"key":"`+panicSecret+`"}`)
				mem.Set("limits", `{"rpm":13}`)
			},
			in:   "the Validate method of *driftless_test.panicConfig",
			kept: true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mem := newMem()
				h, err := driftless.NewHandle[panicConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
				require.NoError(t, err)
				good := h.Current()
				var reported []error
				h.OnError(func(err error) { reported = append(reported, err) })
				tc.setup(h, mem)

				err = h.ForceRefresh(t.Context())
				assertPanicReport(t, err, tc.in)
				require.Len(t, reported, 1, "reported to the OnError hooks")
				assertPanicReport(t, reported[0], tc.in)
				if tc.kept {
					assert.Same(t, good, h.Current(), "the last good snapshot is kept")
				} else {
					assert.Equal(t, panicSecret, h.Current().Key.Value(), "the valid new snapshot stays")
				}

				// Every method still works.
				assert.NotNil(t, h.Report())
				_ = h.Refresh(t.Context())
				time.Sleep(10 * time.Second) // past the force-refresh limit
				mem.Set("limits", `{"rpm":100}`)
				mem.Set("openai", `{"key":"k-after"}`)
				_ = h.ForceRefresh(t.Context())
				require.NoError(t, h.Start(t.Context()))
				remove := h.OnChange(func(driftless.Change[panicConfig]) {})
				remove()
				require.NoError(t, h.Close())
				assert.Equal(t, "k-after", h.Current().Key.Value(), "refreshes went on")
			})
		})
	}
}

// A panic in Load's user code is reported in the *LoadError.
func TestPanicDuringLoadIsReportedWithoutItsValue(t *testing.T) {
	type plain struct {
		Key   string     `env:"KEY"`
		Level panicLevel `env:"LEVEL"`
		Host  panicHost  `env:"HOST"`
	}
	env := map[string]string{"KEY": panicSecret, "LEVEL": "ok", "HOST": "ok"}
	for name, tc := range map[string]struct {
		env   map[string]string
		opts  []driftless.Option
		in    string
		field string
	}{
		"WithValidator": {
			opts: []driftless.Option{driftless.WithValidator(func(cfg any) error {
				panic(cfg.(*plain).Key)
			})},
			in: "WithValidator function 1 of 1 (github.com/driftless/driftless_test.TestPanicDuringLoadIsReportedWithoutItsValue",
		},
		"WithDecoder": {
			env: map[string]string{"HOST": panicSecret},
			opts: []driftless.Option{driftless.WithDecoder(func(s string) (panicHost, error) {
				var m map[string]int
				m[s]++ // a runtime error whose message is safe, but the rule is one
				return panicHost(""), nil
			})},
			in:    "the WithDecoder decoder for driftless_test.panicHost",
			field: "Host",
		},
		"UnmarshalText": {
			env:   map[string]string{"LEVEL": panicSecret},
			in:    "UnmarshalText of *driftless_test.panicLevel",
			field: "Level",
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range tc.env {
				e[k] = v
			}
			var cfg plain
			err := driftless.Load(t.Context(), &cfg, append([]driftless.Option{driftless.WithEnv(e)}, tc.opts...)...)
			assertPanicReport(t, err, tc.in)
			var le *driftless.LoadError
			require.ErrorAs(t, err, &le)
			if tc.field != "" {
				require.Len(t, le.Fields(), 1)
				assert.Equal(t, tc.field, le.Fields()[0].Field)
			}
			assert.Equal(t, plain{}, cfg, "nothing is half-applied")
		})
	}
}

// panicLevel panics on a value other than "ok" with the value.
type panicLevel string

func (l *panicLevel) UnmarshalText(b []byte) error {
	if string(b) != "ok" {
		panic("bad level " + string(b))
	}
	*l = panicLevel(b)
	return nil
}

type panicHost string

// A panicking OnError hook is reported to the other error hooks, which
// still run in order; a panicking metrics hook does not fail anything.
func TestPanicInErrorAndMetricsHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
			driftless.WithMetrics(func(driftless.Event) { panic(panicSecret) }))
		require.NoError(t, err)
		defer h.Close()
		var mu sync.Mutex
		var seen []string
		h.OnError(func(err error) { mu.Lock(); seen = append(seen, "first: "+err.Error()); mu.Unlock() })
		h.OnError(func(err error) { panic(panicSecret) })
		h.OnError(func(err error) { mu.Lock(); seen = append(seen, "third: "+err.Error()); mu.Unlock() })

		mem.Fail("limits", errors.New("access denied"))
		err = h.ForceRefresh(t.Context())
		require.Error(t, err)
		assertPanicReport(t, err, "OnError hook registered at panic_test.go:")
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, seen, 4, "the refresh error to both calm hooks, then the panic to both")
		assert.True(t, strings.HasPrefix(seen[0], "first: ") && strings.Contains(seen[0], "access denied"))
		assert.True(t, strings.HasPrefix(seen[1], "third: ") && strings.Contains(seen[1], "access denied"))
		assert.Contains(t, seen[2], "OnError hook registered at panic_test.go:")
		for _, s := range seen {
			assert.NotContains(t, s, panicSecret)
		}
	})
}
