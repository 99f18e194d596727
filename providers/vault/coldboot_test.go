package vault_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/vault"
)

// slowProxy is a reverse proxy on 127.0.0.1 in front of a Vault server that
// holds every request for a latency before passing it on, and records the
// requests ("GET /v1/secret/data/app/x").
type slowProxy struct {
	URL string

	mu       sync.Mutex
	latency  time.Duration
	requests []string
}

func newSlowProxy(tb testing.TB, target string) *slowProxy {
	tb.Helper()
	u, err := url.Parse(target)
	require.NoError(tb, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	sp := &slowProxy{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sp.mu.Lock()
		sp.requests = append(sp.requests, r.Method+" "+r.URL.Path)
		d := sp.latency
		sp.mu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(hs.Close)
	sp.URL = hs.URL
	return sp
}

func (sp *slowProxy) setLatency(d time.Duration) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.latency = d
}

// take returns the requests recorded and forgets them.
func (sp *slowProxy) take() []string {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	r := sp.requests
	sp.requests = nil
	return r
}

// coldBootSetup stores 20 KV v2 secrets under secret/app/ (two keys each)
// and returns a struct type of 40 Secret fields that read them, with its
// environment, and an AppRole allowed to read them.
func coldBootSetup(tb testing.TB, srv *devServer) (reflect.Type, map[string]string, api.AuthMethod) {
	tb.Helper()
	env := map[string]string{}
	var fields []reflect.StructField
	for i := range 20 {
		name := fmt.Sprintf("app/secret-%02d", i)
		_, err := srv.Root.KVv2("secret").Put(tb.Context(), name, map[string]any{"user": "u", "password": "p"})
		require.NoError(tb, err)
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "vault://secret/" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	roleID, secretID := appRole(tb, srv, "1h", "2h")
	method, err := approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: secretID})
	require.NoError(tb, err)
	return reflect.StructOf(fields), env, method
}

// proxyClient returns a new client (its own connections) for the proxy,
// without a token.
func proxyClient(tb testing.TB, addr string) *api.Client {
	tb.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	require.NoError(tb, err)
	c.SetToken("")
	return c
}

// A service's first Load with an AppRole login: the login, then the reads
// of the 20 secrets, all at once. Without WithKVMount, one mount lookup
// (shared by the 20 reads of the mount) comes between them; with it, none.
// (The token watcher that WithAuth starts renews the new token once, in the
// background, while the reads go out.)
func TestColdBootAppRole(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	typ, env, method := coldBootSetup(t, srv)
	proxy := newSlowProxy(t, srv.Addr)

	for _, tc := range []struct {
		name    string
		opts    []vault.Option
		lookups int
	}{
		{"detect", nil, 1},
		{"kv-mount", []vault.Option{vault.WithKVMount("secret", 2)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vault.New(proxyClient(t, proxy.URL), append(tc.opts, vault.WithAuth(method))...)
			require.NoError(t, err)
			t.Cleanup(func() { _ = p.Close() })
			proxy.take()
			dst := reflect.New(typ)
			require.NoError(t, driftless.Load(t.Context(), dst.Interface(), driftless.WithEnv(env), driftless.WithProvider("vault", p)))
			assert.Equal(t, "p", dst.Elem().FieldByName("F13_PASSWORD").Interface().(driftless.Secret).Value())

			reqs := proxy.take()
			require.NotEmpty(t, reqs)
			assert.Equal(t, "PUT /v1/auth/approle/login", reqs[0], "the login comes first")
			var lookups, reads, renewals int
			for _, r := range reqs[1:] {
				switch {
				case r == "PUT /v1/auth/token/renew-self":
					renewals++ // the token watcher's first renewal, in the background
				case strings.HasPrefix(r, "GET /v1/sys/internal/ui/mounts/secret/app/"):
					lookups++
				case strings.HasPrefix(r, "GET /v1/secret/data/app/secret-"):
					reads++
				default:
					t.Errorf("unexpected request %q", r)
				}
			}
			assert.Equal(t, tc.lookups, lookups, "mount lookups")
			assert.Equal(t, 20, reads, "one read per secret")
			assert.LessOrEqual(t, renewals, 1)
		})
	}
}

func TestWithKVMountInvalid(t *testing.T) {
	c, err := api.NewClient(&api.Config{Address: "http://127.0.0.1:1"})
	require.NoError(t, err)
	for _, o := range []vault.Option{vault.WithKVMount("", 2), vault.WithKVMount("secret", 3), vault.WithKVMount("/", 1)} {
		_, err := vault.New(c, o)
		assert.Error(t, err)
	}
}

// BenchmarkColdBootAppRole is a service's whole cold boot against a real
// Vault dev server behind a proxy that holds every request 20 ms: a new
// client (new connections), a Provider that logs in with AppRole, and
// driftless.Load of 40 fields over 20 KV v2 secrets. RT/op is the wall
// time in round trips of 20 ms (for every case, the no-latency one too).
// Rerun: go test -run '^$' -bench ColdBoot -benchtime 20x ./providers/vault
func BenchmarkColdBootAppRole(b *testing.B) {
	const latency = 20 * time.Millisecond
	srv := startVault(b)
	typ, env, method := coldBootSetup(b, srv)
	proxy := newSlowProxy(b, srv.Addr)
	for _, bc := range []struct {
		name    string
		opts    []vault.Option
		latency time.Duration
	}{
		{"detect", nil, latency},
		{"kv-mount", []vault.Option{vault.WithKVMount("secret", 2)}, latency},
		// The same without latency: what the server and the client
		// spend themselves, to subtract.
		{"kv-mount-no-latency", []vault.Option{vault.WithKVMount("secret", 2)}, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			proxy.setLatency(bc.latency)
			defer proxy.setLatency(0)
			proxy.take()
			for b.Loop() {
				p, err := vault.New(proxyClient(b, proxy.URL), append(bc.opts, vault.WithAuth(method))...)
				if err != nil {
					b.Fatal(err)
				}
				if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider("vault", p)); err != nil {
					b.Fatal(err)
				}
				_ = p.Close()
			}
			b.ReportMetric(float64(len(proxy.take()))/float64(b.N), "requests/op")
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "RT/op")
		})
	}
}
