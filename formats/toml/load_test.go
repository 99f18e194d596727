package driftlesstoml_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	driftlesstoml "github.com/driftless/driftless/formats/toml"
)

type serving struct {
	ModelName string         `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
	Routes    []string       `env:"ROUTES" default:"chat"`
	Replicas  map[string]int `env:"REPLICAS"`
	Batch     struct {
		MaxSize int           `env:"MAX_SIZE" default:"8"`
		MaxWait time.Duration `env:"MAX_WAIT" default:"5ms"`
	} `prefix:"BATCH_"`
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

func TestLoadLayeredTOML(t *testing.T) {
	base := write(t, "config.toml", "model_name = \"small\"\nroutes = [\"chat\", \"embed\"]\n\n[replicas]\ngpu = 2\ncpu = 4\n\n[batch]\nmax_size = 16\nmax_wait = \"10ms\"\n")
	prod := write(t, "config.prod.toml", "model_name = \"large\"\nbatch.max_size = 32\n")
	var cfg serving
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(nil),
		driftless.WithConfigFiles(driftlesstoml.Format, base, prod))
	require.NoError(t, err)
	assert.Equal(t, "large", cfg.ModelName)
	assert.Equal(t, []string{"chat", "embed"}, cfg.Routes)
	assert.Equal(t, map[string]int{"gpu": 2, "cpu": 4}, cfg.Replicas)
	assert.Equal(t, 32, cfg.Batch.MaxSize, "a dotted key overrides one key of a table")
	assert.Equal(t, 10*time.Millisecond, cfg.Batch.MaxWait)
	sources := map[string]string{}
	for _, f := range rep.Fields {
		sources[f.Path] = f.Source
	}
	assert.Equal(t, prod+":1", sources["ModelName"])
	assert.Equal(t, base+":10", sources["Batch.MaxWait"])
	assert.Equal(t, prod+":2", sources["Batch.MaxSize"])
}

func TestLoadTOMLErrors(t *testing.T) {
	const canary = "Zq9canaryZq9"
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown key": {"model_name = \"x\"\n[batch]\nmax_szie = 3\n", ":3:1: key batch.max_szie: unknown key (did you mean batch.max_size (field Batch.MaxSize)?)"},
		"syntax":      {"model_name = " + canary + "\n", ":1"},
		"duplicate":   {"model_name = \"" + canary + "\"\nmodel_name = \"b\"\n", ":2"},
		"bad value":   {"[batch]\nmax_wait = \"" + canary + "\"\n", "Batch.MaxWait (BATCH_MAX_WAIT from "},
	} {
		t.Run(name, func(t *testing.T) {
			p := write(t, "config.toml", tc.doc)
			var cfg serving
			err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithConfigFiles(driftlesstoml.Format, p))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "canary")
		})
	}
}

func TestWriteConfigExampleLoads(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, driftless.WriteConfigExample(&buf, &serving{}, driftlesstoml.Format))
	assert.Contains(t, buf.String(), "# the model to serve")
	p := write(t, "example.toml", buf.String())
	var fromFile, fromDefaults serving
	require.NoError(t, driftless.Load(t.Context(), &fromFile, driftless.WithEnv(nil), driftless.WithConfigFiles(driftlesstoml.Format, p)))
	require.NoError(t, driftless.Load(t.Context(), &fromDefaults, driftless.WithEnv(nil)))
	assert.Equal(t, fromDefaults, fromFile)
}
