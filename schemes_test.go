package driftless_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
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

func (k keysIn) RefFor(key string) (driver.Ref, bool) {
	return driver.Ref{Scheme: "test", Name: string(k), Key: key}, true
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
	cfg := drifttest.Load[C](t, nil, driftless.WithProvider("test", p), driftless.WithKeySource(keysIn("app")))
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

// strict is a provider whose reference grammar allows only names under
// "ok/" (driver.RefChecker).
type strict struct{ *drifttest.Provider }

func (strict) CheckRef(r driver.Ref) error {
	if !strings.HasPrefix(r.Name, "ok/") {
		return &driver.RefError{Scheme: r.Scheme, Reason: "names start with ok/"}
	}
	return nil
}

func TestProviderChecksItsGrammarBeforeAnyFetch(t *testing.T) {
	t.Parallel()
	type C struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B" default:"strict://bad/default"`
		C driftless.Secret `env:"C"`
	}
	p := strict{drifttest.NewProvider()}
	p.Set("ok/a", "a")
	err := drifttest.LoadErr[C](t, map[string]string{"A": "strict://ok/a", "C": "strict://bad/c", "B": "strict://bad/b"},
		driftless.WithProvider("strict", p))
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	var paths []string
	for _, f := range le.Fields() {
		paths = append(paths, f.Field)
		assert.ErrorIs(t, f, driftless.ErrInvalidRef)
	}
	assert.Equal(t, []string{"B", "C"}, paths)
	assert.Equal(t, 1, p.Calls(), "only the valid reference is fetched")

	err = drifttest.LoadErr[C](t, map[string]string{"A": "strict://ok/a"}, driftless.WithProvider("strict", p))
	assert.ErrorIs(t, err, driftless.ErrInvalidRef, "a default's reference is checked too")
	// The built-in file reader checks its own grammar.
	err = drifttest.LoadErr[C](t, map[string]string{"A": "file://relative/x", "B": "x"})
	assert.ErrorIs(t, err, driftless.ErrInvalidRef)
}
