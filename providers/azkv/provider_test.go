package azkv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const vault = azkvtest.DefaultVault

func ptr[T any](v T) *T { return &v }

func ref(name string) driver.Ref {
	return driver.Ref{Scheme: azkv.Scheme, Name: vault + "/" + name}
}

// newProvider returns a provider over the official client pointed at a
// fresh fake vault.
func newProvider(t *testing.T, opts ...azkv.Option) (*azkvtest.Server, *azkv.Provider) {
	t.Helper()
	srv := azkvtest.NewServer(t)
	return srv, azkv.New(map[string]azkv.SecretsClient{vault: srv.Client(vault)}, opts...)
}

func newDefault(t *testing.T, srv *azkvtest.Server) *azkv.Provider {
	t.Helper()
	p, err := azkv.NewDefault(
		azkv.WithVaultURL(srv.VaultURL),
		azkv.WithCredential(srv.Credential()),
		azkv.WithClientOptions(srv.ClientOptions()),
	)
	require.NoError(t, err)
	return p
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		new  func(*testing.T, *azkvtest.Server) driver.Provider
	}{
		{"New", func(t *testing.T, srv *azkvtest.Server) driver.Provider {
			return azkv.New(map[string]azkv.SecretsClient{vault: srv.Client(vault)})
		}},
		{"NewDefault", func(t *testing.T, srv *azkvtest.Server) driver.Provider { return newDefault(t, srv) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			providertest.Run(t, func(t *testing.T) providertest.Backend {
				srv := azkvtest.NewServer(t)
				return providertest.Backend{
					Provider: tc.new(t, srv),
					Put:      srv.Put,
					Ref:      ref,
					NoBinary: true, // Key Vault stores strings; empty strings are allowed
					// Disable the current version through the official
					// client, as an operator does.
					Unservable: func(ctx context.Context, name string) error {
						_, err := srv.Client(vault).UpdateSecretProperties(ctx, name, "", azsecrets.UpdateSecretPropertiesParameters{
							SecretAttributes: &azsecrets.SecretAttributes{Enabled: ptr(false)},
						}, nil)
						return err
					},
				}
			})
		})
	}
}

// ticking makes each version of srv one second newer than the one before,
// as versions made by rotations are: Key Vault's timestamps are whole
// seconds, and versions made in one second cannot be ordered by time.
func ticking(srv *azkvtest.Server) {
	var mu sync.Mutex
	now := time.Now().Add(-time.Hour)
	srv.SetClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	})
}

func TestRotation(t *testing.T) {
	srv, p := newProvider(t)
	ticking(srv)
	ctx := t.Context()
	v1 := srv.Set("api-key", "key-one")

	got, err := p.Fetch(ctx, ref("api-key"))
	require.NoError(t, err)
	assert.Equal(t, "key-one", string(got.Data))
	assert.Equal(t, v1, got.Version)
	assert.WithinDuration(t, time.Now(), got.Created, 2*time.Hour)

	prev, v2 := srv.Rotate("api-key", "key-two")
	require.Equal(t, v1, prev)
	got, err = p.Fetch(ctx, ref("api-key"))
	require.NoError(t, err)
	assert.Equal(t, "key-two", string(got.Data))
	assert.Equal(t, v2, got.Version, "Version must report the version served so a refresh sees the rotation")

	old, err := p.FetchPrevious(ctx, ref("api-key"))
	require.NoError(t, err)
	assert.Equal(t, "key-one", string(old.Data))
	assert.Equal(t, v1, old.Version)

	pinned, err := p.Fetch(ctx, ref("api-key/"+v1))
	require.NoError(t, err)
	assert.Equal(t, "key-one", string(pinned.Data))
	assert.Equal(t, v1, pinned.Version)

	_, err = p.FetchPrevious(ctx, ref("api-key/"+v1))
	assert.ErrorIs(t, err, driver.ErrNotFound, "the first version has no previous one")

	assert.Zero(t, srv.Stats().ListAll, "the provider must never list every secret in the vault")
}

func TestPreviousSkipsUnusableVersions(t *testing.T) {
	srv, p := newProvider(t)
	ticking(srv)
	v1 := srv.Set("db-password", "one")
	v2 := srv.Set("db-password", "two")
	v3 := srv.Set("db-password", "three")
	srv.Set("db-password", "four")
	require.NoError(t, srv.Update("db-password", v3, azkvtest.Attributes{Enabled: ptr(false)}))
	require.NoError(t, srv.Update("db-password", v2, azkvtest.Attributes{Expires: ptr(time.Now().Add(-time.Hour))}))

	got, err := p.FetchPrevious(t.Context(), ref("db-password"))
	require.NoError(t, err)
	assert.Equal(t, "one", string(got.Data), "disabled and expired versions are skipped")
	assert.Equal(t, v1, got.Version)

	require.NoError(t, srv.Update("db-password", v1, azkvtest.Attributes{Enabled: ptr(false)}))
	_, err = p.FetchPrevious(t.Context(), ref("db-password"))
	assert.ErrorIs(t, err, driver.ErrNotFound)
}

func TestPreviousPages(t *testing.T) {
	srv, p := newProvider(t)
	ticking(srv)
	for i := 0; i < 60; i++ { // more than two pages of 25
		srv.Set("many", "v")
	}
	last := srv.Set("many", "last")
	prev, cur := srv.Rotate("many", "current")
	require.Equal(t, last, prev)
	srv.ResetStats()
	got, err := p.FetchPrevious(t.Context(), ref("many"))
	require.NoError(t, err)
	assert.Equal(t, "last", string(got.Data))
	assert.NotEqual(t, cur, got.Version)
	assert.Equal(t, 3, srv.Stats().Versions, "62 versions are 3 pages")
}

func TestExpiryAndDisabled(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name    string
		attrs   azkvtest.Attributes
		want    error // nil: served
		expires bool
	}{
		{"valid", azkvtest.Attributes{}, nil, false},
		{"expires later", azkvtest.Attributes{Expires: ptr(now.Add(time.Hour))}, nil, true},
		{"started earlier", azkvtest.Attributes{NotBefore: ptr(now.Add(-time.Hour))}, nil, false},
		{"expired", azkvtest.Attributes{Expires: ptr(now.Add(-time.Minute))}, azkv.ErrExpired, false},
		{"not yet valid", azkvtest.Attributes{NotBefore: ptr(now.Add(time.Hour))}, azkv.ErrNotYetValid, false},
		{"disabled", azkvtest.Attributes{Enabled: ptr(false)}, azkv.ErrDisabled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newProvider(t)
			srv.Set("token", providertest.Canary)
			require.NoError(t, srv.Update("token", "", tc.attrs))
			v, err := p.Fetch(t.Context(), ref("token"))
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, providertest.Canary, string(v.Data))
				if tc.expires {
					assert.Equal(t, tc.attrs.Expires.Unix(), v.Expires.Unix(), "Expires comes from exp")
				} else {
					assert.True(t, v.Expires.IsZero())
				}
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, driver.ErrPermission)
			assert.NotErrorIs(t, err, driver.ErrNotFound, "a secret switched off must not fall through the chain")
			assert.Contains(t, err.Error(), `secret "token"`)
			assert.Contains(t, err.Error(), `vault "`+vault+`"`)
			assert.NotContains(t, err.Error(), providertest.Canary[7:20])
		})
	}
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inject  func(*azkvtest.Server)
		want    error
		faults  int // requests answered by the fault
		success bool
	}{
		{"403", func(s *azkvtest.Server) { s.FailNext(1, http.StatusForbidden) }, driver.ErrPermission, 1, false},
		{"404", func(s *azkvtest.Server) { s.FailNext(1, http.StatusNotFound) }, driver.ErrNotFound, 1, false},
		{"429 past the retries", func(s *azkvtest.Server) { s.Throttle(100, 0) }, driver.ErrUnavailable, 4, false},
		{"429 then success", func(s *azkvtest.Server) { s.Throttle(2, 0) }, nil, 2, true},
		{"503 past the retries", func(s *azkvtest.Server) { s.FailNext(100, http.StatusServiceUnavailable) }, driver.ErrUnavailable, 4, false},
		{"500 once", func(s *azkvtest.Server) { s.FailNext(1, http.StatusInternalServerError) }, nil, 1, true},
		{"400", func(s *azkvtest.Server) { s.FailNext(1, http.StatusBadRequest) }, driver.ErrInvalidRef, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newProvider(t)
			srv.Set("api-key", providertest.Canary)
			tc.inject(srv)
			v, err := p.Fetch(t.Context(), ref("api-key"))
			assert.Equal(t, tc.faults, srv.Stats().Faults)
			if tc.success {
				require.NoError(t, err)
				assert.Equal(t, providertest.Canary, string(v.Data))
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var re *azcore.ResponseError
			assert.ErrorAs(t, err, &re, "the SDK error stays reachable")
			assert.Contains(t, err.Error(), `secret "api-key"`)
			assert.NotContains(t, err.Error(), providertest.Canary[7:20])
			if tc.want != driver.ErrNotFound {
				assert.NotErrorIs(t, err, driver.ErrNotFound)
			}
		})
	}
}

// bogusCredential hands out a token the vault does not accept.
type bogusCredential struct{}

func (bogusCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "not-a-vault-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestChallenge(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("api-key", "v")

	t.Run("the SDK answers the challenge with a token for the vault's scope and tenant", func(t *testing.T) {
		cred := &azkvtest.Credential{}
		c, err := azsecrets.NewClient(srv.VaultURL(vault), cred, srv.ClientOptions())
		require.NoError(t, err)
		p := azkv.New(map[string]azkv.SecretsClient{vault: c})
		before := srv.Stats()
		_, err = p.Fetch(t.Context(), ref("api-key"))
		require.NoError(t, err)
		after := srv.Stats()
		assert.Equal(t, 1, after.Challenges-before.Challenges, "the first request is challenged")
		assert.Equal(t, 2, after.Requests-before.Requests, "challenge, then the authorized request")
		require.Len(t, cred.Requests(), 1)
		assert.Equal(t, []string{azkvtest.Scope}, cred.Requests()[0].Scopes)
		assert.Equal(t, azkvtest.TenantID, cred.Requests()[0].TenantID)

		_, err = p.Fetch(t.Context(), ref("api-key"))
		require.NoError(t, err)
		assert.Equal(t, after.Challenges, srv.Stats().Challenges, "later requests carry the cached token")
		assert.Len(t, cred.Requests(), 1)
	})

	t.Run("a token the vault refuses is ErrPermission", func(t *testing.T) {
		c, err := azsecrets.NewClient(srv.VaultURL(vault), bogusCredential{}, srv.ClientOptions())
		require.NoError(t, err)
		_, err = azkv.New(map[string]azkv.SecretsClient{vault: c}).Fetch(t.Context(), ref("api-key"))
		assert.ErrorIs(t, err, driver.ErrPermission)
		assert.NotErrorIs(t, err, driver.ErrNotFound)
	})

	t.Run("resource verification stays on for real vault URLs", func(t *testing.T) {
		// Without DisableChallengeResourceVerification the SDK refuses a
		// challenge whose resource does not match the host (127.0.0.1).
		opts := srv.ClientOptions()
		opts.DisableChallengeResourceVerification = false
		c, err := azsecrets.NewClient(srv.VaultURL(vault), srv.Credential(), opts)
		require.NoError(t, err)
		_, err = azkv.New(map[string]azkv.SecretsClient{vault: c}).Fetch(t.Context(), ref("api-key"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "doesn't match the requested domain")
	})
}

func TestTLSIsVerified(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("api-key", "v")
	opts := srv.ClientOptions()
	opts.Transport = &http.Client{} // system roots only: the fake's certificate is not trusted
	opts.Retry.MaxRetries = -1
	c, err := azsecrets.NewClient(srv.VaultURL(vault), srv.Credential(), opts)
	require.NoError(t, err)
	_, err = azkv.New(map[string]azkv.SecretsClient{vault: c}).Fetch(t.Context(), ref("api-key"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.Contains(t, err.Error(), "certificate")
}

func TestDeadlineDuringLatency(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("slow", "v")
	srv.SetLatency(time.Hour) // the server waits until the request is cancelled
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Fetch(ctx, ref("slow"))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
}

func TestInvalidRefs(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("ok", "v")
	before := srv.Stats().Requests
	for _, tc := range []struct{ name, refName string }{
		{"host injection", "evil.example.com/ok"},
		{"vault too short", "ab/ok"},
		{"vault with underscore", "my_vault/ok"},
		{"secret with underscore", vault + "/not_ok"},
		{"secret with dot", vault + "/a.b"},
		{"version with dash", vault + "/ok/ab-cd"},
		{"too many segments", vault + "/ok/v/extra"},
		{"no client for vault", "othervault/ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Fetch(t.Context(), driver.Ref{Scheme: azkv.Scheme, Name: tc.refName})
			assert.ErrorIs(t, err, driver.ErrInvalidRef)
		})
	}
	_, err := p.Fetch(t.Context(), driver.Ref{Scheme: azkv.Scheme, Name: vault + "/ok", Query: "version=1"})
	assert.ErrorIs(t, err, driver.ErrInvalidRef)
	assert.Equal(t, before, srv.Stats().Requests, "invalid references fail before any request")
}

func TestNewDefaultOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []azkv.Option
		ok   bool
	}{
		{"defaults", nil, true},
		{"sovereign suffix", []azkv.Option{azkv.WithVaultSuffix("vault.azure.cn")}, true},
		{"https endpoint", []azkv.Option{azkv.WithEndpoint("https://127.0.0.1:8443")}, true},
		{"http endpoint", []azkv.Option{azkv.WithEndpoint("http://127.0.0.1:8080")}, false},
		{"suffix with path", []azkv.Option{azkv.WithVaultSuffix("evil.example/x")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := azkv.NewDefault(tc.opts...)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestEndpointOverride(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("api-key", "from-the-endpoint")
	p, err := azkv.NewDefault(
		azkv.WithEndpoint(srv.VaultURL(vault)),
		azkv.WithCredential(srv.Credential()),
		azkv.WithClientOptions(srv.ClientOptions()),
	)
	require.NoError(t, err)
	v, err := p.Fetch(t.Context(), driver.Ref{Scheme: azkv.Scheme, Name: "anyvault/api-key"})
	require.NoError(t, err)
	assert.Equal(t, "from-the-endpoint", string(v.Data))
}

func TestManyVaults(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Vault("vault-a").Set("name", "a")
	srv.Vault("vault-b").Set("name", "b")
	p := newDefault(t, srv)
	res, err := p.FetchBatch(t.Context(), []driver.Ref{
		{Scheme: azkv.Scheme, Name: "vault-a/name"},
		{Scheme: azkv.Scheme, Name: "Vault-B/name"}, // vault names are case-insensitive
		{Scheme: azkv.Scheme, Name: "vault-c/name"},
	})
	require.NoError(t, err)
	require.Len(t, res, 3)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	assert.Equal(t, "a", string(res[0].Value.Data))
	assert.Equal(t, "b", string(res[1].Value.Data))
	assert.ErrorIs(t, res[2].Err, driver.ErrNotFound)
}

func TestKeySources(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("openai-api-key", "sk-1")
	srv.Set("db-pass", "pw")
	for _, tc := range []struct {
		name   string
		src    driver.KeySource
		key    string
		secret string // "" when the source has no mapping
	}{
		{"dashed", azkv.Dashed(vault), "OPENAI_API_KEY", "openai-api-key"},
		{"dashed keeps digits and dashes", azkv.Dashed(vault), "S3-BUCKET_2", "s3-bucket-2"},
		{"dashed refuses dots", azkv.Dashed(vault), "app.name", ""},
		{"dashed refuses empty", azkv.Dashed(vault), "", ""},
		{"explicit", azkv.Keys(vault, map[string]string{"DB_PASSWORD": "db-pass"}), "DB_PASSWORD", "db-pass"},
		{"explicit unknown key", azkv.Keys(vault, map[string]string{"DB_PASSWORD": "db-pass"}), "OTHER", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := tc.src.RefFor(tc.key)
			if tc.secret == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, driver.Ref{Scheme: azkv.Scheme, Name: vault + "/" + tc.secret}, r)
		})
	}

	r, _ := azkv.Dashed(vault).RefFor("OPENAI_API_KEY")
	v, err := p.Fetch(t.Context(), r)
	require.NoError(t, err)
	assert.Equal(t, "sk-1", string(v.Data))
	r, _ = azkv.Dashed(vault).RefFor("NOT_THERE")
	_, err = p.Fetch(t.Context(), r)
	assert.ErrorIs(t, err, driver.ErrNotFound, "a missing secret lets the chain fall through")
}

func TestFetchBatchCancelled(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("a", "1")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := p.FetchBatch(ctx, []driver.Ref{ref("a"), ref("a")})
	require.NoError(t, err)
	for _, r := range res {
		assert.True(t, errors.Is(r.Err, context.Canceled))
	}
	assert.Zero(t, srv.Stats().Requests)
}

func TestDeletedSecretIsNotFound(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("gone", "v")
	require.NoError(t, srv.Delete("gone"))
	_, err := p.Fetch(t.Context(), ref("gone"))
	assert.ErrorIs(t, err, driver.ErrNotFound)
	assert.True(t, strings.Contains(err.Error(), `"gone"`))
}

func TestColdStartIsChallengedOnce(t *testing.T) {
	srv := azkvtest.NewServer(t)
	var refs []driver.Ref
	for i := 0; i < 10; i++ {
		name := "s" + string(rune('a'+i))
		srv.Set(name, "v-"+name)
		refs = append(refs, ref(name))
	}
	p := newDefault(t, srv)
	res, err := p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	for i, r := range res {
		require.NoError(t, r.Err)
		assert.Equal(t, "v-"+refs[i].Name[len(vault)+1:], string(r.Value.Data))
	}
	st := srv.Stats()
	assert.Equal(t, 1, st.Challenges, "concurrent first fetches share one challenge")
	assert.Equal(t, 11, st.Requests)
}

// gauge is a SecretsClient that records how many calls run at once.
type gauge struct {
	mu       sync.Mutex
	cur, max int
	release  chan struct{}
}

func (g *gauge) GetSecret(ctx context.Context, name, version string, _ *azsecrets.GetSecretOptions) (azsecrets.GetSecretResponse, error) {
	g.mu.Lock()
	g.cur++
	g.max = max(g.max, g.cur)
	release := g.release
	g.mu.Unlock()
	defer func() { g.mu.Lock(); g.cur--; g.mu.Unlock() }()
	select {
	case <-release:
	case <-ctx.Done():
		return azsecrets.GetSecretResponse{}, ctx.Err()
	}
	v := "x"
	return azsecrets.GetSecretResponse{Secret: azsecrets.Secret{Value: &v}}, nil
}

func (g *gauge) NewListSecretPropertiesVersionsPager(string, *azsecrets.ListSecretPropertiesVersionsOptions) *runtime.Pager[azsecrets.ListSecretPropertiesVersionsResponse] {
	panic("not used")
}

func TestConcurrencyIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gauge{release: make(chan struct{})}
		p := azkv.New(map[string]azkv.SecretsClient{vault: g}, azkv.WithConcurrency(3))
		refs := make([]driver.Ref, 10)
		for i := range refs {
			refs[i] = ref(fmt.Sprintf("s%d", i))
		}
		var res []driver.Result
		go func() { res, _ = p.FetchBatch(t.Context(), refs) }()
		synctest.Wait()
		g.mu.Lock()
		assert.Equal(t, 1, g.cur, "the first request to a vault goes alone")
		first := g.release
		g.release = make(chan struct{})
		g.mu.Unlock()
		close(first)
		synctest.Wait()
		g.mu.Lock()
		assert.Equal(t, 3, g.cur, "then as many as the bound allows")
		close(g.release)
		g.mu.Unlock()
		synctest.Wait()
		assert.Equal(t, 3, g.max)
		require.Len(t, res, 10)
		for _, r := range res {
			assert.NoError(t, r.Err)
		}
	})
}

func TestUnreachableVaultIsUnavailable(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("a", "v")
	srv.Close()
	_, err := p.Fetch(t.Context(), ref("a"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
}
