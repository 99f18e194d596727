package drifttest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestLoadHelpers(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"password":"pw"}`)
	cfg := drifttest.Load[serviceConfig](t, map[string]string{"OPENAI_API_KEY": "k"}, driftless.WithProvider("mem", mem))
	assert.Equal(t, "pw", cfg.DB.Value())
	assert.Equal(t, "k", cfg.Key.Value())

	err := drifttest.LoadErr[serviceConfig](t, nil, driftless.WithProvider("mem", mem))
	require.ErrorIs(t, err, driftless.ErrRequired)

	cfg = drifttest.Load[serviceConfig](t, nil, drifttest.EnvFile(t, "OPENAI_API_KEY=from-file\nMODEL=m\n"), driftless.WithProvider("mem", mem))
	assert.Equal(t, "from-file", cfg.Key.Value())
	assert.Equal(t, "m", cfg.Model)
}
