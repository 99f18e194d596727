package driftless_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

// prefixed returns env with prefix before every key.
func prefixed(prefix string, env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[prefix+k] = v
	}
	return out
}

// A prefix costs no allocation: a Load with WithEnvPrefix allocates as
// much as the same Load without it, on the same environment with every key
// prefixed (a lookup wrapper would build a name per lookup).
func TestEnvPrefixAllocatesNothing(t *testing.T) {
	ctx := t.Context()
	plain := driftless.WithEnv(fiftyEnv)
	withPrefix := []driftless.Option{driftless.WithEnv(prefixed("APP_", fiftyEnv)), driftless.WithEnvPrefix("APP_")}
	var want, got fiftyFields
	require.NoError(t, driftless.Load(ctx, &want, plain))
	require.NoError(t, driftless.Load(ctx, &got, withPrefix...))
	require.Equal(t, want, got, "the prefixed environment fills the same config")
	require.Equal(t, "db.internal", got.DBHost)

	without := testing.AllocsPerRun(50, func() {
		var cfg fiftyFields
		_ = driftless.Load(ctx, &cfg, plain)
	})
	with := testing.AllocsPerRun(50, func() {
		var cfg fiftyFields
		_ = driftless.Load(ctx, &cfg, withPrefix...)
	})
	assert.Equal(t, without, with, "allocations per Load without and with WithEnvPrefix")
}

func TestEnvPrefix(t *testing.T) {
	t.Parallel()
	type DB struct {
		Host     string           `env:"HOST" default:"localhost"`
		Password driftless.Secret `env:"PASSWORD"`
	}
	type C struct {
		DB    DB     `prefix:"DB_"`
		Model string `env:"MODEL" default:"gpt"`
		Port  int    `env:"PORT"`
	}
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "db_password")
	require.NoError(t, os.WriteFile(pwFile, []byte("pw-from-file\n"), 0o600))

	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"APP_DB_HOST": "db.internal", "APP_PORT": "8080", "MODEL": "unprefixed", "DB_HOST": "unprefixed"}
		var cfg C
		rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithEnvPrefix("APP_"))
		require.NoError(t, err)
		assert.Equal(t, "db.internal", cfg.DB.Host)
		assert.Equal(t, 8080, cfg.Port)
		assert.Equal(t, "gpt", cfg.Model, "a key without the prefix is not read")
		keys := map[string]string{}
		for _, f := range rep.Fields {
			keys[f.Path] = f.Key + " @ " + f.Source
		}
		assert.Equal(t, map[string]string{
			"DB.Host":     "APP_DB_HOST @ env",
			"DB.Password": "APP_DB_PASSWORD @ unset",
			"Model":       "APP_MODEL @ default",
			"Port":        "APP_PORT @ env",
		}, keys)
	})

	t.Run("NAME_FILE in the environment", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"APP_DB_PASSWORD_FILE": pwFile, "DB_PASSWORD": "unprefixed"}
		var cfg C
		rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithEnvPrefix("APP_"))
		require.NoError(t, err)
		assert.Equal(t, "pw-from-file", cfg.DB.Password.Value())
		assert.Equal(t, "env APP_DB_PASSWORD_FILE (file "+pwFile+")", rep.Fields[1].Source)
	})

	t.Run(".env file", func(t *testing.T) {
		t.Parallel()
		sub := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(sub, "pw"), []byte("pw-in-dotenv-dir"), 0o600))
		envFile := filepath.Join(sub, ".env")
		require.NoError(t, os.WriteFile(envFile, []byte("DB_HOST=unprefixed\nAPP_DB_HOST=from-dotenv\nAPP_DB_PASSWORD_FILE=pw\nMODEL=unprefixed\n"), 0o600))
		var cfg C
		rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithEnvFiles(envFile), driftless.WithEnvPrefix("APP_"))
		require.NoError(t, err)
		assert.Equal(t, "from-dotenv", cfg.DB.Host)
		assert.Equal(t, "pw-in-dotenv-dir", cfg.DB.Password.Value())
		assert.Equal(t, "gpt", cfg.Model)
		assert.Equal(t, envFile+":2", rep.Fields[0].Source)
	})

	t.Run("a .env value interpolating a prefixed secret is secret", func(t *testing.T) {
		t.Parallel()
		type U struct {
			Password driftless.Secret `env:"DB_PASSWORD"`
			URL      string           `env:"DATABASE_URL"`
		}
		env := "APP_DB_PASSWORD=s3cr3t-pw-value\nAPP_DATABASE_URL=postgres://app:${APP_DB_PASSWORD}@db/app\n"
		var cfg U
		rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil), drifttest.EnvFile(t, env), driftless.WithEnvPrefix("APP_"))
		require.NoError(t, err)
		assert.Equal(t, "postgres://app:s3cr3t-pw-value@db/app", cfg.URL)
		assert.True(t, rep.Fields[1].Secret)
		assert.NotContains(t, rep.String(), "s3cr3t-pw-value")
	})

	t.Run("errors name the prefixed variables", func(t *testing.T) {
		t.Parallel()
		type R struct {
			Key  driftless.Secret `env:"API_KEY" required:"true"`
			Port int              `env:"PORT"`
		}
		var cfg R
		err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"APP_PORT": "eighty", "API_KEY": "unprefixed"}), driftless.WithEnvPrefix("APP_"))
		var le *driftless.LoadError
		require.ErrorAs(t, err, &le)
		fields := le.Fields()
		require.Len(t, fields, 2)
		assert.Equal(t, "APP_API_KEY", fields[0].Key)
		assert.ErrorIs(t, fields[0], driftless.ErrRequired)
		assert.Contains(t, fields[0].Error(), "set APP_API_KEY (or APP_API_KEY_FILE)")
		assert.Equal(t, "APP_PORT", fields[1].Key)
		assert.Contains(t, fields[1].Error(), "APP_PORT from env")

		err = driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"APP_API_KEY": "k", "APP_API_KEY_FILE": pwFile}), driftless.WithEnvPrefix("APP_"))
		require.ErrorContains(t, err, "both APP_API_KEY and APP_API_KEY_FILE are set")
	})

	t.Run("key-value sources are asked for the key without it", func(t *testing.T) {
		t.Parallel()
		mem := drifttest.NewProvider()
		mem.Set("prod/DB_PASSWORD", "from-source")
		var asked []string
		src := driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
			asked = append(asked, key)
			return driver.Ref{Scheme: "mem", Name: "prod/" + key}, true
		})
		var cfg C
		err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"APP_DB_HOST": "h", "APP_MODEL": "m", "APP_PORT": "1"}),
			driftless.WithEnvPrefix("APP_"), driftless.WithProvider("mem", mem), driftless.WithKeySource(src))
		require.NoError(t, err)
		assert.Equal(t, "from-source", cfg.DB.Password.Value())
		assert.Equal(t, []string{"DB_PASSWORD"}, asked)
	})

	t.Run("flags and ${VAR} names are not prefixed", func(t *testing.T) {
		t.Parallel()
		type F struct {
			Host string `env:"HOST"`
			URL  string `env:"URL" expand:"true"`
		}
		flags := driftless.WithFlagValues(func(visit func(name, value string)) { visit("host", "from-flag") })
		env := map[string]string{"APP_URL": "http://${HOST}:${APP_PORT}", "HOST": "h", "APP_HOST": "x", "APP_PORT": "80"}
		var cfg F
		require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithEnvPrefix("APP_"), flags))
		assert.Equal(t, F{Host: "from-flag", URL: "http://h:80"}, cfg)
	})

	t.Run("with a custom decoder", func(t *testing.T) {
		t.Parallel()
		type Level int
		type L struct {
			Level Level         `env:"LEVEL"`
			Wait  time.Duration `env:"WAIT"`
		}
		dec := driftless.WithDecoder(func(s string) (Level, error) { return Level(len(s)), nil })
		for range 2 { // a plan made with custom decoders is not shared: each loader prefixes its own
			var cfg L
			err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"X_LEVEL": "abc", "X_WAIT": "2s"}), driftless.WithEnvPrefix("X_"), dec)
			require.NoError(t, err)
			assert.Equal(t, L{Level: 3, Wait: 2 * time.Second}, cfg)
		}
	})

	t.Run("the unset tag removes the prefixed variables", func(t *testing.T) {
		t.Parallel()
		type S struct {
			Token string `env:"TOKEN" unset:"true"`
		}
		env := fakeEnv{"APP_TOKEN": "t", "TOKEN": "other"}
		var cfg S
		require.NoError(t, driftless.Load(t.Context(), &cfg, append(env.opts(), driftless.WithEnvPrefix("APP_"))...))
		assert.Equal(t, "t", cfg.Token)
		assert.Equal(t, fakeEnv{"TOKEN": "other"}, env)
	})

	t.Run("an exported NAME_FILE path is made absolute", func(t *testing.T) {
		t.Parallel()
		type S struct {
			Token driftless.Secret `env:"TOKEN"`
		}
		sub := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(sub, "tok"), []byte("t"), 0o600))
		envFile := filepath.Join(sub, ".env")
		require.NoError(t, os.WriteFile(envFile, []byte("APP_TOKEN_FILE=tok\n"), 0o600))
		env := fakeEnv{}
		var cfg S
		require.NoError(t, driftless.Load(t.Context(), &cfg, append(env.opts(), driftless.WithEnvFiles(envFile), driftless.WithExportEnvFiles(), driftless.WithEnvPrefix("APP_"))...))
		assert.Equal(t, "t", cfg.Token.Value())
		abs, err := filepath.Abs(filepath.Join(sub, "tok"))
		require.NoError(t, err)
		assert.Equal(t, fakeEnv{"APP_TOKEN_FILE": abs}, env)
	})

	t.Run("a Handle's hooks name the prefixed keys", func(t *testing.T) {
		t.Parallel()
		h, err := driftless.NewHandle[C](t.Context(), driftless.WithEnv(map[string]string{"APP_PORT": "1"}), driftless.WithEnvPrefix("APP_"))
		require.NoError(t, err)
		defer h.Close()
		_, err = h.OnChangeOf(func(driftless.Change[C]) {}, "APP_PORT", "DB.Host")
		assert.NoError(t, err)
		_, err = h.OnChangeOf(func(driftless.Change[C]) {}, "PORT")
		assert.ErrorIs(t, err, driftless.ErrUnknownName, "the key is the prefixed one")
	})
}

func TestEnvPrefixRejected(t *testing.T) {
	t.Parallel()
	type C struct {
		Port int `env:"PORT"`
	}
	for _, p := range []string{"APP-", "1APP_", "APP PORT", "APP_$"} {
		var cfg C
		err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithEnvPrefix(p))
		assert.ErrorContains(t, err, "WithEnvPrefix", p)
	}
	var cfg C
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"PORT": "1"}), driftless.WithEnvPrefix("")), "an empty prefix is none")
	assert.Equal(t, 1, cfg.Port)

	_, err := driftless.NewEnvLoader([]string{"A"}, driftless.WithEnv(nil), driftless.WithEnvPrefix("APP_"))
	assert.ErrorContains(t, err, "WithEnvPrefix")
}

// BenchmarkLoadPrefix compares the lookups of a Load of the 50-field
// config with WithEnvPrefix("APP_"), with a WithLookup wrapper that builds
// each prefixed name for os.LookupEnv, and with no prefix. It reads the
// process environment (and changes nothing in it), where no APP_ key is
// expected, so every field takes its default; bench/prefix_test.go
// measures an environment that sets them. Rerun:
// go test -run '^$' -bench 'BenchmarkLoadPrefix' -benchmem .
func BenchmarkLoadPrefix(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []driftless.Option
	}{
		{"none", nil},
		{"WithEnvPrefix", []driftless.Option{driftless.WithEnvPrefix("APP_")}},
		{"WithLookup", []driftless.Option{driftless.WithLookup(func(k string) (string, bool) { return os.LookupEnv("APP_" + k) })}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				var cfg fiftyFields
				if err := driftless.Load(ctx, &cfg, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
