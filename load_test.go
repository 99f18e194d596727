package driftless_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

type level string

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "debug", "info", "warn":
		*l = level(b)
		return nil
	}
	return fmt.Errorf("unknown level %q", b)
}

type dbConfig struct {
	Host     string           `env:"HOST" default:"localhost"`
	Port     int              `env:"PORT" default:"5432"`
	Password driftless.Secret `env:"PASSWORD"`
}

type fullConfig struct {
	ModelName string             `env:"MODEL_NAME" default:"gpt-4-turbo" desc:"model to serve"`
	APIKey    driftless.Secret   `env:"OPENAI_API_KEY" required:"true"`
	Timeout   time.Duration      `env:"TIMEOUT" default:"30s"`
	Hosts     []string           `env:"HOSTS" sep:","`
	Ports     []int              `env:"PORTS" sep:";"`
	Weights   map[string]float64 `env:"WEIGHTS"`
	Debug     bool               `env:"DEBUG"`
	Ratio     float32            `env:"RATIO" default:"0.5"`
	Small     int8               `env:"SMALL"`
	Big       uint64             `env:"BIG"`
	Opt       *int               `env:"OPT"`
	When      time.Time          `env:"WHEN"`
	Endpoint  url.URL            `env:"ENDPOINT" default:"https://api.example.com/v1"`
	IP        net.IP             `env:"IP"`
	Blob      []byte             `env:"BLOB"`
	Level     level              `env:"LEVEL" default:"info"`
	Token     string             `env:"TOKEN" secret:"true"`
	DB        dbConfig           `prefix:"DB_"`
	Cache     *dbConfig          `prefix:"CACHE_"`
	Unrelated string
}

func TestLoadAllTypes(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"OPENAI_API_KEY": "sk-test-123",
		"HOSTS":          "a, b,c",
		"PORTS":          "1;2;3",
		"WEIGHTS":        "a=1.5,b=2",
		"DEBUG":          "yes",
		"SMALL":          "-8",
		"BIG":            "18446744073709551615",
		"OPT":            "7",
		"WHEN":           "2026-01-02T15:04:05Z",
		"IP":             "10.0.0.1",
		"BLOB":           "aGVsbG8=",
		"LEVEL":          "debug",
		"TOKEN":          "tok",
		"DB_HOST":        "db.internal",
		"DB_PASSWORD":    "pw",
	}
	cfg, err := driftless.LoadAs[fullConfig](t.Context(), driftless.WithEnv(env))
	require.NoError(t, err)
	assert.Equal(t, "gpt-4-turbo", cfg.ModelName)
	assert.Equal(t, "sk-test-123", cfg.APIKey.Value())
	assert.Equal(t, 30*time.Second, cfg.Timeout)
	assert.Equal(t, []string{"a", "b", "c"}, cfg.Hosts)
	assert.Equal(t, []int{1, 2, 3}, cfg.Ports)
	assert.Equal(t, map[string]float64{"a": 1.5, "b": 2}, cfg.Weights)
	assert.True(t, cfg.Debug)
	assert.Equal(t, float32(0.5), cfg.Ratio)
	assert.Equal(t, int8(-8), cfg.Small)
	assert.Equal(t, uint64(18446744073709551615), cfg.Big)
	require.NotNil(t, cfg.Opt)
	assert.Equal(t, 7, *cfg.Opt)
	assert.Equal(t, time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), cfg.When)
	assert.Equal(t, "api.example.com", cfg.Endpoint.Host)
	assert.Equal(t, "10.0.0.1", cfg.IP.String())
	assert.Equal(t, []byte("hello"), cfg.Blob)
	assert.Equal(t, level("debug"), cfg.Level)
	assert.Equal(t, "tok", cfg.Token)
	assert.Equal(t, "db.internal", cfg.DB.Host)
	assert.Equal(t, 5432, cfg.DB.Port)
	assert.Equal(t, "pw", cfg.DB.Password.Value())
	assert.Nil(t, cfg.Cache, "a pointer to a nested struct none of whose fields is set stays nil")
}

func TestPointerStructAllocatedWhenSet(t *testing.T) {
	t.Parallel()
	type C struct {
		Cache *dbConfig `prefix:"CACHE_"`
	}
	cfg, err := driftless.LoadAs[C](t.Context(), driftless.WithEnv(map[string]string{"CACHE_HOST": "redis"}))
	require.NoError(t, err)
	require.NotNil(t, cfg.Cache)
	assert.Equal(t, "redis", cfg.Cache.Host)
}

func TestEveryFailureAtOnceWithoutValues(t *testing.T) {
	t.Parallel()
	type C struct {
		Key     driftless.Secret `env:"KEY" required:"true"`
		Port    int              `env:"PORT"`
		Timeout time.Duration    `env:"TIMEOUT"`
		URL     url.URL          `env:"URL"`
		Level   level            `env:"LEVEL"`
		Ok      string           `env:"OK"`
	}
	env := map[string]string{
		"PORT":    "not-a-port-s3cr3t",
		"TIMEOUT": "forever-s3cr3t",
		"URL":     "http://user:s3cr3t@[::1:bad",
		"LEVEL":   "s3cr3t-level",
		"OK":      "fine",
	}
	var cfg C
	cfg.Ok = "unchanged"
	err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(env))
	require.Error(t, err)
	assert.Equal(t, "unchanged", cfg.Ok, "nothing is half-applied")
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	fields := le.Fields()
	require.Len(t, fields, 5)
	var paths []string
	for _, f := range fields {
		paths = append(paths, f.Field)
		assert.NotEmpty(t, f.Key)
	}
	assert.Equal(t, []string{"Key", "Port", "Timeout", "URL", "Level"}, paths)
	assert.ErrorIs(t, err, driftless.ErrRequired)
	assert.ErrorIs(t, err, driftless.ErrDecode)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assert.NotContains(t, s, "s3cr3t")
	}
	assert.Contains(t, err.Error(), "Port (PORT from env)")
}

func TestPrecedenceEnvThenFilesThenDefault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	local := filepath.Join(dir, ".env.local")
	base := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(local, []byte("A=local\n"), 0o600))
	require.NoError(t, os.WriteFile(base, []byte("A=base\nB=base\nC=base\n"), 0o600))
	type C struct {
		A string `env:"A"`
		B string `env:"B"`
		C string `env:"C"`
		D string `env:"D" default:"def"`
		E string `env:"E" default:"def"`
	}
	rep, err := driftless.Explain(t.Context(), &C{},
		driftless.WithEnv(map[string]string{"C": "process", "E": ""}),
		driftless.WithEnvFiles(local, base, filepath.Join(dir, "missing.env")))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range rep.Fields {
		got[f.Key] = f.Display + " @ " + f.Source
	}
	assert.Equal(t, "local @ "+local+":1", got["A"], "the file listed first wins")
	assert.Equal(t, "base @ "+base+":2", got["B"])
	assert.Equal(t, "process @ env", got["C"], "a .env never overrides the process environment")
	assert.Equal(t, "def @ default", got["D"])
	assert.Equal(t, " @ env", got["E"], "set but empty wins over the default")
	require.Len(t, rep.Files, 3)
	assert.True(t, rep.Files[2].Missing)
}

func TestNameFileConvention(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "db_password")
	require.NoError(t, os.WriteFile(p, []byte("from-file\n"), 0o600))
	type C struct {
		Password driftless.Secret `env:"DB_PASSWORD" required:"true"`
		Other    string           `env:"OTHER"`
	}
	var cfg C
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(map[string]string{"DB_PASSWORD_FILE": p}))
	require.NoError(t, err)
	assert.Equal(t, "from-file", cfg.Password.Value(), "one trailing newline is trimmed")
	assert.Contains(t, rep.Fields[0].Source, p)
	assert.NotContains(t, rep.String(), "from-file")

	err = driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"DB_PASSWORD_FILE": filepath.Join(dir, "nope")}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DB_PASSWORD_FILE")

	err = driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"DB_PASSWORD_FILE": p, "DB_PASSWORD": "x"}))
	require.ErrorContains(t, err, "set only one")
}

func TestBadTagsFailBeforeAnySource(t *testing.T) {
	t.Parallel()
	called := false
	lookup := func(string) (string, bool) { called = true; return "", false }
	cases := map[string]any{
		"required with default": &struct {
			A string `env:"A" required:"true" default:"x"`
		}{},
		"unknown env option": &struct {
			A string `env:"A,requird"`
		}{},
		"unsupported type": &struct {
			A chan int `env:"A"`
		}{},
		"misspelt tag": &struct {
			A string `env:"A" defualt:"x"`
		}{},
		"bad bool": &struct {
			A string `env:"A" required:"maybe"`
		}{},
		"sep on scalar": &struct {
			A int `env:"A" sep:","`
		}{},
		"duplicate key": &struct {
			A string `env:"A"`
			B string `env:"A"`
		}{},
		"bad key": &struct {
			A string `env:"A-B"`
		}{},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			err := driftless.Load(t.Context(), cfg, driftless.WithLookup(lookup))
			require.Error(t, err)
			assert.ErrorIs(t, err, driftless.ErrBadTag)
		})
	}
	assert.False(t, called, "no source may be read when a tag is bad")
}

func TestCustomDecoder(t *testing.T) {
	t.Parallel()
	type point struct{ X, Y int }
	type C struct {
		P point `env:"P"`
	}
	dec := driftless.WithDecoder(func(s string) (point, error) {
		var p point
		_, err := fmt.Sscanf(s, "%d,%d", &p.X, &p.Y)
		return p, err
	})
	cfg, err := driftless.LoadAs[C](t.Context(), driftless.WithEnv(map[string]string{"P": "3,4"}), dec)
	require.NoError(t, err)
	assert.Equal(t, point{3, 4}, cfg.P)
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := driftless.NewSecret("hunter2-canary")
	type holder struct {
		S      driftless.Secret
		hidden driftless.Secret
	}
	h := holder{S: s, hidden: s}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "s", s, "h", h)
	js, _ := json.Marshal(h)
	txt, _ := s.MarshalText()
	outs := []string{logged.String(), string(js), string(txt), s.String(), s.GoString(), fmt.Sprint(s)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h))
	}
	for _, o := range outs {
		assert.NotContains(t, o, "hunter2")
		assert.NotContains(t, o, fmt.Sprintf("%x", "hunter2"))
	}
	assert.Equal(t, "hunter2-canary", s.Value())
}

func TestValidationRejectsConfig(t *testing.T) {
	t.Parallel()
	type C struct {
		Port int `env:"PORT" default:"0"`
	}
	err := driftless.Load(t.Context(), &C{}, driftless.WithEnv(nil), driftless.WithValidator(func(cfg any) error {
		if cfg.(*C).Port == 0 {
			return errors.New("PORT must be set")
		}
		return nil
	}))
	assert.ErrorIs(t, err, driftless.ErrValidation)
}

var _ = context.Background

func TestNameFileInEnvFileIsRelativeToIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "secrets"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secrets", "db"), []byte("pw\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("DB_PASSWORD_FILE=secrets/db\n"), 0o600))
	type C struct {
		Password driftless.Secret `env:"DB_PASSWORD" required:"true"`
	}
	cfg, err := driftless.LoadAs[C](t.Context(), driftless.WithEnv(nil), driftless.WithEnvFiles(filepath.Join(dir, ".env")))
	require.NoError(t, err)
	assert.Equal(t, "pw", cfg.Password.Value())
}
