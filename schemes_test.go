package driftless_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestSchemeMistakesAreErrors(t *testing.T) {
	t.Parallel()
	type C struct {
		Key    driftless.Secret `env:"KEY"`
		Banner string           `env:"BANNER"`
		DSN    driftless.Secret `env:"DSN"`
		URL    string           `env:"URL"`
		Lit    string           `env:"LIT" ref:"false"`
		Must   string           `env:"MUST" ref:"true"`
	}
	p := drifttest.NewProvider()
	p.Set("prod/x", "v")
	opt := driftless.WithProvider("AWSSM://", p)

	for name, tc := range map[string]struct {
		env  map[string]string
		near string
	}{
		"typo in a secret":       {map[string]string{"KEY": "awsm://prod/x"}, "awssm://"},
		"typo in a plain field":  {map[string]string{"BANNER": "valt://secret/x"}, "vault://"},
		"unknown in a secret":    {map[string]string{"KEY": "mem://prod/x"}, ""},
		"must be a reference":    {map[string]string{"MUST": "plain"}, ""},
		"unknown where required": {map[string]string{"MUST": "mem://x"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := drifttest.LoadErr[C](t, tc.env, opt)
			require.Error(t, err)
			if tc.near != "" {
				assert.ErrorIs(t, err, driftless.ErrUnknownScheme)
				assert.Contains(t, err.Error(), "did you mean "+tc.near)
			}
			assert.Contains(t, err.Error(), "registered: awssm, file")
		})
	}

	cfg := drifttest.Load[C](t, map[string]string{
		"KEY":    "AWSSM://prod/x", // schemes are case-insensitive
		"DSN":    "postgres://app:pw@db/app",
		"URL":    "https://example.com",
		"LIT":    "awsm://not-a-ref",
		"BANNER": "hello",
		"MUST":   "awssm://prod/x",
	}, opt)
	assert.Equal(t, "v", cfg.Key.Value())
	assert.Equal(t, "postgres://app:pw@db/app", cfg.DSN.Value())
	assert.Equal(t, "awsm://not-a-ref", cfg.Lit)
	assert.Equal(t, "v", cfg.Must)
}

func TestWithProviderRejectsBadScheme(t *testing.T) {
	t.Parallel()
	type C struct {
		A string `env:"A"`
	}
	assert.Error(t, drifttest.LoadErr[C](t, nil, driftless.WithProvider("aw ssm", drifttest.NewProvider())))
	assert.Error(t, drifttest.LoadErr[C](t, nil, driftless.WithProvider("", drifttest.NewProvider())))
	assert.Error(t, drifttest.LoadErr[C](t, nil, driftless.WithProvider("x", nil)))
}

func TestNoProviderListsRegistered(t *testing.T) {
	t.Parallel()
	type C struct {
		K driftless.Secret `env:"K"`
	}
	err := drifttest.LoadErr[C](t, map[string]string{"K": "vault://secret/x"}, driftless.WithProvider("awssm", drifttest.NewProvider()))
	require.ErrorIs(t, err, driftless.ErrNoProvider)
	assert.Contains(t, err.Error(), "registered: awssm, file")
}

// keysIn is a KeySource mapping every key to a member of one JSON secret,
// as awssm.JSON does.
type keysIn string

func (k keysIn) RefFor(key string) (driftless.Ref, bool) {
	return driftless.Ref{Scheme: "test", Name: string(k), Key: key}, true
}

func TestSourceFallsThroughWhenJSONMemberMissing(t *testing.T) {
	t.Parallel()
	type C struct {
		Model string           `env:"MODEL_NAME" default:"gpt-4-turbo"`
		Key   driftless.Secret `env:"API_KEY"`
		Host  string           `env:"HOST"`
	}
	p := drifttest.NewProvider()
	p.Set("app", `{"API_KEY":"k"}`)
	cfg := drifttest.Load[C](t, nil, driftless.WithProvider("test", p), driftless.WithSource(keysIn("app")))
	assert.Equal(t, "gpt-4-turbo", cfg.Model)
	assert.Equal(t, "k", cfg.Key.Value())
	assert.Empty(t, cfg.Host)
}

func TestFileValuesTrimOneNewlineEitherWay(t *testing.T) {
	t.Parallel()
	type C struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B"`
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "tok")
	require.NoError(t, os.WriteFile(path, []byte("token\n"), 0o600))
	cfg := drifttest.Load[C](t, map[string]string{"A_FILE": path, "B": "file://" + path})
	assert.Equal(t, "token", cfg.A.Value())
	assert.Equal(t, "token", cfg.B.Value())
}
