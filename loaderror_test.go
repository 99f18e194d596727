package driftless_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

type badTags struct {
	A string `env:"A" required:"maybe"`
	B string `env:"B-C"`
}

// A bad tag is returned as documented: a *LoadError whose Errors are the
// *TagError values, one per bad tag, from every entry point.
func TestBadTagIsALoadErrorOfTagErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	env := driftless.WithEnv(nil)
	entry := map[string]func() error{
		"Load": func() error { var c badTags; return driftless.Load(ctx, &c, env) },
		"Explain": func() error {
			var c badTags
			_, err := driftless.Explain(ctx, &c, env)
			return err
		},
		"NewHandle": func() error { _, err := driftless.NewHandle[badTags](ctx, env); return err },
		"NewHandleFunc": func() error {
			_, err := driftless.NewHandleFunc(ctx, func(context.Context) (*badTags, error) { return &badTags{}, nil })
			return err
		},
	}
	for name, call := range entry {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := call()
			var le *driftless.LoadError
			require.ErrorAs(t, err, &le)
			assert.Same(t, le, err, "the error is the *LoadError itself")
			assert.ErrorIs(t, err, driftless.ErrBadTag)
			require.Len(t, le.Errors, 2)
			var fields []string
			for _, e := range le.Errors {
				te, ok := e.(*driftless.TagError)
				require.True(t, ok, "%T is not a *TagError", e)
				fields = append(fields, te.Field)
			}
			assert.Equal(t, []string{"A", "B"}, fields)
		})
	}
}

type twoFields struct {
	A string `env:"A"`
	B string `env:"B"`
	C string `env:"C"`
}

// Every *FieldError a failure holds is reachable through Fields, however
// the errors were joined.
func TestLoadErrorFieldsFindsEveryFieldError(t *testing.T) {
	t.Parallel()
	fe := func(name string) error { return &driftless.FieldError{Field: name, Err: errors.New("bad")} }
	paths := func(t *testing.T, err error) []string {
		t.Helper()
		var le *driftless.LoadError
		require.ErrorAs(t, err, &le)
		var out []string
		for _, f := range le.Fields() {
			out = append(out, f.Field)
		}
		return out
	}

	t.Run("validator joins at two depths", func(t *testing.T) {
		t.Parallel()
		var c twoFields
		err := driftless.Load(t.Context(), &c, driftless.WithEnv(nil), driftless.WithValidator(func(any) error {
			return errors.Join(fe("A"), errors.Join(fe("B"), fe("C")))
		}))
		assert.Equal(t, []string{"A", "B", "C"}, paths(t, err))
	})
	t.Run("load function joins", func(t *testing.T) {
		t.Parallel()
		calls := 0
		_, err := driftless.NewHandleFunc(t.Context(), func(context.Context) (*twoFields, error) {
			calls++
			return nil, errors.Join(fe("A"), fe("B"))
		})
		require.Equal(t, 1, calls)
		assert.Equal(t, []string{"A", "B"}, paths(t, err))
	})
	t.Run("wrapped in a whole-config error", func(t *testing.T) {
		t.Parallel()
		le := &driftless.LoadError{Type: "T", Errors: []error{
			errors.Join(fe("A"), errors.New("other")),
			&driftless.ProviderError{Scheme: "s", Err: errors.New("down"),
				Fields: []*driftless.FieldError{{Field: "B", Err: errors.New("down")}, {Field: "C", Err: errors.New("down")}}},
		}}
		assert.Equal(t, []string{"A", "B", "C"}, paths(t, le))
	})
}

// A value cut to fit the explain table is cut between runes, never inside
// one.
func TestReportTableCutsAtARuneBoundary(t *testing.T) {
	t.Parallel()
	for pad := range 5 { // every alignment of a 2- and a 3-byte rune against the cut
		val := strings.Repeat("x", pad) + strings.Repeat("é€", 20)
		rep := &driftless.Report{Type: "T", Fields: []driftless.FieldReport{{Path: "A", Key: "A", Source: "env", Display: val}}}
		out := rep.String()
		assert.True(t, utf8.ValidString(out), "the table is not valid UTF-8 with %d bytes before the runes", pad)
		assert.Contains(t, out, "...")
	}
}
