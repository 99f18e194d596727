package awssm

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
		{"prod/db", "", true},
		{"prod/db", "version-stage=AWSPREVIOUS", true},
		{"arn:aws:secretsmanager:eu-west-1:1:secret:x", "", true},
		{"prod/db", "version-id=B&version-stage=A", false},
		{"prod/db", "sk-live-secretish=1", false},
		{"", "", false},
	} {
		err := p.CheckRef(driver.Ref{Scheme: Scheme, Name: tc.name, Query: tc.query})
		if tc.ok {
			assert.NoError(t, err, tc)
			continue
		}
		assert.ErrorIs(t, err, driver.ErrInvalidRef, tc)
		if err != nil {
			assert.NotContains(t, err.Error(), "sk-live")
		}
	}
}
