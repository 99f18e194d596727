package files

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftless/driftless"
)

func TestCheckRef(t *testing.T) {
	t.Parallel()
	p := New()
	assert.NoError(t, p.CheckRef(driftless.Ref{Scheme: "file", Name: "/run/secrets/x"}))
	assert.ErrorIs(t, p.CheckRef(driftless.Ref{Scheme: "file", Name: "run/secrets/x"}), driftless.ErrInvalidRef)
	assert.ErrorIs(t, p.CheckRef(driftless.Ref{Scheme: "file", Name: "/x", Query: "a=1"}), driftless.ErrInvalidRef)
}
