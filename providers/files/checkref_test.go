package files

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftless/driftless/driver"
)

func TestCheckRef(t *testing.T) {
	t.Parallel()
	p := New()
	assert.NoError(t, p.CheckRef(driver.Ref{Scheme: "file", Name: "/run/secrets/x"}))
	assert.ErrorIs(t, p.CheckRef(driver.Ref{Scheme: "file", Name: "run/secrets/x"}), driver.ErrInvalidRef)
	assert.ErrorIs(t, p.CheckRef(driver.Ref{Scheme: "file", Name: "/x", Query: "a=1"}), driver.ErrInvalidRef)
}
