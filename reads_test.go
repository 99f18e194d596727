package driftless_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

func TestReadsListsEverySecretWithoutFetching(t *testing.T) {
	t.Parallel()
	type C struct {
		User     string             `env:"DB_USER"`
		Password driftless.Secret   `env:"DB_PASSWORD"`
		Signing  driftless.Rotating `env:"SIGNING"`
		Model    string             `env:"MODEL_NAME" default:"awssm://prod/app#model"`
		Token    driftless.Secret   `env:"TOKEN"`
		Plain    string             `env:"PLAIN" default:"x"`
	}
	mem := drifttest.NewProvider()
	env := map[string]string{
		"DB_USER":     "awssm://prod/db#user",
		"DB_PASSWORD": "awssm://prod/db#password",
		"SIGNING":     "vault://secret/app/signing",
	}
	reads, err := driftless.Reads(t.Context(), &C{}, driftless.WithEnv(env), driftless.WithProvider("mem", mem),
		driftless.WithKeySource(keysIn("app-keys")))
	require.NoError(t, err)
	assert.Zero(t, mem.Calls(), "nothing is fetched")
	var got []string
	for _, r := range reads {
		got = append(got, r.Ref.String())
	}
	assert.Equal(t, []string{"awssm://prod/app", "awssm://prod/db", "test://app-keys", "vault://secret/app/signing"}, got)
	byRef := map[string]driftless.SecretRead{}
	for _, r := range reads {
		byRef[r.Ref.String()] = r
	}
	assert.Equal(t, []string{"User", "Password"}, byRef["awssm://prod/db"].Fields)
	assert.False(t, byRef["awssm://prod/db"].Fallback)
	assert.True(t, byRef["vault://secret/app/signing"].Previous, "a Rotating field reads the previous version")
	assert.True(t, byRef["awssm://prod/app"].Fallback, "a default is read only when nothing else is set")
	assert.ElementsMatch(t, []string{"Model", "Token", "Plain"}, byRef["test://app-keys"].Fields)
}

func TestReadsReportsPlanErrors(t *testing.T) {
	t.Parallel()
	type C struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B"`
	}
	reads, err := driftless.Reads(t.Context(), C{}, driftless.WithEnv(map[string]string{"A": "awssm://ok", "B": "awsm://typo"}))
	require.ErrorIs(t, err, driftless.ErrUnknownScheme)
	require.Len(t, reads, 1)
	assert.Equal(t, "awssm://ok", reads[0].Ref.String())
}
