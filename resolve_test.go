package driftless_test

import (
	"bytes"
	"errors"
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

type creds struct {
	User     string           `json:"user"`
	Password driftless.Secret `json:"password"`
	Port     int              `json:"port"`
}

func TestReferencesFromEveryPlace(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"user":"app","password":"pw-1","port":5432,"nested":{"a":{"b":"deep"}}}`)
	mem.Set("prod/openai", "sk-live-1")
	type C struct {
		Key      driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
		User     string           `env:"DB_USER" default:"mem://prod/db#user"`
		Password driftless.Secret `env:"DB_PASSWORD" default:"mem://prod/db#password"`
		Port     int              `env:"DB_PORT" default:"mem://prod/db#port"`
		Deep     string           `env:"DEEP" default:"mem://prod/db#/nested/a/b"`
		Creds    creds            `env:"DB_CREDS" default:"mem://prod/db"`
		URL      string           `env:"PLAIN_URL" default:"https://example.com/x#frag"`
	}
	var cfg C
	rep, err := driftless.Explain(t.Context(), &cfg,
		driftless.WithEnv(map[string]string{"OPENAI_API_KEY": "mem://prod/openai"}),
		driftless.WithProvider("mem", mem.Batching(20)))
	require.NoError(t, err)
	assert.Equal(t, "sk-live-1", cfg.Key.Value())
	assert.Equal(t, "app", cfg.User)
	assert.Equal(t, "pw-1", cfg.Password.Value())
	assert.Equal(t, 5432, cfg.Port)
	assert.Equal(t, "deep", cfg.Deep)
	assert.Equal(t, "app", cfg.Creds.User)
	assert.Equal(t, "pw-1", cfg.Creds.Password.Value())
	assert.Equal(t, "https://example.com/x#frag", cfg.URL, "ordinary URLs are not references")
	assert.Equal(t, 1, mem.Calls(), "two secrets, one batch call: keys of one JSON secret share a fetch")
	table := rep.String()
	assert.NotContains(t, table, "pw-1")
	assert.NotContains(t, table, "sk-live-1")
	assert.Contains(t, table, "mem://prod/db#password")
}

func TestReferenceErrorsNameFieldNotValue(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("app", `{"a":"canary-value-123"}`)
	mem.Set("notjson", `canary-value-123`)
	type C struct {
		NoProvider string `env:"A" default:"vault://secret/app#x"`
		BadRef     string `env:"B" default:"mem://app#/a~2"`
		NoKey      string `env:"C" default:"mem://app#missing"`
		NotJSON    string `env:"D" default:"mem://notjson#k"`
		Missing    string `env:"E" default:"mem://nope"`
		Down       string `env:"F" default:"mem://down"`
	}
	mem.Fail("down", errors.New("connection refused"))
	err := driftless.Load(t.Context(), &C{}, driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Fields(), 6)
	assert.ErrorIs(t, err, driftless.ErrNoProvider)
	assert.ErrorIs(t, err, driftless.ErrInvalidRef)
	assert.ErrorIs(t, err, driftless.ErrNotFound)
	assert.NotContains(t, err.Error(), "canary-value")
	assert.Contains(t, err.Error(), "NoProvider (A from default)")
	assert.Contains(t, err.Error(), "connection refused")
}

func TestColdStartOneRoundTripPerProvider(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.SetLatency(20 * time.Millisecond)
		env := map[string]string{}
		for i := 0; i < 20; i++ {
			mem.Set(secretName(i), `{"a":"x","b":"y"}`)
		}
		for i := 0; i < 40; i++ {
			env[envKey(i)] = "mem://" + secretName(i/2) + "#" + string(rune('a'+i%2))
		}
		start := time.Now()
		cfg, err := driftless.LoadAs[fortyFields](t.Context(), driftless.WithEnv(env), driftless.WithProvider("mem", mem))
		require.NoError(t, err)
		assert.Equal(t, "x", cfg.F00.Value())
		assert.Equal(t, 20*time.Millisecond, time.Since(start), "20 concurrent fetches take one latency")
		assert.Equal(t, 20, mem.Calls(), "calls equal distinct secrets, not fields")
	})
}

func TestKeySourcesFallThroughOnNotFoundOnly(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/OPENAI_API_KEY", "from-source")
	src := driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		return driver.Ref{Scheme: "mem", Name: "prod/" + key}, true
	})
	type C struct {
		Key   driftless.Secret `env:"OPENAI_API_KEY"`
		Model string           `env:"MODEL" default:"gpt"`
		Env   string           `env:"FROM_ENV"`
	}
	cfg := drifttest.Load[C](t, map[string]string{"FROM_ENV": "e"}, driftless.WithProvider("mem", mem), driftless.WithKeySource(src))
	assert.Equal(t, "from-source", cfg.Key.Value())
	assert.Equal(t, "gpt", cfg.Model)
	assert.Equal(t, "e", cfg.Env)

	mem.Fail("prod/MODEL", errors.New("access denied"))
	err := drifttest.LoadErr[C](t, nil, driftless.WithProvider("mem", mem), driftless.WithKeySource(src))
	require.Error(t, err, "a failing source must not silently fall through to the default")
	assert.Contains(t, err.Error(), "Model")
}

func TestRotatingHoldsPrevious(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("hook", "old")
	mem.Set("hook", "new")
	type C struct {
		Signing driftless.Rotating `env:"SIGNING" default:"mem://hook"`
	}
	cfg := drifttest.Load[C](t, nil, driftless.WithProvider("mem", mem))
	assert.Equal(t, "new", cfg.Signing.Current().Value())
	assert.Equal(t, "old", cfg.Signing.Previous().Value())
	assert.True(t, cfg.Signing.Match(func(v string) bool { return v == "old" }))
	assert.False(t, cfg.Signing.Match(func(v string) bool { return v == "other" }))
}

func TestAuditLogNeverHoldsValues(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("k", "canary-audit-value")
	var buf bytes.Buffer
	var mu sync.Mutex
	var events []driftless.Event
	type C struct {
		K driftless.Secret `env:"K" default:"mem://k"`
	}
	drifttest.Load[C](t, nil, driftless.WithProvider("mem", mem),
		driftless.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))),
		driftless.WithMetrics(func(e driftless.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }))
	assert.Contains(t, buf.String(), `"secret":"mem://k"`)
	assert.Contains(t, buf.String(), `"version":"1"`)
	assert.NotContains(t, buf.String(), "canary-audit")
	var kinds []driftless.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	assert.Contains(t, kinds, driftless.EventFetch)
	assert.Contains(t, kinds, driftless.EventCacheMiss)
}

func secretName(i int) string { return "s" + string(rune('a'+i/10)) + string(rune('0'+i%10)) }
func envKey(i int) string     { return "F" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }

type fortyFields struct {
	F00 driftless.Secret `env:"F00"`
	F01 driftless.Secret `env:"F01"`
	F02 driftless.Secret `env:"F02"`
	F03 driftless.Secret `env:"F03"`
	F04 driftless.Secret `env:"F04"`
	F05 driftless.Secret `env:"F05"`
	F06 driftless.Secret `env:"F06"`
	F07 driftless.Secret `env:"F07"`
	F08 driftless.Secret `env:"F08"`
	F09 driftless.Secret `env:"F09"`
	F10 driftless.Secret `env:"F10"`
	F11 driftless.Secret `env:"F11"`
	F12 driftless.Secret `env:"F12"`
	F13 driftless.Secret `env:"F13"`
	F14 driftless.Secret `env:"F14"`
	F15 driftless.Secret `env:"F15"`
	F16 driftless.Secret `env:"F16"`
	F17 driftless.Secret `env:"F17"`
	F18 driftless.Secret `env:"F18"`
	F19 driftless.Secret `env:"F19"`
	F20 driftless.Secret `env:"F20"`
	F21 driftless.Secret `env:"F21"`
	F22 driftless.Secret `env:"F22"`
	F23 driftless.Secret `env:"F23"`
	F24 driftless.Secret `env:"F24"`
	F25 driftless.Secret `env:"F25"`
	F26 driftless.Secret `env:"F26"`
	F27 driftless.Secret `env:"F27"`
	F28 driftless.Secret `env:"F28"`
	F29 driftless.Secret `env:"F29"`
	F30 driftless.Secret `env:"F30"`
	F31 driftless.Secret `env:"F31"`
	F32 driftless.Secret `env:"F32"`
	F33 driftless.Secret `env:"F33"`
	F34 driftless.Secret `env:"F34"`
	F35 driftless.Secret `env:"F35"`
	F36 driftless.Secret `env:"F36"`
	F37 driftless.Secret `env:"F37"`
	F38 driftless.Secret `env:"F38"`
	F39 driftless.Secret `env:"F39"`
}
