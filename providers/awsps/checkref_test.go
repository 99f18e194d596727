package awsps_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
)

func TestCheckRef(t *testing.T) {
	t.Parallel()
	p := awsps.New(nil)
	for _, s := range []string{
		"awsps://prod/inference/model",
		"awsps:///prod/inference/model",
		"awsps://flat-name",
		"awsps://prod/db?version=3#password",
		"awsps://prod/db?label=live",
		"awsps://arn:aws:ssm:us-east-1:123456789012:parameter/prod/db",
	} {
		r, err := driver.ParseRef(s)
		require.NoError(t, err, s)
		assert.NoError(t, p.CheckRef(r), s)
	}
	for _, s := range []string{
		"awsps://prod//db",
		"awsps://prod/db/",
		"awsps://prod/db:3",
		"awsps://prod/d b",
		"awsps://prod/db?version=0",
		"awsps://prod/db?version=x",
		"awsps://prod/db?label=1abc",
		"awsps://prod/db?label=awsx",
		"awsps://prod/db?version=1&label=live",
		"awsps://prod/db?stage=live",
		"awsps://arn:aws:ssm:us-east-1:123456789012:document/x",
	} {
		r, err := driver.ParseRef(s)
		require.NoError(t, err, s)
		err = p.CheckRef(r)
		assert.ErrorIs(t, err, driver.ErrInvalidRef, s)
		var re *driver.RefError
		assert.ErrorAs(t, err, &re, s)
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"prod/inference/model":  "/prod/inference/model",
		"/prod/inference/model": "/prod/inference/model",
		"model":                 "model",
		"/model":                "/model",
		"arn:aws:ssm:us-east-1:123456789012:parameter/prod/db": "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db",
	} {
		assert.Equal(t, want, awsps.Name(in), in)
	}
}

// Path maps keys to names under a hierarchy, with no I/O: a key found is
// read, a key missing falls through to the default.
func TestPathKeySource(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.PutParameter("/prod/inference/MODEL_NAME", "llama", awspstest.String)
	srv.PutParameter("/prod/inference/model-name", "mistral", awspstest.String)
	srv.PutParameter("/prod/inference/api-key", "k", awspstest.SecureString)
	type config struct {
		ModelName string           `env:"MODEL_NAME"`
		APIKey    driftless.Secret `env:"API_KEY"`
		Timeout   string           `env:"TIMEOUT" default:"30s"`
	}
	var cfg config
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{}),
		driftless.WithProvider(awsps.Scheme, awsps.New(srv.Client())), driftless.WithKeySource(awsps.Path("/prod/inference/"))))
	assert.Equal(t, "llama", cfg.ModelName)
	assert.False(t, cfg.APIKey.IsSet())
	assert.Equal(t, "30s", cfg.Timeout)

	cfg = config{}
	srv.ResetCounts()
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{}),
		driftless.WithProvider(awsps.Scheme, awsps.New(srv.Client())), driftless.WithKeySource(awsps.Path("prod/inference", awsps.LowerDashed()))))
	assert.Equal(t, "mistral", cfg.ModelName)
	assert.Equal(t, "k", cfg.APIKey.Value())
	assert.Equal(t, "30s", cfg.Timeout)
	assert.Equal(t, 1, srv.Count("GetParameters"), "three keys, one call")

	r, ok := awsps.Path("/prod/inference").RefFor("MODEL_NAME")
	require.True(t, ok)
	assert.Equal(t, "awsps:///prod/inference/MODEL_NAME", r.String())
	_, ok = awsps.Path("/prod").RefFor("BAD KEY")
	assert.False(t, ok, "a key that cannot be a parameter name is left to the next source")
	assert.Panics(t, func() { awsps.Path("/prod//x") })
}

func TestKeysKeySource(t *testing.T) {
	t.Parallel()
	ks := awsps.Keys(map[string]string{"DB": "prod/db?label=live#password", "M": "awsps:///prod/m"})
	r, ok := ks.RefFor("DB")
	require.True(t, ok)
	assert.Equal(t, driver.Ref{Scheme: "awsps", Name: "prod/db", Query: "label=live", Key: "password"}, r)
	_, ok = ks.RefFor("OTHER")
	assert.False(t, ok)
	assert.Panics(t, func() { awsps.Keys(map[string]string{"X": "prod/db?version=-1"}) })
}
