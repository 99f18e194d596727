package vault_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/kubernetes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/providers/vault"
)

// fakeKubeAPI is the one endpoint of the Kubernetes API that Vault's
// Kubernetes auth method calls: TokenReview. It accepts every token it
// issued with serviceAccountToken and records the ones it reviewed.
type fakeKubeAPI struct {
	*httptest.Server
	key *ecdsa.PrivateKey

	mu       sync.Mutex
	issued   map[string]bool
	reviewed []string
}

func newFakeKubeAPI(t *testing.T) *fakeKubeAPI {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	f := &fakeKubeAPI{key: key, issued: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" {
			http.NotFound(w, r)
			return
		}
		var review struct {
			Spec struct {
				Token string `json:"token"`
			} `json:"spec"`
		}
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		ok := f.issued[review.Spec.Token]
		f.reviewed = append(f.reviewed, review.Spec.Token)
		f.mu.Unlock()
		status := map[string]any{"authenticated": false}
		if ok {
			status = map[string]any{"authenticated": true, "user": map[string]any{
				"username": "system:serviceaccount:default:app", "uid": "uid-app",
			}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status,
		})
	}))
	t.Cleanup(f.Close)
	return f
}

// serviceAccountToken issues a signed (ES256) legacy service-account JWT
// for default/app; serial makes each one distinct.
func (f *fakeKubeAPI) serviceAccountToken(t *testing.T, serial string) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss":                                    "kubernetes/serviceaccount",
		"sub":                                    "system:serviceaccount:default:app",
		"kubernetes.io/serviceaccount/namespace": "default",
		"kubernetes.io/serviceaccount/service-account.name": "app",
		"kubernetes.io/serviceaccount/service-account.uid":  "uid-app",
		"kubernetes.io/serviceaccount/secret.name":          "app-token-" + serial,
	})
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, f.key, sum[:])
	require.NoError(t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	tok := signing + "." + enc.EncodeToString(sig)
	f.mu.Lock()
	f.issued[tok] = true
	f.mu.Unlock()
	return tok
}

func (f *fakeKubeAPI) lastReviewed() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reviewed) == 0 {
		return ""
	}
	return f.reviewed[len(f.reviewed)-1]
}

// TestKubernetesAuth logs in with a service-account token file, and logs in
// again with the rotated file after the Vault token is revoked.
func TestKubernetesAuth(t *testing.T) {
	t.Parallel()
	kube := newFakeKubeAPI(t)
	srv := startVault(t)
	ctx := t.Context()
	c := srv.Root
	require.NoError(t, c.Sys().EnableAuthWithOptionsWithContext(ctx, "kubernetes", &api.EnableAuthOptions{Type: "kubernetes"}))
	_, err := c.Logical().WriteWithContext(ctx, "auth/kubernetes/config", map[string]any{
		"kubernetes_host": kube.URL, "disable_local_ca_jwt": true,
	})
	require.NoError(t, err)
	require.NoError(t, c.Sys().PutPolicyWithContext(ctx, "app", `path "secret/data/app/*" { capabilities = ["read"] }`))
	_, err = c.Logical().WriteWithContext(ctx, "auth/kubernetes/role/app", map[string]any{
		"bound_service_account_names": "app", "bound_service_account_namespaces": "default",
		"token_policies": "app", "token_ttl": "1h",
	})
	require.NoError(t, err)
	_, err = c.KVv2("secret").Put(ctx, "app/api", map[string]any{"key": "k8s-ok"})
	require.NoError(t, err)

	tokenFile := filepath.Join(t.TempDir(), "token")
	first := kube.serviceAccountToken(t, "1")
	require.NoError(t, os.WriteFile(tokenFile, []byte(first), 0o600))

	p, err := vault.New(srv.Client(t, ""), vault.WithLogin(func() (api.AuthMethod, error) {
		return kubernetes.NewKubernetesAuth("app", kubernetes.WithServiceAccountTokenPath(tokenFile))
	}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	ref := mustParse(t, "vault://secret/app/api#key")
	_, got, err := fetchKey(ctx, p, ref)
	require.NoError(t, err)
	assert.Equal(t, "k8s-ok", got)
	assert.Equal(t, first, kube.lastReviewed())

	// The kubelet rotates the file; the Vault token is revoked; the next
	// read logs in again with the new file's token.
	second := kube.serviceAccountToken(t, "2")
	require.NoError(t, os.WriteFile(tokenFile, []byte(second), 0o600))
	require.NoError(t, c.Auth().Token().RevokeTreeWithContext(ctx, p.Client().Token()))
	_, got, err = fetchKey(ctx, p, ref)
	require.NoError(t, err)
	assert.Equal(t, "k8s-ok", got)
	assert.Equal(t, second, kube.lastReviewed(), "the second login read the rotated token file")
	assert.NotContains(t, []string{first, second}, p.Client().Token(), "a Vault token, not the JWT")
}
