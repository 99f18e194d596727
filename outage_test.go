package driftless_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestOutageReportedOncePerProvider(t *testing.T) {
	t.Parallel()
	type C struct {
		A    driftless.Secret `env:"A"`
		B    driftless.Secret `env:"B"`
		C    driftless.Secret `env:"C"`
		Port int              `env:"PORT"`
		D    driftless.Secret `env:"D"`
	}
	down := drifttest.NewProvider()
	down.FailAll(fmt.Errorf("%w: dial tcp 127.0.0.1:1: connection refused", driftless.ErrUnavailable))
	up := drifttest.NewProvider()
	up.Set("d", "v")
	err := drifttest.LoadErr[C](t, map[string]string{
		"A": "down://a", "B": "down://b", "C": "down://c", "PORT": "x", "D": "up://d",
	}, driftless.WithProvider("down", down), driftless.WithProvider("up", up))
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Errors, 2, "one error for the provider, one for PORT")
	var pe *driftless.ProviderError
	require.ErrorAs(t, le.Errors[0], &pe)
	assert.Equal(t, "down", pe.Scheme)
	assert.Equal(t, 1, strings.Count(err.Error(), "connection refused"))
	assert.Contains(t, err.Error(), "provider down failed for 3 fields (A, B, C)")
	var paths []string
	for _, f := range le.Fields() {
		paths = append(paths, f.Field)
	}
	assert.Equal(t, []string{"A", "B", "C", "Port"}, paths)
	assert.True(t, errors.Is(err, driftless.ErrUnavailable))
}

type validated struct {
	Port int    `env:"PORT" default:"80"`
	Host string `env:"HOST" default:"h"`
}

func (v *validated) Validate() error {
	return errors.Join(
		&driftless.FieldError{Field: "Port", Err: errors.New("must be above 1024")},
		&driftless.FieldError{Field: "HOST", Err: errors.New("must be a FQDN")},
		errors.New("whole config is odd"),
	)
}

func TestValidateNamesFields(t *testing.T) {
	t.Parallel()
	err := drifttest.LoadErr[validated](t, nil)
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	fields := le.Fields()
	require.Len(t, fields, 2)
	assert.Equal(t, "Port", fields[0].Field)
	assert.Equal(t, "PORT", fields[0].Key)
	assert.Equal(t, "Host", fields[1].Field)
	assert.Equal(t, "HOST", fields[1].Key)
	assert.Len(t, le.Errors, 3)
	assert.ErrorIs(t, err, driftless.ErrValidation)
	for _, f := range fields {
		assert.ErrorIs(t, f, driftless.ErrValidation)
	}
}
