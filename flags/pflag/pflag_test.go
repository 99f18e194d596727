package driftlesspflag_test

import (
	"bytes"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	driftlesspflag "github.com/driftless/driftless/flags/pflag"
)

type config struct {
	ModelName string           `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
	Port      int              `env:"PORT" default:"8080" flag:"listen-port"`
	Debug     bool             `env:"DEBUG"`
	Token     driftless.Secret `env:"TOKEN" default:"dev-token-default"`
	Hidden    string           `env:"HIDDEN" flag:"-"`
}

// TestBindAndLoad: flags set win over the environment, flags not set fall
// through, a bool flag stands alone, and Explain names the flag.
func TestBindAndLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantModel string
		wantPort  int
		wantDebug bool
		wantSrc   string
	}{
		{"flags win", []string{"--model-name=big", "--listen-port", "9000", "--debug"}, map[string]string{"MODEL_NAME": "env", "PORT": "1"}, "big", 9000, true, "flag --model-name"},
		{"unset falls through", nil, map[string]string{"MODEL_NAME": "env"}, "env", 8080, false, "env"},
		{"default", []string{"--debug=false"}, nil, "small", 8080, false, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg config
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			require.NoError(t, driftlesspflag.Bind(fs, &cfg))
			require.NoError(t, fs.Parse(tt.args))
			opts := []driftless.Option{driftless.WithEnv(tt.env), driftlesspflag.Option(fs)}
			require.NoError(t, driftless.Load(t.Context(), &cfg, opts...))
			assert.Equal(t, tt.wantModel, cfg.ModelName)
			assert.Equal(t, tt.wantPort, cfg.Port)
			assert.Equal(t, tt.wantDebug, cfg.Debug)
			rep, err := driftless.Explain(t.Context(), &config{}, opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantSrc, rep.Fields[0].Source)
		})
	}
}

// TestBindUsage: usage from desc, a secret's default never shown, no
// flag for flag:"-".
func TestBindUsage(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	require.NoError(t, driftlesspflag.Bind(fs, &config{}))
	var b bytes.Buffer
	fs.SetOutput(&b)
	fs.PrintDefaults()
	assert.Contains(t, b.String(), "the model to serve (env MODEL_NAME; default small)")
	assert.Contains(t, b.String(), "--token")
	assert.NotContains(t, b.String(), "dev-token-default")
	assert.Nil(t, fs.Lookup("hidden"))
}

// TestBindErrors: a flag already defined, and a bad tag, fail Bind and
// define nothing.
func TestBindErrors(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("debug", "", "the app's own flag")
	err := driftlesspflag.Bind(fs, &config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flag --debug is already defined")
	assert.Nil(t, fs.Lookup("model-name"))

	type bad struct {
		A string `env:"A" flag:"-a"`
	}
	assert.ErrorIs(t, driftlesspflag.Bind(fs, &bad{}), driftless.ErrBadTag)
}
