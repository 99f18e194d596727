package azkv

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/driftless/driftless/driver"
)

func TestCheckRef(t *testing.T) {
	t.Parallel()
	p := New(nil)
	for _, tc := range []struct {
		name, query string
		ok          bool
	}{
		{"my-vault/api-key", "", true},
		{"my-vault/api-key/0123abcdef", "", true},
		{"my-vault", "", false},
		{"evil.com/api-key", "", false},
		{"my-vault/api-key", "version=1", false},
	} {
		err := p.CheckRef(driver.Ref{Scheme: Scheme, Name: tc.name, Query: tc.query})
		if tc.ok {
			assert.NoError(t, err, tc)
		} else {
			assert.ErrorIs(t, err, driver.ErrInvalidRef, tc)
		}
	}
}
