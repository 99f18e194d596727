package driftless_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

type flagDB struct {
	Host     string           `env:"HOST" default:"localhost" desc:"database host"`
	Password driftless.Secret `env:"PASSWORD" default:"hunter2-default" desc:"database password"`
}

type flagConfig struct {
	ModelName string `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
	Port      int    `env:"PORT" default:"8080" flag:"listen-port"`
	Debug     bool   `env:"DEBUG"`
	Hidden    string `env:"HIDDEN" flag:"-"`
	DB        flagDB `prefix:"DB_"`
}

// parseFlags binds cfg's flags on a new flag set and parses args.
func parseFlags(t *testing.T, cfg any, args ...string) *flag.FlagSet {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	require.NoError(t, driftless.BindFlags(fs, cfg))
	require.NoError(t, fs.Parse(args))
	return fs
}

// TestFlagsPrecedence: a flag set on the command line wins over the
// environment, the .env files and the default; a flag not set falls
// through to them. Explain names the flag.
func TestFlagsPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		dotenv     string
		wantModel  string
		wantSource string
	}{
		{"flag over env and .env", []string{"--model-name=big"}, map[string]string{"MODEL_NAME": "env"}, "MODEL_NAME=file\n", "big", "flag --model-name"},
		{"flag over .env", []string{"-model-name", "big"}, nil, "MODEL_NAME=file\n", "big", "flag --model-name"},
		{"unset flag: env", []string{"--listen-port=1"}, map[string]string{"MODEL_NAME": "env"}, "MODEL_NAME=file\n", "env", "env"},
		{"unset flag: .env", nil, nil, "MODEL_NAME=file\n", "file", ".env:1"},
		{"unset flag: default", nil, nil, "", "small", "default"},
		{"empty flag value", []string{"--model-name="}, map[string]string{"MODEL_NAME": "env"}, "", "", "flag --model-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg flagConfig
			fs := parseFlags(t, &cfg, tt.args...)
			opts := []driftless.Option{driftless.WithEnv(tt.env), driftless.WithFlags(fs), drifttest.EnvFile(t, tt.dotenv)}
			require.NoError(t, driftless.Load(t.Context(), &cfg, opts...))
			assert.Equal(t, tt.wantModel, cfg.ModelName)
			rep, err := driftless.Explain(t.Context(), &flagConfig{}, opts...)
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(rep.Fields[0].Source, tt.wantSource), "source %q, want %q", rep.Fields[0].Source, tt.wantSource)
		})
	}
}

// TestFlagsNames: a name derived from the key (prefix included), an
// explicit name, none for flag:"-", and a bool flag given alone.
func TestFlagsNames(t *testing.T) {
	t.Parallel()
	var cfg flagConfig
	fs := parseFlags(t, &cfg, "--listen-port=9000", "--debug", "--db-host=db.internal")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	assert.ElementsMatch(t, []string{"model-name", "listen-port", "debug", "db-host", "db-password"}, names)

	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"PORT": "1", "HIDDEN": "h"}), driftless.WithFlags(fs)))
	assert.Equal(t, 9000, cfg.Port)
	assert.True(t, cfg.Debug)
	assert.Equal(t, "db.internal", cfg.DB.Host)
	assert.Equal(t, "h", cfg.Hidden)
	assert.Equal(t, "small", cfg.ModelName)
}

// TestFlagsSecret: a secret field's usage never shows its default, and a
// secret given by flag is redacted in Explain and absent from errors.
func TestFlagsSecret(t *testing.T) {
	t.Parallel()
	var cfg flagConfig
	fs := parseFlags(t, &cfg, "--db-password=s3cr3t-flag")
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	fs.PrintDefaults()
	assert.Contains(t, usage.String(), "database password (env DB_PASSWORD; secret")
	assert.NotContains(t, usage.String(), "hunter2")
	assert.Contains(t, usage.String(), "the model to serve (env MODEL_NAME; default small)")

	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithFlags(fs))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, rep.WriteTable(&b))
	assert.NotContains(t, b.String(), "s3cr3t")
	assert.Contains(t, b.String(), "flag --db-password")
}

// TestFlagsReference: a flag value may be a reference, resolved like any
// other.
func TestFlagsReference(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("db", `{"password":"pw-1"}`)
	var cfg flagConfig
	fs := parseFlags(t, &cfg, "--db-password=mem://db#password")
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithFlags(fs), driftless.WithProvider("mem", mem)))
	assert.Equal(t, "pw-1", cfg.DB.Password.Value())
}

// TestFlagsFileReference: a secret passed as a file reference, the
// flag form of NAME_FILE, is read from the file.
func TestFlagsFileReference(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "db")
	require.NoError(t, os.WriteFile(p, []byte("pw-file\n"), 0o600))
	var cfg flagConfig
	fs := parseFlags(t, &cfg, "--db-password=file://"+filepath.ToSlash(p))
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithFlags(fs)))
	assert.Equal(t, "pw-file", cfg.DB.Password.Value())
}

// TestFlagsErrorNamesFlag: a value that does not decode is reported with
// the flag it came from.
func TestFlagsErrorNamesFlag(t *testing.T) {
	t.Parallel()
	var cfg flagConfig
	fs := parseFlags(t, &cfg, "--listen-port=eighty")
	err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithFlags(fs))
	var fe *driftless.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Port", fe.Field)
	assert.Equal(t, "flag --listen-port", fe.Source)
}

type badFlagTag struct {
	A string `env:"A" flag:"--a"`
	B string `env:"B" flag:"b c"`
}

type dupFlags struct {
	A string `env:"A_B"`
	B string `env:"C" flag:"a-b"`
}

// TestFlagsBadTags: a bad flag tag is a *TagError before any source is
// read; a flag name of two fields fails BindFlags and a Load with flags,
// not a Load without them; a flag already defined fails BindFlags.
func TestFlagsBadTags(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	err := driftless.BindFlags(fs, &badFlagTag{})
	var te *driftless.TagError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, driftless.ErrBadTag)
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Errors, 2)
	assert.ErrorIs(t, driftless.Load(t.Context(), &badFlagTag{}, driftless.WithEnv(nil)), driftless.ErrBadTag)

	err = driftless.BindFlags(fs, &dupFlags{})
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "B", te.Field)
	assert.Contains(t, te.Reason, "flag --a-b is also used by A")
	assert.ErrorIs(t, driftless.Load(t.Context(), &dupFlags{}, driftless.WithEnv(nil), driftless.WithFlags(fs)), driftless.ErrBadTag)
	assert.NoError(t, driftless.Load(t.Context(), &dupFlags{}, driftless.WithEnv(nil)))

	fs.String("model-name", "", "the app's own flag")
	err = driftless.BindFlags(fs, &flagConfig{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flag --model-name (field ModelName) is already defined")
	assert.Nil(t, fs.Lookup("debug"), "nothing is defined when one flag fails")

	assert.Error(t, driftless.BindFlags(fs, 42))
}

// TestFlagValuesPanic: a visitor that panics fails the load with a
// *PanicError.
func TestFlagValuesPanic(t *testing.T) {
	t.Parallel()
	var cfg flagConfig
	err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil),
		driftless.WithFlagValues(func(func(name, value string)) { panic("boom") }))
	var pe *driftless.PanicError
	assert.ErrorAs(t, err, &pe)
}

type flagsTagged struct {
	ModelName string           `env:"MODEL_NAME" default:"small" desc:"the model" flag:"model"`
	Token     driftless.Secret `env:"TOKEN" flag:"-"`
}

type flagsUntagged struct {
	ModelName string           `env:"MODEL_NAME" default:"small" desc:"the model"`
	Token     driftless.Secret `env:"TOKEN"`
}

// TestFlagsExampleSchemaUnaffected: flag tags change neither the example
// .env file nor the schema.
func TestFlagsExampleSchemaUnaffected(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	require.NoError(t, driftless.WriteExample(&a, &flagsTagged{}))
	require.NoError(t, driftless.WriteExample(&b, &flagsUntagged{}))
	assert.Equal(t, b.String(), a.String())
	a.Reset()
	b.Reset()
	require.NoError(t, driftless.WriteSchema(&a, &flagsTagged{}))
	require.NoError(t, driftless.WriteSchema(&b, &flagsUntagged{}))
	assert.Equal(t, strings.ReplaceAll(b.String(), "flagsUntagged", "flagsTagged"), a.String())
}
