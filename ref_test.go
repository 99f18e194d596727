package driftless_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

func TestParseRef(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want driftless.Ref
	}{
		{"awssm://prod/db#password", driftless.Ref{Scheme: "awssm", Name: "prod/db", Key: "password"}},
		{"awssm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf?version-stage=AWSPREVIOUS",
			driftless.Ref{Scheme: "awssm", Name: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", Query: "version-stage=AWSPREVIOUS"}},
		{"awssm://x?version-id=abc", driftless.Ref{Scheme: "awssm", Name: "x", Query: "version-id=abc"}},
		{"gcpsm://projects/p/secrets/s", driftless.Ref{Scheme: "gcpsm", Name: "projects/p/secrets/s"}},
		{"gcpsm://projects/p/secrets/s/versions/3#/a/b", driftless.Ref{Scheme: "gcpsm", Name: "projects/p/secrets/s/versions/3", Key: "/a/b"}},
		{"gcpsm://projects/p/locations/europe-west1/secrets/s", driftless.Ref{Scheme: "gcpsm", Name: "projects/p/locations/europe-west1/secrets/s"}},
		{"gcpsm://p/s", driftless.Ref{Scheme: "gcpsm", Name: "p/s"}},
		{"azkv://myvault/secret/abc123", driftless.Ref{Scheme: "azkv", Name: "myvault/secret/abc123"}},
		{"vault://secret/app/api?version=2#key", driftless.Ref{Scheme: "vault", Name: "secret/app/api", Query: "version=2", Key: "key"}},
		{"vault://database/creds/readonly", driftless.Ref{Scheme: "vault", Name: "database/creds/readonly"}},
		{"file:///run/secrets/db#password", driftless.Ref{Scheme: "file", Name: "/run/secrets/db", Key: "password"}},
		{"custom://anything", driftless.Ref{Scheme: "custom", Name: "anything"}},
	}
	for _, tc := range ok {
		t.Run(tc.in, func(t *testing.T) {
			got, err := driftless.ParseRef(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := driftless.ParseRef(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "String round-trips")
		})
	}
	bad := map[string]string{
		"no scheme":          "prod/db",
		"empty name":         "awssm://",
		"empty key":          "awssm://x#",
		"both versions":      "awssm://x?version-stage=A&version-id=B",
		"unknown param":      "awssm://x?stage=A",
		"gcp short too long": "gcpsm://a/b/c/d",
		"gcp bad long":       "gcpsm://projects/p/keys/s",
		"gcp empty segment":  "gcpsm://p//s",
		"azkv one part":      "azkv://vault",
		"vault one part":     "vault://secret",
		"vault bad version":  "vault://secret/x?version=two",
		"file relative":      "file://run/secrets/x",
		"bad pointer":        "vault://secret/x#/a~2",
		"control char":       "awssm://a\nb",
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := driftless.ParseRef(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, driftless.ErrInvalidRef)
		})
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	data := []byte(`{"a":"x","n":5,"o":{"b/c":{"~d":"deep"}},"arr":["p","q"],"s":"line\nbreak"}`)
	for key, want := range map[string]string{
		"":            string(data),
		"a":           "x",
		"n":           "5",
		"/o/b~1c/~0d": "deep",
		"/arr/1":      "q",
		"o":           `{"b/c":{"~d":"deep"}}`,
		"s":           "line\nbreak",
	} {
		got, err := driftless.Select(data, key)
		require.NoError(t, err, key)
		assert.Equal(t, want, string(got), key)
	}
	_, err := driftless.Select(data, "missing")
	assert.ErrorIs(t, err, driftless.ErrNotFound)
	_, err = driftless.Select([]byte("not-json-canary"), "a")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "canary")
}

// FuzzParseRef checks that ParseRef never panics, that what it accepts
// round-trips through String, and that its errors never hold the input.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"awssm://prod/db#password", "vault://secret/a?version=2#k", "gcpsm://projects/p/secrets/s/versions/3",
		"azkv://v/s/1", "file:///run/x#/a/b", "x://", "awssm://a?version-stage=X&version-id=Y", "gcpsm://p/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := driftless.ParseRef(s)
		if err != nil {
			require.ErrorIs(t, err, driftless.ErrInvalidRef)
			// The scheme may be named; nothing after it may appear.
			rest := s
			if i := strings.Index(s, "://"); i >= 0 {
				rest = s[i+3:]
			}
			// (Short fragments and the placeholders of the messages' own
			// syntax hints may match by chance.)
			require.False(t, len(rest) >= 16 && !strings.ContainsAny(rest, "<>[]") && strings.Contains(err.Error(), rest),
				"error holds the input")
			return
		}
		again, err := driftless.ParseRef(r.String())
		require.NoError(t, err, "String() of an accepted ref does not parse")
		require.Equal(t, r, again, "round trip changed the ref")
	})
}

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
