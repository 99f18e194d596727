package driver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
)

func TestParseRef(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want driver.Ref
	}{
		{"awssm://prod/db#password", driver.Ref{Scheme: "awssm", Name: "prod/db", Key: "password"}},
		{"awssm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf?version-stage=AWSPREVIOUS",
			driver.Ref{Scheme: "awssm", Name: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", Query: "version-stage=AWSPREVIOUS"}},
		{"awssm://x?version-id=abc", driver.Ref{Scheme: "awssm", Name: "x", Query: "version-id=abc"}},
		{"gcpsm://projects/p/secrets/s", driver.Ref{Scheme: "gcpsm", Name: "projects/p/secrets/s"}},
		{"gcpsm://projects/p/secrets/s/versions/3#/a/b", driver.Ref{Scheme: "gcpsm", Name: "projects/p/secrets/s/versions/3", Key: "/a/b"}},
		{"gcpsm://projects/p/locations/europe-west1/secrets/s", driver.Ref{Scheme: "gcpsm", Name: "projects/p/locations/europe-west1/secrets/s"}},
		{"gcpsm://p/s", driver.Ref{Scheme: "gcpsm", Name: "p/s"}},
		{"azkv://myvault/secret/abc123", driver.Ref{Scheme: "azkv", Name: "myvault/secret/abc123"}},
		{"vault://secret/app/api?version=2#key", driver.Ref{Scheme: "vault", Name: "secret/app/api", Query: "version=2", Key: "key"}},
		{"vault://database/creds/readonly", driver.Ref{Scheme: "vault", Name: "database/creds/readonly"}},
		{"file:///run/secrets/db#password", driver.Ref{Scheme: "file", Name: "/run/secrets/db", Key: "password"}},
		{"custom://anything", driver.Ref{Scheme: "custom", Name: "anything"}},
	}
	for _, tc := range ok {
		t.Run(tc.in, func(t *testing.T) {
			got, err := driver.ParseRef(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := driver.ParseRef(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "String round-trips")
		})
	}
	// The name's grammar is each provider's (driver.RefChecker); ParseRef
	// checks the generic shape only.
	bad := map[string]string{
		"no scheme":    "prod/db",
		"empty name":   "awssm://",
		"empty key":    "awssm://x#",
		"bad pointer":  "vault://secret/x#/a~2",
		"control char": "awssm://a\nb",
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := driver.ParseRef(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, driver.ErrInvalidRef)
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
		got, err := driver.Select(data, key)
		require.NoError(t, err, key)
		assert.Equal(t, want, string(got), key)
	}
	_, err := driver.Select(data, "missing")
	assert.ErrorIs(t, err, driver.ErrNotFound)
	_, err = driver.Select([]byte("not-json-canary"), "a")
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
		r, err := driver.ParseRef(s)
		if err != nil {
			require.ErrorIs(t, err, driver.ErrInvalidRef)
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
		again, err := driver.ParseRef(r.String())
		require.NoError(t, err, "String() of an accepted ref does not parse")
		require.Equal(t, r, again, "round trip changed the ref")
	})
}
