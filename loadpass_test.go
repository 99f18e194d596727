package driftless_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// A field kept with WithKeepSet is not read, so the ref tag does not
// apply to the value the caller set.
func TestKeepSetKeepsAFieldTaggedRef(t *testing.T) {
	t.Parallel()
	type C struct {
		URL string `env:"URL" ref:"true"`
		Opt string `env:"OPT" ref:"true"`
	}
	c := C{URL: "https://example.com/kept"}
	require.NoError(t, driftless.Load(t.Context(), &c, driftless.WithEnv(nil), driftless.WithKeepSet()))
	assert.Equal(t, C{URL: "https://example.com/kept"}, c)
}
