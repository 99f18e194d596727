package driftless_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// FuzzTags builds a struct type with fuzzed tags and checks that Load
// either accepts it or fails with ErrBadTag, before reading any source.
func FuzzTags(f *testing.F) {
	f.Add("A", "x", "", ",", "true")
	f.Add("A,required", "", "true", "", "false")
	f.Add("", "d", "maybe", "", "")
	f.Add("A-B", "", "", "", "")
	f.Fuzz(func(t *testing.T, env, def, required, sep, secret string) {
		tag := reflect.StructTag(`env:"` + strings.ReplaceAll(env, `"`, ``) + `" default:"` + strings.ReplaceAll(def, `"`, ``) +
			`" required:"` + strings.ReplaceAll(required, `"`, ``) + `" sep:"` + strings.ReplaceAll(sep, `"`, ``) + `" secret:"` + strings.ReplaceAll(secret, `"`, ``) + `"`)
		for _, typ := range []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[[]int](), reflect.TypeFor[map[string]int]()} {
			st := reflect.StructOf([]reflect.StructField{{Name: "F", Type: typ, Tag: tag}})
			read := false
			err := driftless.Load(t.Context(), reflect.New(st).Interface(), driftless.WithLookup(func(string) (string, bool) { read = true; return "", false }))
			require.False(t, errors.Is(err, driftless.ErrBadTag) && read, "a source was read although a tag is bad")
		}
	})
}
