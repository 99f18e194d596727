package driftless_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// handleMethods is every exported method of *Handle, each called on a
// Handle that is not usable. TestZeroAndClosedHandles fails when a method
// is added without being added here.
var handleMethods = map[string]func(t *testing.T, h *driftless.Handle[svcConfig]){
	"Current": func(t *testing.T, h *driftless.Handle[svcConfig]) { _ = h.Current() },
	"Report":  func(t *testing.T, h *driftless.Handle[svcConfig]) { _ = h.Report() },
	"Degraded": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		degraded, _ := h.Degraded()
		assert.False(t, degraded)
	},
	"OnChange": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		h.OnChange(func(driftless.Change[svcConfig]) {})()
	},
	"OnChangeOf": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		remove, err := h.OnChangeOf(func(driftless.Change[svcConfig]) {}, "Key")
		if err != nil {
			assert.ErrorIs(t, err, driftless.ErrHandleClosed)
		}
		remove()
	},
	"OnError": func(t *testing.T, h *driftless.Handle[svcConfig]) { h.OnError(func(error) {})() },
	"Refresh": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.ErrorIs(t, h.Refresh(t.Context()), driftless.ErrHandleClosed)
	},
	"ForceRefresh": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.ErrorIs(t, h.ForceRefresh(t.Context()), driftless.ErrHandleClosed)
	},
	"Start": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.ErrorIs(t, h.Start(t.Context()), driftless.ErrHandleClosed)
	},
	"Close":  func(t *testing.T, h *driftless.Handle[svcConfig]) { assert.NoError(t, h.Close()) },
	"String": func(t *testing.T, h *driftless.Handle[svcConfig]) { assert.Contains(t, h.String(), "svcConfig") },
	"Trigger": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.ErrorIs(t, h.Trigger("Key"), driftless.ErrHandleClosed)
	},
	"RefreshNow": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.ErrorIs(t, h.RefreshNow(t.Context(), "Key"), driftless.ErrHandleClosed)
	},
	"Status": func(t *testing.T, h *driftless.Handle[svcConfig]) { assert.False(t, h.Status().Running) },
	"Health": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		assert.NotEqual(t, driftless.HealthOK, h.Health().Verdict, "a zero or closed Handle is not ok")
	},
	"HealthHandler": func(t *testing.T, h *driftless.Handle[svcConfig]) {
		rec := httptest.NewRecorder()
		h.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz?probe=liveness", nil))
		assert.Equal(t, http.StatusOK, rec.Code, "a Handle that does not refresh is not wedged")
	},
}

func TestZeroAndClosedHandles(t *testing.T) {
	var names []string
	typ := reflect.TypeFor[*driftless.Handle[svcConfig]]()
	for i := range typ.NumMethod() {
		names = append(names, typ.Method(i).Name)
	}
	var tested []string
	for name := range handleMethods {
		tested = append(tested, name)
	}
	slices.Sort(tested)
	require.Equal(t, names, tested, "every exported method is called below")

	handles := map[string]func(t *testing.T) *driftless.Handle[svcConfig]{
		"zero": func(*testing.T) *driftless.Handle[svcConfig] { return &driftless.Handle[svcConfig]{} },
		"closed": func(t *testing.T) *driftless.Handle[svcConfig] {
			h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", newMem()))
			require.NoError(t, err)
			require.NoError(t, h.Close())
			return h
		},
		"started then closed": func(t *testing.T) *driftless.Handle[svcConfig] {
			h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", newMem()))
			require.NoError(t, err)
			require.NoError(t, h.Start(t.Context()))
			require.NoError(t, h.Close())
			return h
		},
	}
	for hname, mk := range handles {
		t.Run(hname, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := mk(t)
				for _, name := range names {
					handleMethods[name](t, h) // must not panic
				}
				// And again in another order, and concurrently.
				var wg sync.WaitGroup
				for _, name := range slices.Backward(names) {
					wg.Add(1)
					go func() { defer wg.Done(); handleMethods[name](t, h) }()
				}
				wg.Wait()
				time.Sleep(time.Hour) // a goroutine started by Start would run (and panic) here
				synctest.Wait()
			})
		})
	}
	assert.Nil(t, (&driftless.Handle[svcConfig]{}).Current(), "a zero Handle has no snapshot")
}

// Hooks run in registration order, every time.
func TestHooksRunInRegistrationOrder(t *testing.T) {
	mem := newMem()
	h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
		driftless.WithForceRefreshLimit(0))
	require.NoError(t, err)
	defer h.Close()
	var order, errOrder []int
	var removes []func()
	for i := range 20 {
		removes = append(removes, h.OnChange(func(driftless.Change[svcConfig]) { order = append(order, i) }))
		h.OnError(func(error) { errOrder = append(errOrder, i) })
	}
	removes[3]()
	removes[17]()
	want := []int{0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19}
	for gen := range 5 {
		order = nil
		mem.Set("openai", `{"key":"k`+string(rune('a'+gen))+`"}`)
		require.NoError(t, h.ForceRefresh(t.Context()))
		assert.Equal(t, want, order)
	}
	mem.Fail("limits", errors.New("down"))
	require.Error(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, errOrder)
}

type namedConfig struct {
	Model string           `env:"MODEL" default:"gpt"`
	Key   driftless.Secret `env:"OPENAI_API_KEY" default:"mem://openai#key"`
	DB    struct {
		Host     string           `env:"HOST" default:"localhost"`
		Password driftless.Secret `env:"PASSWORD" default:"mem://db#password"`
	} `prefix:"DB_"`
}

// Change.Changed accepts field paths, keys and nested struct paths; a name
// that designates nothing is reported, not silently false.
func TestChangedAcceptsPathsAndKeys(t *testing.T) {
	mem := newMem()
	mem.Set("db", `{"password":"p1"}`)
	var logged bytes.Buffer
	h, err := driftless.NewHandle[namedConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
		driftless.WithForceRefreshLimit(0), driftless.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	require.NoError(t, err)
	defer h.Close()
	got := map[string]bool{}
	h.OnChange(func(c driftless.Change[namedConfig]) {
		for _, name := range []string{"DB.Password", "DB_PASSWORD", "DB", "Key", "OPENAI_API_KEY", "Model", "MODEL", "DB.Host"} {
			got[name] = c.Changed(name)
		}
	})
	var reported []error
	h.OnError(func(err error) { reported = append(reported, err) })

	mem.Set("db", `{"password":"p2"}`)
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, map[string]bool{
		"DB.Password": true, "DB_PASSWORD": true, "DB": true,
		"Key": false, "OPENAI_API_KEY": false, "Model": false, "MODEL": false, "DB.Host": false,
	}, got)
	assert.Empty(t, reported)

	// A misspelt name, or the key of another struct, is reported to the
	// error hooks and the logger after the hooks ran, once per name.
	h.OnChange(func(c driftless.Change[namedConfig]) { _ = c.Changed("DB.Pasword") || c.Changed("OPENAI_KEY") })
	for gen := range 2 {
		mem.Set("db", `{"password":"p`+string(rune('3'+gen))+`"}`)
		err := h.ForceRefresh(t.Context())
		if gen == 0 {
			require.ErrorIs(t, err, driftless.ErrUnknownName, "ForceRefresh says so too")
			assert.Contains(t, err.Error(), `"DB.Pasword"`)
			assert.Contains(t, err.Error(), `"OPENAI_KEY"`)
		} else {
			require.NoError(t, err, "reported once")
		}
	}
	require.Len(t, reported, 1)
	assert.ErrorIs(t, reported[0], driftless.ErrUnknownName)
	assert.Equal(t, "p4", h.Current().DB.Password.Value(), "the swaps happened")
	assert.Contains(t, logged.String(), "DB.Pasword")
	assert.NotContains(t, logged.String(), "p4")
}

// OnChangeOf checks its names at registration and calls its hook only when
// one of them changed.
func TestOnChangeOfChecksNamesAtRegistration(t *testing.T) {
	mem := newMem()
	mem.Set("db", `{"password":"p1"}`)
	h, err := driftless.NewHandle[namedConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem),
		driftless.WithForceRefreshLimit(0))
	require.NoError(t, err)
	defer h.Close()

	_, err = h.OnChangeOf(func(driftless.Change[namedConfig]) {}, "DB_PASSWORD", "DB.Pasword", "Timeout", "OPENAI_API_KYE")
	require.ErrorIs(t, err, driftless.ErrUnknownName)
	assert.Contains(t, err.Error(), `"DB.Pasword" in driftless_test.namedConfig (did you mean "DB.Password"?)`)
	assert.Contains(t, err.Error(), `"OPENAI_API_KYE" in driftless_test.namedConfig (did you mean "OPENAI_API_KEY"?)`)
	assert.Contains(t, err.Error(), `"Timeout" in driftless_test.namedConfig`+"\n", "no hint when nothing is close")
	assert.NotContains(t, err.Error(), `"DB_PASSWORD" in`)
	_, err = h.OnChangeOf(func(driftless.Change[namedConfig]) {})
	require.Error(t, err, "no names is a mistake too")

	var dbCalls, keyCalls int
	_, err = h.OnChangeOf(func(driftless.Change[namedConfig]) { dbCalls++ }, "DB")
	require.NoError(t, err)
	removeKey, err := h.OnChangeOf(func(driftless.Change[namedConfig]) { keyCalls++ }, "OPENAI_API_KEY", "Model")
	require.NoError(t, err)

	mem.Set("db", `{"password":"p2"}`)
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, 1, dbCalls)
	assert.Equal(t, 0, keyCalls)
	mem.Set("openai", `{"key":"k2"}`)
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, 1, dbCalls)
	assert.Equal(t, 1, keyCalls)
	removeKey()
	mem.Set("openai", `{"key":"k3"}`)
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, 1, keyCalls, "removed")
}

// A Change made by hand (in a user's test) still answers for paths.
func TestChangeMadeByHand(t *testing.T) {
	c := driftless.Change[namedConfig]{Paths: []string{"DB.Password"}}
	assert.True(t, c.Changed("DB.Password"))
	assert.False(t, c.Changed("Key"))
}
