package azkv_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
)

// coldBootStruct stores 20 JSON secrets (two keys each) in srv's default
// vault and returns a struct type of 40 Secret fields that read them, with
// its environment.
func coldBootStruct(tb testing.TB, srv *azkvtest.Server) (reflect.Type, map[string]string) {
	tb.Helper()
	env := map[string]string{}
	var fields []reflect.StructField
	for i := range 20 {
		name := fmt.Sprintf("secret-%02d", i)
		srv.Set(name, `{"user":"u","password":"p"}`)
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "azkv://" + azkvtest.DefaultVault + "/" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	return reflect.StructOf(fields), env
}

// freshOptions returns srv's client options with a transport of its own
// (new connections, new TLS sessions), as a new process has, and transport
// wrapped by wrap when it is not nil.
func freshOptions(tb testing.TB, srv *azkvtest.Server, wrap func(policy.Transporter) policy.Transporter) azkv.Option {
	tb.Helper()
	opts := srv.ClientOptions()
	tr := srv.HTTPClient().Transport.(*http.Transport).Clone()
	tb.Cleanup(tr.CloseIdleConnections)
	var t policy.Transporter = &http.Client{Transport: tr}
	if wrap != nil {
		t = wrap(t)
	}
	opts.Transport = t
	return azkv.WithClientOptions(opts)
}

// tokenCall is one GetToken call seen by recordingCredential.
type tokenCall struct {
	opts       policy.TokenRequestOptions
	challenges int // the vault's challenges answered when the call began
}

// recordingCredential records the GetToken calls made to a credential.
type recordingCredential struct {
	azcore.TokenCredential
	srv *azkvtest.Server

	mu    sync.Mutex
	calls []tokenCall
}

func (c *recordingCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	c.calls = append(c.calls, tokenCall{opts: opts, challenges: c.srv.Stats().Challenges})
	c.mu.Unlock()
	return c.TokenCredential.GetToken(ctx, opts)
}

func (c *recordingCredential) seen() []tokenCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]tokenCall(nil), c.calls...)
}

// A process's first Load with a client secret: the sign-in (the tenant's
// OpenID configuration, then one token request) starts with the first
// fetch, before the vault's challenge is answered, and the SDK's own
// request for the token, after it has checked the challenge, finds it in
// the credential's cache. Then the 20 reads.
func TestColdBootClientSecret(t *testing.T) {
	srv := azkvtest.NewServer(t)
	typ, env := coldBootStruct(t, srv)
	cred := &recordingCredential{TokenCredential: srv.ClientSecretCredential(), srv: srv}
	p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(cred), freshOptions(t, srv, nil))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	srv.ResetStats()

	dst := reflect.New(typ)
	require.NoError(t, driftless.Load(t.Context(), dst.Interface(), driftless.WithEnv(env), driftless.WithProvider(azkv.Scheme, p)))
	assert.Equal(t, "p", dst.Elem().FieldByName("F05_PASSWORD").Interface().(driftless.Secret).Value())

	st := srv.Stats()
	assert.Equal(t, 1, st.Discovery, "the tenant's OpenID configuration, once")
	assert.Equal(t, 1, st.Tokens, "one token: the SDK's request found the prefetched one")
	assert.Equal(t, 1, st.Challenges, "one challenge")
	assert.Equal(t, 20, st.Gets)
	assert.Equal(t, 21, st.Requests)

	calls := cred.seen()
	require.Len(t, calls, 2)
	assert.Equal(t, []string{azkvtest.Scope}, calls[0].opts.Scopes, "the prefetch asks for the vault's scope")
	assert.Empty(t, calls[0].opts.TenantID, "the prefetch asks for the credential's own tenant")
	assert.Zero(t, calls[0].challenges, "the prefetch starts before the challenge is answered")
	assert.Equal(t, []string{azkvtest.Scope}, calls[1].opts.Scopes, "the SDK asks for the scope the challenge named")
	assert.Equal(t, azkvtest.TenantID, calls[1].opts.TenantID, "the SDK asks for the tenant the challenge named")
	assert.Equal(t, 1, calls[1].challenges)
}

// With WithTokenPrefetch(false), the only token request is the SDK's,
// after the challenge.
func TestColdBootNoPrefetch(t *testing.T) {
	srv := azkvtest.NewServer(t)
	typ, env := coldBootStruct(t, srv)
	cred := &recordingCredential{TokenCredential: srv.ClientSecretCredential(), srv: srv}
	p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(cred), freshOptions(t, srv, nil), azkv.WithTokenPrefetch(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	require.NoError(t, driftless.Load(t.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider(azkv.Scheme, p)))
	calls := cred.seen()
	require.Len(t, calls, 1)
	assert.Equal(t, azkvtest.TenantID, calls[0].opts.TenantID)
	assert.Equal(t, 1, calls[0].challenges)
	assert.Equal(t, 1, srv.Stats().Tokens)
}

// holdFirstAuthorized holds the first request that carries a token until
// n requests with a token have been sent, or the request's context ends.
type holdFirstAuthorized struct {
	base policy.Transporter
	n    int

	mu   sync.Mutex
	seen int
	all  chan struct{}
}

func (h *holdFirstAuthorized) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Authorization") != "" {
		h.mu.Lock()
		h.seen++
		k := h.seen
		if k == h.n {
			close(h.all)
		}
		h.mu.Unlock()
		if k == 1 {
			select {
			case <-h.all:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
	}
	return h.base.Do(req)
}

// The fetches that wait behind a vault's first request go as soon as that
// request is retried with its token, not when it has finished: here the
// first authorized request is held until all 20 have been sent, which
// happens only if the other 19 did not wait for it to finish.
func TestColdBootGateOpensOnToken(t *testing.T) {
	srv := azkvtest.NewServer(t)
	refs := make([]driver.Ref, 20)
	for i := range refs {
		name := fmt.Sprintf("secret-%02d", i)
		srv.Set(name, "v")
		refs[i] = driver.Ref{Scheme: azkv.Scheme, Name: azkvtest.DefaultVault + "/" + name}
	}
	hold := &holdFirstAuthorized{n: len(refs), all: make(chan struct{})}
	p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(srv.Credential()),
		freshOptions(t, srv, func(base policy.Transporter) policy.Transporter { hold.base = base; return hold }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	srv.ResetStats()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := p.FetchBatch(ctx, refs)
	require.NoError(t, err)
	for i, r := range res {
		assert.NoError(t, r.Err, "ref %d", i)
	}
	assert.Equal(t, 1, srv.Stats().Challenges)
	assert.Equal(t, 20, srv.Stats().Gets)
}

// blockingCredential's GetToken waits until its context ends; started is
// closed at the first call.
type blockingCredential struct {
	once    sync.Once
	started chan struct{}
}

func (c *blockingCredential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.once.Do(func() { close(c.started) })
	<-ctx.Done()
	return azcore.AccessToken{}, ctx.Err()
}

// Close cancels a prefetch still under way and waits for it.
func TestCloseEndsPrefetch(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("s", "v")
	cred := &blockingCredential{started: make(chan struct{})}
	p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(cred), freshOptions(t, srv, nil))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = p.Fetch(ctx, driver.Ref{Scheme: azkv.Scheme, Name: azkvtest.DefaultVault + "/s"})
	}()
	<-cred.started // the prefetch, or the SDK's own request
	cancel()
	<-done // the fetch honours its context; the prefetch has its own
	closed := make(chan struct{})
	go func() {
		_ = p.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Close did not end the prefetch")
	}
}

// BenchmarkColdBoot is a process's whole cold boot with a client secret:
// a new credential (empty token cache), a new provider and connections,
// and driftless.Load of 40 fields over 20 secrets, with 20 ms per request
// injected by azkvtest on the vault and on the sign-in endpoint. RT/op is
// the wall time in round trips of 20 ms; requests/op counts the vault's
// requests and the sign-in endpoint's. Rerun:
// go test -run '^$' -bench ColdBoot -benchtime 30x ./providers/azkv
func BenchmarkColdBoot(b *testing.B) {
	const latency = 20 * time.Millisecond
	srv := azkvtest.NewServer(b)
	typ, env := coldBootStruct(b, srv)
	for _, bc := range []struct {
		name string
		cred func() azcore.TokenCredential
		opts []azkv.Option
	}{
		{"client-secret", func() azcore.TokenCredential { return srv.ClientSecretCredential() }, nil},
		{"client-secret-no-prefetch", func() azcore.TokenCredential { return srv.ClientSecretCredential() }, []azkv.Option{azkv.WithTokenPrefetch(false)}},
		{"token-in-hand", func() azcore.TokenCredential { return srv.Credential() }, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv.SetLatency(latency)
			defer srv.SetLatency(0)
			srv.ResetStats()
			for b.Loop() {
				opts := append([]azkv.Option{azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(bc.cred()), freshOptions(b, srv, nil)}, bc.opts...)
				p, err := azkv.NewDefault(opts...)
				if err != nil {
					b.Fatal(err)
				}
				if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider(azkv.Scheme, p)); err != nil {
					b.Fatal(err)
				}
				_ = p.Close()
			}
			st := srv.Stats()
			b.ReportMetric(float64(st.Requests+st.Tokens+st.Discovery)/float64(b.N), "requests/op")
			b.ReportMetric(float64(st.Challenges)/float64(b.N), "challenges/op")
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "RT/op")
		})
	}
}
