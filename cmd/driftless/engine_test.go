package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests drive the CLI's resolution in process, with providers from
// package drifttest in place of the factories of package backends.

// batchDown serves Fetch but fails every batch call as a whole.
type batchDown struct{ *drifttest.Provider }

func (batchDown) FetchBatch(context.Context, []driver.Ref) ([]driver.Result, error) {
	return nil, errors.New("the batch endpoint is down")
}

func factoriesOf(scheme string, p driver.Provider) map[string]backends.Factory {
	return map[string]backends.Factory{scheme: func(context.Context) (driver.Provider, error) { return p, nil }}
}

func varsOf(kv ...string) []resolved {
	var vs []envchain.Var
	for i := 0; i < len(kv); i += 2 {
		vs = append(vs, envchain.Var{Key: kv[i], Value: kv[i+1], Source: envchain.Source{File: ".env", Line: i/2 + 1}})
	}
	return parseRefs(vs, func(string) string { return "" })
}

// TestWholeBatchFailureAsTheLibrary checks that a batch call that fails as
// a whole fails each of its references, in the CLI as in Load. The CLI's
// own fetch loop used to fall back to one fetch per secret, so that the
// same references resolved with driftless exec and failed with Load;
// falling back (after a denied batch call, say) is the provider's job.
func TestWholeBatchFailureAsTheLibrary(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("prod/a", "value-a")
	mem.Set("prod/b", "value-b")
	p := batchDown{mem}

	type config struct {
		A driftless.Secret `env:"A"`
		B driftless.Secret `env:"B"`
	}
	env := map[string]string{"A": "awssm://prod/a", "B": "awssm://prod/b"}
	var cfg config
	libErr := driftless.Load(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithProvider("awssm", p))
	var le *driftless.LoadError
	require.ErrorAs(t, libErr, &le)
	require.Len(t, le.Fields(), 2, "the library fails both fields")

	vars := varsOf("A", env["A"], "B", env["B"])
	res, err := newResolver(t.Context(), vars, factoriesOf("awssm", p), resolverOptions(time.Minute, false)...)
	require.NoError(t, err)
	errs := res.resolve(t.Context(), vars)
	require.Len(t, errs, 2, "the CLI fails both references too")
	for i, v := range vars {
		assert.ErrorContains(t, v.Err, "the batch endpoint is down")
		assert.ErrorContains(t, le.Fields()[i].Err, "the batch endpoint is down")
		assert.Contains(t, v.Err.Error(), v.Key+" (.env:")
		assert.Empty(t, v.Value)
	}
	assert.Zero(t, mem.Calls(), "no fetch one by one after the failed batch, in either")
}

// TestWatchRenewsLeases checks that exec --watch keeps one cache across its
// passes: a leased value (a Vault dynamic secret) is renewed at each pass,
// keeping its value, rather than read anew (new credentials each interval
// would restart the command each interval), while a plain secret is read
// again at each pass.
func TestWatchRenewsLeases(t *testing.T) {
	t.Parallel()
	mem := drifttest.NewProvider()
	mem.Set("database/creds/app", "user-1")
	mem.SetLease("database/creds/app", time.Hour)
	mem.SetMaxLease("database/creds/app", 24*time.Hour)
	mem.Set("secret/api", "key-1")
	vars := varsOf("DB", "vault://database/creds/app", "API", "vault://secret/api")
	res, err := newResolver(t.Context(), vars, factoriesOf("vault", mem), resolverOptions(time.Minute, true)...)
	require.NoError(t, err)
	logf := func(format string, a ...any) { t.Logf(format, a...) }
	w, errs := newWatcher(t.Context(), res, vars, time.Hour, time.Minute, logf)
	require.Empty(t, errs)
	t.Cleanup(func() { _ = w.Close() })
	require.Equal(t, "user-1", w.h.Current().Values["DB"])

	mem.Set("database/creds/app", "user-2") // what a new read would return
	mem.Set("secret/api", "key-2")
	require.NoError(t, w.h.Refresh(t.Context()))
	require.NoError(t, w.h.Refresh(t.Context()))
	assert.Equal(t, 2, mem.Renewals())
	assert.Equal(t, "user-1", w.h.Current().Values["DB"], "renewed, not read anew")
	assert.Equal(t, "key-2", w.h.Current().Values["API"], "read again at each pass")
}
