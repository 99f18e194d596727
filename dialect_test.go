package driftless_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// TestOneTagDialect: options in the env tag (another library's dialect)
// are tag errors naming the tag to write, and notempty is a tag.
func TestOneTagDialect(t *testing.T) {
	t.Parallel()
	type opt struct {
		K string `env:"K,required"`
	}
	err := drifttest.LoadErr[opt](t, map[string]string{"K": "v"})
	require.ErrorIs(t, err, driftless.ErrBadTag)
	assert.Contains(t, err.Error(), `required:"true"`)

	type notEmpty struct {
		K string `env:"K" notempty:"true" default:"d"`
	}
	assert.ErrorIs(t, drifttest.LoadErr[notEmpty](t, map[string]string{"K": ""}), driftless.ErrRequired)
	assert.Equal(t, "d", drifttest.Load[notEmpty](t, nil).K)
}

func TestForeignTagsNameTheTagToWrite(t *testing.T) {
	t.Parallel()
	type C struct {
		Port int `env:"PORT" envDefault:"8080"`
	}
	err := drifttest.LoadErr[C](t, nil)
	require.ErrorIs(t, err, driftless.ErrBadTag)
	assert.Contains(t, err.Error(), `write default:"…"`)
	type misspelt struct {
		Port int `env:"PORT" requried:"true"`
	}
	assert.ErrorIs(t, drifttest.LoadErr[misspelt](t, nil), driftless.ErrBadTag)
}
