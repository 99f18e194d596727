package driftless_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// A Load from the environment allocates a fixed few objects (the options,
// the loader, its cache and the new config, besides the caller's config)
// and nothing per field, save the elements of a list: the 50-field config,
// three of whose fields are lists, allocates three more objects than a
// config of one string field.
func TestLoadAllocatesNothingPerField(t *testing.T) {
	type one struct {
		Name string `env:"SERVICE_NAME"`
	}
	ctx := t.Context()
	env := driftless.WithEnv(fiftyEnv)
	require.NoError(t, driftless.Load(ctx, &one{}, env))
	require.NoError(t, driftless.Load(ctx, &fiftyFields{}, env))

	fixed := testing.AllocsPerRun(50, func() {
		var cfg one
		_ = driftless.Load(ctx, &cfg, env)
	})
	fifty := testing.AllocsPerRun(50, func() {
		var cfg fiftyFields
		_ = driftless.Load(ctx, &cfg, env)
	})
	assert.Equal(t, 3.0, fifty-fixed, "allocations of the 50 fields beyond the fixed ones: one per list field")
	assert.LessOrEqual(t, fixed, 5.0, "allocations of a Load of one field")
}
