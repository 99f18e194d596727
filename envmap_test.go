package driftless_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/configfile"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

// TestEnvLoaderResolves loads variables whose names are not Go
// identifiers nor valid keys, one of them named like the _FILE variable of
// another: each is read through the lookup, the two keys of one JSON
// secret and the other secret cost one batch call, and the report names
// the variables, never a value.
func TestEnvLoaderResolves(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("db", `{"user":"app","password":"pw-1"}`)
	mem.Set("api", "key-1")
	env := map[string]string{
		"db-user":       "mem://db#user",
		"DB.PASSWORD":   "mem://db#password",
		"API":           "mem://api",
		"API_FILE":      "mem://api",
		"NOT_ASKED_FOR": "mem://absent",
	}
	el, err := driftless.NewEnvLoader([]string{"db-user", "DB.PASSWORD", "API", "API_FILE", "UNSET"},
		driftless.WithEnv(env), driftless.WithProvider("mem", mem.Batching(20)))
	require.NoError(t, err)
	vals, rep, err := el.Load(t.Context())
	require.NoError(t, err)
	got := map[string]string{}
	for k, v := range vals {
		got[k] = v.Value()
	}
	assert.Equal(t, map[string]string{"db-user": "app", "DB.PASSWORD": "pw-1", "API": "key-1", "API_FILE": "key-1"}, got)
	assert.Equal(t, 1, mem.Batches())
	assert.Equal(t, 1, mem.Calls())

	require.Len(t, rep.Fields, 5)
	assert.Equal(t, "driftless.EnvLoader", rep.Type)
	assert.Equal(t, "db-user", rep.Fields[0].Key)
	assert.Equal(t, "db-user", rep.Fields[0].Path)
	assert.Equal(t, "mem://db#user", rep.Fields[0].Ref)
	assert.Equal(t, "1", rep.Fields[0].Version)
	assert.True(t, rep.Fields[1].Secret)
	assert.Equal(t, "unset", rep.Fields[4].Source)
	assert.NotContains(t, rep.String(), "pw-1")
	assert.NotContains(t, rep.String(), "key-1")
}

// wholeBatchDown serves Fetch but fails every batch call as a whole.
type wholeBatchDown struct{ *drifttest.Provider }

func (wholeBatchDown) FetchBatch(context.Context, []driver.Ref) ([]driver.Result, error) {
	return nil, errors.New("batch endpoint down")
}

// TestEnvLoaderErrors checks that failures name the variable, that the
// variables that resolved are returned all the same, and that a batch call
// that fails as a whole fails each of its references (no fallback to one
// fetch per secret: that is the provider's job).
func TestEnvLoaderErrors(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("ok", "fine")
	mem.Set("a", "secret-a")
	mem.Set("b", "secret-b")
	env := map[string]string{
		"OK":      "mem://ok",
		"MISSING": "mem://absent",
		"PLAIN":   "plain-value-Q9",
		"A":       "batch://a",
		"B":       "batch://b",
		"DENIED":  "mem://other/x",
	}
	el, err := driftless.NewEnvLoader([]string{"OK", "MISSING", "PLAIN", "A", "B", "DENIED"}, driftless.WithEnv(env),
		driftless.WithProvider("mem", mem), driftless.WithProvider("batch", wholeBatchDown{mem}),
		driftless.WithAllowedRefs("mem://ok", "mem://absent", "batch://*"))
	require.NoError(t, err)
	vals, _, err := el.Load(t.Context())
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, []string{"OK"}, mapKeys(vals))
	byKey := map[string]error{}
	for _, fe := range le.Fields() {
		assert.Equal(t, fe.Key, fe.Field)
		byKey[fe.Key] = fe.Err
	}
	require.Len(t, byKey, 5)
	assert.ErrorIs(t, byKey["MISSING"], driftless.ErrNotFound)
	assert.ErrorIs(t, byKey["PLAIN"], driftless.ErrInvalidRef)
	assert.ErrorIs(t, byKey["DENIED"], driftless.ErrNotAllowed)
	assert.ErrorContains(t, byKey["A"], "batch endpoint down")
	assert.ErrorContains(t, byKey["B"], "batch endpoint down")
	assert.Contains(t, err.Error(), "MISSING (MISSING from env)")
	assert.NotContains(t, err.Error(), "secret-")
	assert.NotContains(t, err.Error(), "plain-value")
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestEnvLoaderKeepsItsCache checks what an EnvLoader adds to Load: one
// cache for all its calls. A value whose TTL has not passed is not fetched
// again; a leased value is renewed, keeping its data, instead of fetched
// anew (a fresh Load would fetch it, and get new dynamic credentials).
func TestEnvLoaderKeepsItsCache(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("db/creds", "user-1")
		mem.SetLease("db/creds", time.Hour)
		mem.SetMaxLease("db/creds", 24*time.Hour)
		mem.Set("api", "key-1")
		env := map[string]string{"DB": "mem://db/creds", "API": "mem://api"}
		el, err := driftless.NewEnvLoader([]string{"DB", "API"}, driftless.WithEnv(env),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute))
		require.NoError(t, err)
		_, _, err = el.Load(t.Context())
		require.NoError(t, err)
		require.Equal(t, 2, mem.Calls())

		_, _, err = el.Load(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 2, mem.Calls(), "within the TTL: served from the cache")

		time.Sleep(2 * time.Minute)
		mem.Set("db/creds", "user-2") // what a new fetch would return
		mem.Set("api", "key-2")
		vals, _, err := el.Load(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, mem.Renewals())
		assert.Equal(t, "user-1", vals["DB"].Value(), "the lease was renewed, not fetched anew")
		assert.Equal(t, "key-2", vals["API"].Value(), "past its TTL: fetched again")
	})
}

func TestEnvLoaderRejects(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		keys []string
		opts []driftless.Option
	}{
		"empty key":    {[]string{"A", ""}, nil},
		"repeated key": {[]string{"A", "A"}, nil},
		"env files":    {[]string{"A"}, []driftless.Option{driftless.WithEnvFiles(".env")}},
		"keep set":     {[]string{"A"}, []driftless.Option{driftless.WithKeepSet()}},
		"config files": {[]string{"A"}, []driftless.Option{driftless.WithConfigFiles(configfile.JSON, "c.json")}},
		"preset":       {[]string{"A"}, []driftless.Option{driftless.WithPresetDefaults()}},
		"bad option":   {[]string{"A"}, []driftless.Option{driftless.WithProvider("mem", nil)}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := driftless.NewEnvLoader(tc.keys, tc.opts...)
			assert.Error(t, err)
		})
	}
}

// An EnvLoader resolves the references among variables chosen at run time,
// here two keys of one JSON secret (one fetch).
func ExampleEnvLoader() {
	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"user":"app","password":"s3cret"}`)
	env := map[string]string{"DB_USER": "mem://prod/db#user", "DB_PASSWORD": "mem://prod/db#password"}
	el, err := driftless.NewEnvLoader([]string{"DB_USER", "DB_PASSWORD"},
		driftless.WithEnv(env), driftless.WithProvider("mem", mem))
	if err != nil {
		panic(err)
	}
	vals, _, err := el.Load(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(vals["DB_USER"].Value(), vals["DB_PASSWORD"], mem.Calls())
	// Output: app [REDACTED] 1
}

// TestEnvLoaderReads lists the secrets an EnvLoader would read, named by
// the variables, without a provider and without reading any; a malformed
// reference is named by its variable, and the others are listed anyway.
func TestEnvLoaderReads(t *testing.T) {
	env := map[string]string{
		"db-user": "vault://secret/app#user",
		"DB_PASS": "vault://secret/app#password",
		"API":     "awssm://prod/api",
		"BAD":     "awssm://prod/x#",
	}
	el, err := driftless.NewEnvLoader([]string{"db-user", "DB_PASS", "API", "UNSET"}, driftless.WithEnv(env))
	require.NoError(t, err)
	reads, err := el.Reads(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "awssm", Name: "prod/api"}, Fields: []string{"API"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Fields: []string{"db-user", "DB_PASS"}},
	}, reads)

	el, err = driftless.NewEnvLoader([]string{"API", "BAD"}, driftless.WithEnv(env))
	require.NoError(t, err)
	reads, err = el.Reads(t.Context())
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Fields(), 1)
	assert.Equal(t, "BAD", le.Fields()[0].Field)
	assert.Len(t, reads, 1)
}
