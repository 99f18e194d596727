package driftlessyaml_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
)

type serving struct {
	ModelName string         `env:"MODEL_NAME" default:"small" desc:"the model to serve"`
	Routes    []string       `env:"ROUTES" default:"chat"`
	Replicas  map[string]int `env:"REPLICAS"`
	Ceiling   float64        `env:"CEILING" default:"1"`
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

func TestLoadLayeredYAML(t *testing.T) {
	base := write(t, "config.yaml", `
defaults: &defaults
  max_size: 16
  max_wait: 10ms
model_name: small
routes: [chat, embed]
replicas: {gpu: 2, cpu: 4}
ceiling: .inf
batch:
  <<: *defaults
`)
	prod := write(t, "config.prod.yaml", "model_name: large\nbatch:\n  max_size: 32\n")
	var cfg serving
	rep, err := driftless.Explain(t.Context(), &cfg, driftless.WithEnv(map[string]string{"ROUTES": "a,b"}),
		driftless.WithConfigFiles(driftlessyaml.Format, base, prod), driftless.WithIgnoredConfigKeys("defaults"))
	require.NoError(t, err)
	assert.Equal(t, "large", cfg.ModelName)
	assert.Equal(t, []string{"a", "b"}, cfg.Routes, "the environment wins over config files")
	assert.Equal(t, map[string]int{"gpu": 2, "cpu": 4}, cfg.Replicas)
	assert.True(t, math.IsInf(cfg.Ceiling, 1), "YAML's .inf is a float")
	assert.Equal(t, 32, cfg.Batch.MaxSize)
	assert.Equal(t, 10*time.Millisecond, cfg.Batch.MaxWait, "a merge key fills the group")
	sources := map[string]string{}
	for _, f := range rep.Fields {
		sources[f.Path] = f.Source
	}
	assert.Equal(t, prod+":1", sources["ModelName"])
	assert.Equal(t, base+":7", sources["Replicas"])
	assert.Equal(t, prod+":3", sources["Batch.MaxSize"])
}

func TestLoadYAMLErrors(t *testing.T) {
	const canary = "Zq9canaryZq9"
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown key": {"model_name: x\nbatch:\n  max_szie: 3\n", ":3:3: key batch.max_szie: unknown key (did you mean batch.max_size (field Batch.MaxSize)?)"},
		"syntax":      {"model_name: x\n  routes: " + canary + "\n", ":2"},
		"bad value":   {"batch:\n  max_wait: " + canary + "\n", "Batch.MaxWait (BATCH_MAX_WAIT from "},
		"alias bomb":  {"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n", "config.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			p := write(t, "config.yaml", tc.doc)
			var cfg serving
			err := driftless.Load(t.Context(), &cfg, driftless.WithEnv(nil), driftless.WithConfigFiles(driftlessyaml.Format, p))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "canary")
		})
	}
}

func TestWriteConfigExampleLoads(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, driftless.WriteConfigExample(&buf, &serving{}, driftlessyaml.Format))
	assert.Contains(t, buf.String(), "# the model to serve")
	assert.Contains(t, buf.String(), "model_name: small")
	p := write(t, "example.yaml", buf.String())
	var fromFile, fromDefaults serving
	require.NoError(t, driftless.Load(t.Context(), &fromFile, driftless.WithEnv(nil), driftless.WithConfigFiles(driftlessyaml.Format, p)))
	require.NoError(t, driftless.Load(t.Context(), &fromDefaults, driftless.WithEnv(nil)))
	assert.Equal(t, fromDefaults, fromFile)
}
