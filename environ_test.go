package driftless_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// fakeEnv is a process environment over a map, with the writer functions
// WithEnvWriter takes, so that no test touches the real environment.
type fakeEnv map[string]string

func (e fakeEnv) opts() []driftless.Option {
	return []driftless.Option{
		driftless.WithEnv(e),
		driftless.WithEnvWriter(
			func(k, v string) error { e[k] = v; return nil },
			func(k string) error { delete(e, k); return nil },
		),
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestExportEnvFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "token", "s3cr3t-token")
	writeFile(t, dir, "cert.pem", "CERT")
	local := writeFile(t, dir, ".env.local", "AWS_REGION=eu-central-1\n")
	dotenv := writeFile(t, dir, ".env", strings.Join([]string{
		"AWS_REGION=eu-west-1",                        // .env.local wins
		"AWS_SECRET_ACCESS_KEY=plain-key",             // plain values are exported, secret or not
		"PORT=8080",                                   // a struct key
		"ALREADY=from-file",                           // set in the environment: never overridden
		"EMPTY_IN_ENV=from-file",                      // set to "" in the environment: still set
		"TOKEN=file://" + filepath.Join(dir, "token"), // a reference: not exported
		"CERT_FILE=cert.pem",                          // relative NAME_FILE: exported absolute
		"GONE=x",                                      // tagged unset: not exported
	}, "\n")+"\n")
	type cfg struct {
		Port  int              `env:"PORT"`
		Token driftless.Secret `env:"TOKEN"`
		Cert  string           `env:"CERT"`
		Gone  string           `env:"GONE" unset:"true"`
	}
	env := fakeEnv{"ALREADY": "from-env", "EMPTY_IN_ENV": ""}
	var c cfg
	require.NoError(t, driftless.Load(context.Background(), &c, append(env.opts(),
		driftless.WithEnvFiles(local, dotenv), driftless.WithExportEnvFiles())...))
	assert.Equal(t, 8080, c.Port)
	assert.Equal(t, "s3cr3t-token", c.Token.Value())
	assert.Equal(t, "CERT", c.Cert)
	assert.Equal(t, fakeEnv{
		"AWS_REGION":            "eu-central-1",
		"AWS_SECRET_ACCESS_KEY": "plain-key",
		"PORT":                  "8080",
		"ALREADY":               "from-env",
		"EMPTY_IN_ENV":          "",
		"CERT_FILE":             filepath.Join(dir, "cert.pem"),
	}, env)

	t.Run("nothing without the option", func(t *testing.T) {
		t.Parallel()
		env := fakeEnv{}
		var c cfg
		require.NoError(t, driftless.Load(context.Background(), &c, append(env.opts(), driftless.WithEnvFiles(dotenv))...))
		assert.Empty(t, env)
	})
	t.Run("nothing when Load fails", func(t *testing.T) {
		t.Parallel()
		type bad struct {
			Port    int    `env:"PORT"`
			Missing string `env:"MISSING" required:"true"`
		}
		env := fakeEnv{}
		var c bad
		err := driftless.Load(context.Background(), &c, append(env.opts(), driftless.WithEnvFiles(dotenv), driftless.WithExportEnvFiles())...)
		require.ErrorIs(t, err, driftless.ErrRequired)
		assert.Empty(t, env)
		assert.Zero(t, c.Port)
	})
	t.Run("Explain never exports", func(t *testing.T) {
		t.Parallel()
		env := fakeEnv{}
		var c cfg
		_, err := driftless.Explain(context.Background(), &c, append(env.opts(), driftless.WithEnvFiles(dotenv), driftless.WithExportEnvFiles())...)
		require.NoError(t, err)
		assert.Empty(t, env)
	})
	t.Run("a failing setter names the key, not the value", func(t *testing.T) {
		t.Parallel()
		p := writeFile(t, t.TempDir(), ".env", "API_KEY=very-secret-value\n")
		var c struct{}
		err := driftless.Load(context.Background(), &c,
			driftless.WithEnv(nil), driftless.WithEnvFiles(p), driftless.WithExportEnvFiles(),
			driftless.WithEnvWriter(func(k, v string) error { return &os.SyscallError{Syscall: "setenv " + v, Err: os.ErrInvalid} }, nil))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "API_KEY")
		assert.NotContains(t, err.Error(), "very-secret-value")
	})
}

func TestEnvironLoadOnlyInHandle(t *testing.T) {
	t.Parallel()
	type plain struct {
		Port int `env:"PORT"`
	}
	type unset struct {
		Key string `env:"KEY" unset:"true"`
	}
	ctx := context.Background()
	_, err := driftless.NewHandle[plain](ctx, driftless.WithEnv(nil), driftless.WithExportEnvFiles())
	assert.ErrorContains(t, err, "WithExportEnvFiles works with Load only")
	_, err = driftless.NewHandle[plain](ctx, driftless.WithEnv(nil), driftless.WithKeepSet())
	assert.ErrorContains(t, err, "WithKeepSet works with Load only")
	_, err = driftless.NewHandle[unset](ctx, driftless.WithEnv(nil))
	assert.ErrorContains(t, err, "Key (KEY) is tagged unset")
	_, err = driftless.NewHandle[plain](ctx, driftless.WithEnv(nil), driftless.WithEmptyAsUnset())
	assert.NoError(t, err)
}

func TestExpand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "token", "tok")
	dotenv := writeFile(t, dir, ".env", "FROM_FILE=file-value\nLITERAL='has$HOST'\n")
	type cfg struct {
		Addr     string           `env:"ADDR" expand:"true"`
		NoExpand string           `env:"NO_EXPAND"`
		Cache    string           `env:"CACHE" default:"${HOME}/.cache" expand:"true"`
		Opt      string           `env:"OPT" expand:"true"`
		Token    driftless.Secret `env:"TOKEN" expand:"true"`
	}
	tests := []struct {
		name string
		env  map[string]string
		want cfg
	}{
		{"braces and bare", map[string]string{"ADDR": "${HOST}:$PORT", "HOST": "db", "PORT": "5432"}, cfg{Addr: "db:5432", Cache: "/.cache"}},
		{"without the tag the value is literal", map[string]string{"NO_EXPAND": "${HOST}", "HOST": "db"}, cfg{NoExpand: "${HOST}", Cache: "/.cache"}},
		{"default expanded", map[string]string{"HOME": "/home/me"}, cfg{Cache: "/home/me/.cache"}},
		{"env option form", map[string]string{"OPT": "a-${HOST}", "HOST": "db"}, cfg{Opt: "a-db", Cache: "/.cache"}},
		{"unknown is empty", map[string]string{"ADDR": "x${NOPE}y"}, cfg{Addr: "xy", Cache: "/.cache"}},
		{"dollar dollar is a dollar", map[string]string{"ADDR": "pa$$word"}, cfg{Addr: "pa$word", Cache: "/.cache"}},
		{"defaults", map[string]string{"ADDR": "${A:-da},${B-db},${E:-de},${E-dx}", "E": ""}, cfg{Addr: "da,db,de,", Cache: "/.cache"}},
		{"nested env values expand", map[string]string{"ADDR": "${URL}", "URL": "http://${HOST}", "HOST": "db"}, cfg{Addr: "http://db", Cache: "/.cache"}},
		{"from a .env file, not expanded again", map[string]string{"ADDR": "${FROM_FILE}/${LITERAL}", "HOST": "db"}, cfg{Addr: "file-value/has$HOST", Cache: "/.cache"}},
		{"then resolved as a reference", map[string]string{"TOKEN": "file://${DIR}/token", "DIR": dir}, cfg{Cache: "/.cache"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c cfg
			require.NoError(t, driftless.Load(context.Background(), &c, driftless.WithEnv(tc.env), driftless.WithEnvFiles(dotenv)))
			if tc.env["TOKEN"] != "" {
				assert.Equal(t, "tok", c.Token.Value())
				c.Token = driftless.Secret{}
			}
			assert.Equal(t, tc.want, c)
		})
	}

	t.Run("NAME_FILE path expanded", func(t *testing.T) {
		t.Parallel()
		var c cfg
		require.NoError(t, driftless.Load(context.Background(), &c, driftless.WithEnv(map[string]string{"TOKEN_FILE": "${DIR}/token", "DIR": dir})))
		assert.Equal(t, "tok", c.Token.Value())
	})
	t.Run("unknown variable warns", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		var c cfg
		require.NoError(t, driftless.Load(context.Background(), &c, driftless.WithEnv(map[string]string{"ADDR": "${NOPE}"}),
			driftless.WithLogger(slog.New(slog.NewTextHandler(&buf, nil)))))
		assert.Contains(t, buf.String(), "variable=NOPE")
		assert.Contains(t, buf.String(), "key=ADDR")
	})
	bounded := []struct {
		name string
		env  map[string]string
		msg  string
	}{
		{"cycle", map[string]string{"ADDR": "${A}", "A": "x${B}", "B": "secret-y${A}"}, "nests deeper than 8 levels"},
		{"too many references", map[string]string{"ADDR": strings.Repeat("${A}", 1100), "A": "secret"}, "more than 1024 variables"},
		{"too large", map[string]string{"ADDR": strings.Repeat("${A}", 20), "A": "secret" + strings.Repeat("z", 4<<10)}, "exceed 65536 bytes"},
	}
	for _, tc := range bounded {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c cfg
			err := driftless.Load(context.Background(), &c, driftless.WithEnv(tc.env))
			require.ErrorIs(t, err, driftless.ErrExpand)
			assert.ErrorContains(t, err, tc.msg)
			assert.ErrorContains(t, err, "ADDR")
			assert.NotContains(t, err.Error(), "secret")
		})
	}
	t.Run("a bad default expansion is an error", func(t *testing.T) {
		t.Parallel()
		var c cfg
		err := driftless.Load(context.Background(), &c, driftless.WithEnv(map[string]string{"HOME": "${HOME}"}))
		require.ErrorIs(t, err, driftless.ErrExpand)
		assert.ErrorContains(t, err, "Cache")
	})
}

func TestUnsetTag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "pw", "from-file")
	type cfg struct {
		Password driftless.Secret `env:"DB_PASSWORD" unset:"true"`
		APIKey   string           `env:"API_KEY" unset:"true" secret:"true"`
		Keep     string           `env:"KEEP"`
		Port     int              `env:"PORT"`
	}
	ctx := context.Background()
	env := fakeEnv{"DB_PASSWORD": "pw", "API_KEY": "k", "KEEP": "v", "OTHER": "o"}
	var c cfg
	require.NoError(t, driftless.Load(ctx, &c, env.opts()...))
	assert.Equal(t, "pw", c.Password.Value())
	assert.Equal(t, "k", c.APIKey)
	assert.Equal(t, fakeEnv{"KEEP": "v", "OTHER": "o"}, env)

	t.Run("NAME_FILE is removed too", func(t *testing.T) {
		t.Parallel()
		env := fakeEnv{"DB_PASSWORD_FILE": filepath.Join(dir, "pw")}
		var c cfg
		require.NoError(t, driftless.Load(ctx, &c, env.opts()...))
		assert.Equal(t, "from-file", c.Password.Value())
		assert.Empty(t, env)
	})
	t.Run("kept when Load fails", func(t *testing.T) {
		t.Parallel()
		env := fakeEnv{"DB_PASSWORD": "pw", "PORT": "not-a-number"}
		var c cfg
		require.ErrorIs(t, driftless.Load(ctx, &c, env.opts()...), driftless.ErrDecode)
		assert.Equal(t, fakeEnv{"DB_PASSWORD": "pw", "PORT": "not-a-number"}, env)
	})
	t.Run("misspelt or not a boolean", func(t *testing.T) {
		t.Parallel()
		var a struct {
			K string `env:"K" unste:"true"`
		}
		assert.ErrorIs(t, driftless.Load(ctx, &a, driftless.WithEnv(nil)), driftless.ErrBadTag)
		var b struct {
			K string `env:"K" expand:"yes please"`
		}
		assert.ErrorContains(t, driftless.Load(ctx, &b, driftless.WithEnv(nil)), `expand:"yes please" is not a boolean`)
		var c struct {
			K string `unset:"true"`
		}
		assert.ErrorContains(t, driftless.Load(ctx, &c, driftless.WithEnv(nil)), `tag "unset" without an env tag`)
		var d struct {
			N struct {
				K string `env:"K"`
			} `expand:"true"`
		}
		assert.ErrorContains(t, driftless.Load(ctx, &d, driftless.WithEnv(nil)), `tag "expand" on a nested struct`)
	})
}

func TestKeepSet(t *testing.T) {
	t.Parallel()
	type db struct {
		Host string `env:"HOST" default:"localhost"`
		Port int    `env:"PORT"`
	}
	type cfg struct {
		Name     string           `env:"NAME"`
		Port     int              `env:"PORT" default:"80"`
		Debug    *bool            `env:"DEBUG"`
		Verbose  bool             `env:"VERBOSE"`
		Hosts    []string         `env:"HOSTS"`
		Password driftless.Secret `env:"PASSWORD" required:"true"`
		Empty    driftless.Secret `env:"EMPTY"`
		DB       *db              `prefix:"DB_"`
	}
	env := map[string]string{
		"NAME": "env-name", "PORT": "9090", "DEBUG": "true", "VERBOSE": "true", "HOSTS": "a,b",
		"PASSWORD": "env-pw", "EMPTY": "env-empty", "DB_HOST": "env-host", "DB_PORT": "5432",
	}
	f := false
	preset := func() cfg {
		return cfg{
			Name:     "preset-name",
			Debug:    &f, // a pointer keeps an explicit false
			Hosts:    []string{},
			Password: driftless.NewSecret("preset-pw"),
			Empty:    driftless.NewSecret(""), // empty: unset
			DB:       &db{Host: "preset-host"},
		}
	}
	ctx := context.Background()

	c := preset()
	require.NoError(t, driftless.Load(ctx, &c, driftless.WithEnv(env), driftless.WithKeepSet()))
	assert.Equal(t, "preset-name", c.Name)
	assert.Equal(t, 9090, c.Port) // zero: unset, filled from env
	require.NotNil(t, c.Debug)
	assert.False(t, *c.Debug)
	assert.True(t, c.Verbose)
	assert.Equal(t, []string{}, c.Hosts) // non-nil: set
	assert.Equal(t, "preset-pw", c.Password.Value())
	assert.Equal(t, "env-empty", c.Empty.Value())
	assert.Equal(t, &db{Host: "preset-host", Port: 5432}, c.DB)

	t.Run("Explain shows preset", func(t *testing.T) {
		t.Parallel()
		c := preset()
		rep, err := driftless.Explain(ctx, &c, driftless.WithEnv(env), driftless.WithKeepSet())
		require.NoError(t, err)
		got := map[string]driftless.FieldReport{}
		for _, fr := range rep.Fields {
			got[fr.Path] = fr
		}
		assert.Equal(t, "preset", got["Name"].Source)
		assert.Equal(t, "preset-name", got["Name"].Display)
		assert.Equal(t, "env", got["Port"].Source)
		assert.Equal(t, "preset", got["Debug"].Source)
		assert.Equal(t, "false", got["Debug"].Display)
		assert.Equal(t, "preset", got["Password"].Source)
		assert.True(t, got["Password"].Secret)
		assert.NotContains(t, got["Password"].Display, "preset-pw")
		assert.Contains(t, got["Password"].Display, driftless.Redacted)
		assert.Equal(t, "preset", got["DB.Host"].Source)
		assert.Equal(t, "env", got["DB.Port"].Source)
		assert.NotContains(t, rep.String(), "preset-pw")
	})
	t.Run("a preset satisfies required and beats the default", func(t *testing.T) {
		t.Parallel()
		c := cfg{Password: driftless.NewSecret("p"), Port: 1}
		require.NoError(t, driftless.Load(ctx, &c, driftless.WithEnv(nil), driftless.WithKeepSet()))
		assert.Equal(t, 1, c.Port)
		assert.Nil(t, c.DB) // defaults alone do not allocate it
	})
	t.Run("without the option every field is filled from the sources", func(t *testing.T) {
		t.Parallel()
		c := preset()
		require.NoError(t, driftless.Load(ctx, &c, driftless.WithEnv(env)))
		assert.Equal(t, "env-name", c.Name)
		assert.Equal(t, "env-pw", c.Password.Value())
		assert.Equal(t, []string{"a", "b"}, c.Hosts)
	})
}

func TestEmptyAsUnset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dotenv := writeFile(t, dir, ".env", "NAME=\nLEVEL=from-file\n")
	type cfg struct {
		Port  int    `env:"PORT" default:"8080"`
		Name  string `env:"NAME" default:"anon"`
		Level string `env:"LEVEL"`
		Key   string `env:"KEY" required:"true"`
	}
	ctx := context.Background()
	env := map[string]string{"PORT": "", "LEVEL": "", "KEY": "k"}

	var c cfg
	require.NoError(t, driftless.Load(ctx, &c, driftless.WithEnv(env), driftless.WithEnvFiles(dotenv), driftless.WithEmptyAsUnset()))
	assert.Equal(t, cfg{Port: 8080, Name: "anon", Level: "from-file", Key: "k"}, c)

	// Without the option an empty value is set: an error for an int.
	err := driftless.Load(ctx, &c, driftless.WithEnv(env), driftless.WithEnvFiles(dotenv))
	require.ErrorIs(t, err, driftless.ErrDecode)

	// A required key set to "" reads as unset.
	err = driftless.Load(ctx, &c, driftless.WithEnv(map[string]string{"KEY": "", "KEY_FILE": ""}), driftless.WithEmptyAsUnset())
	require.ErrorIs(t, err, driftless.ErrRequired)
	assert.ErrorContains(t, err, "set KEY")
}
