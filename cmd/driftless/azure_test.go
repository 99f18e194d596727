package main_test

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenService is a fake Microsoft Entra ID token service on 127.0.0.1
// (TLS): the OpenID configuration of a tenant, and the client-credentials
// grant of one client, for the Key Vault scope. It issues token, valid for
// expiresIn seconds.
type tokenService struct {
	srv              *httptest.Server
	clientID, secret string
	token            string
	expiresIn        int
	mu               sync.Mutex
	issued           int
	issuedCh         chan struct{} // closed and replaced on each issue
	refused          []string
}

func newTokenService(t *testing.T, token string, expiresIn int) *tokenService {
	t.Helper()
	ts := &tokenService{clientID: "driftless-test-client", secret: canary("client-secret"), token: token, expiresIn: expiresIn, issuedCh: make(chan struct{})}
	ts.srv = httptest.NewTLSServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *tokenService) serve(w http.ResponseWriter, r *http.Request) {
	tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	base := ts.srv.URL + "/" + tenant
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && rest == "v2.0/.well-known/openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{
			"issuer":                 base + "/v2.0",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"token_endpoint":         base + "/oauth2/v2.0/token",
		})
	case r.Method == http.MethodPost && rest == "oauth2/v2.0/token":
		if err := r.ParseForm(); err != nil {
			ts.refuse(w, "unparsable form")
			return
		}
		switch {
		case tenant != azkvtest.TenantID:
			ts.refuse(w, "tenant "+tenant)
		case r.PostForm.Get("grant_type") != "client_credentials":
			ts.refuse(w, "grant_type "+r.PostForm.Get("grant_type"))
		case r.PostForm.Get("client_id") != ts.clientID || r.PostForm.Get("client_secret") != ts.secret:
			ts.refuse(w, "client credentials")
		case !slices.Contains(strings.Fields(r.PostForm.Get("scope")), azkvtest.Scope):
			ts.refuse(w, "scope "+r.PostForm.Get("scope"))
		default:
			ts.mu.Lock()
			ts.issued++
			close(ts.issuedCh)
			ts.issuedCh = make(chan struct{})
			ts.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{
				"token_type":     "Bearer",
				"access_token":   ts.token,
				"expires_in":     ts.expiresIn,
				"ext_expires_in": ts.expiresIn,
			})
		}
	default:
		http.NotFound(w, r)
	}
}

func (ts *tokenService) refuse(w http.ResponseWriter, why string) {
	ts.mu.Lock()
	ts.refused = append(ts.refused, why)
	ts.mu.Unlock()
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": "refused by the test token service"})
}

// Refused returns why the service refused requests.
func (ts *tokenService) Refused() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.refused...)
}

// Issued returns the number of tokens issued.
func (ts *tokenService) Issued() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.issued
}

// waitIssued waits until at least n tokens have been issued.
func (ts *tokenService) waitIssued(t *testing.T, n int) {
	t.Helper()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	for {
		ts.mu.Lock()
		issued, ch := ts.issued, ts.issuedCh
		ts.mu.Unlock()
		if issued >= n {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			require.FailNow(t, fmt.Sprintf("the token service issued %d token(s), want %d within a minute", issued, n))
		}
	}
}

// env returns the variables of azidentity's EnvironmentCredential that
// sign in to this service.
func (ts *tokenService) env() []string {
	return []string{
		"AZURE_AUTHORITY_HOST=" + ts.srv.URL,
		"AZURE_TENANT_ID=" + azkvtest.TenantID,
		"AZURE_CLIENT_ID=" + ts.clientID,
		"AZURE_CLIENT_SECRET=" + ts.secret,
	}
}

// certPEM returns the service's certificate as PEM.
func (ts *tokenService) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.srv.Certificate().Raw}))
}

// TestExecAzkvDefaultCredential signs in with the credential chain Azure
// users set up (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_AUTHORITY_HOST) against a token service on loopback: the vault
// accepts only the token that service issues, and under exec --watch the
// token, valid for one second, is fetched again once it expired.
func TestExecAzkvDefaultCredential(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	az, azEnv := azkvEnv(t, dir)
	az.Set("api-key", canary("az-cred-1"))
	tok, err := az.Credential().GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{azkvtest.Scope}, TenantID: azkvtest.TenantID})
	require.NoError(t, err)
	ts := newTokenService(t, tok.Token, 1)

	// One CA file trusts both the vault and the token service.
	vaultCA, err := os.ReadFile(strings.TrimPrefix(azEnv[1], "DRIFTLESS_AZKV_CA_FILE="))
	require.NoError(t, err)
	ca := writeFile(t, dir, "both-ca.pem", string(vaultCA)+ts.certPEM())
	writeFile(t, dir, ".env", "API_KEY=azkv://"+azkvtest.DefaultVault+"/api-key\n")
	env := append(baseEnv(t, childEnv("env", "API_KEY")...), azEnv[0], "DRIFTLESS_AZKV_CA_FILE="+ca)
	env = append(env, ts.env()...)

	r := runCLI(t, dir, env, "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, "%s\nrefused: %q", r.stderr, ts.Refused())
	assert.Equal(t, "API_KEY="+canary("az-cred-1")+"\n", r.stdout)
	assert.GreaterOrEqual(t, ts.Issued(), 1)
	assert.NotContains(t, r.stderr, canary("client-secret"))

	// A wrong client secret: the token service refuses, the key is named,
	// no secret is printed.
	bad := append(append([]string(nil), env...), "AZURE_CLIENT_SECRET="+canary("wrong-secret"))
	r = runCLI(t, dir, bad, "exec", "--", "true")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "API_KEY (.env:1): azkv://"+azkvtest.DefaultVault+"/api-key: ")
	assert.NotContains(t, r.output(), canary("wrong-secret"))
	assert.NotContains(t, r.output(), canary("az-cred-"))

	// Under --watch the one-second token expires and is fetched again; the
	// rotated value still arrives.
	cmd := execCommand(t, dir, append(append([]string(nil), env...), childMode+"=serve"),
		"exec", "--watch", "100ms", "--", selfPath(t))
	out := lines(cmd.stdout)
	waitLine(t, out, "the first key", func(l string) bool { return l == "API_KEY="+canary("az-cred-1") })
	ts.waitIssued(t, ts.Issued()+2)
	az.Rotate("api-key", canary("az-cred-2"))
	waitLine(t, out, "the rotated key", func(l string) bool { return l == "API_KEY="+canary("az-cred-2") })
	cmd.stop(t)
	assert.NotContains(t, cmd.stderr.String(), canary("az-cred-"))
	assert.NotContains(t, cmd.stderr.String(), canary("client-secret"))
}
