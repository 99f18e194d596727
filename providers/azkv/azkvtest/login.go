package azkvtest

import (
	"crypto/subtle"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// ClientID is the application (client) id that the fake sign-in endpoint
// knows, with ClientSecret.
const ClientID = "0f4e8c3a-0000-4000-8000-00000000a2c1"

// ClientSecret is the client secret of ClientID at the fake sign-in
// endpoint. It is a test value: it opens nothing but this fake.
const ClientSecret = "azkvtest-client-secret"

// loginListener returns the fake Microsoft Entra ID sign-in endpoint,
// starting it on first use.
func (s *Server) loginListener() *httptest.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.login != nil {
		return s.login
	}
	l := httptest.NewUnstartedServer(http.HandlerFunc(s.serveLogin))
	if s.cert.Certificate != nil {
		l.TLS = &tls.Config{Certificates: []tls.Certificate{s.cert}}
	}
	l.EnableHTTP2 = true
	l.StartTLS()
	s.login = l
	return l
}

// AuthorityHost returns the base URL of a fake Microsoft Entra ID sign-in
// endpoint (the stand-in for https://login.microsoftonline.com/) over TLS
// on 127.0.0.1, started on first use. It serves a tenant's OpenID
// configuration (/<tenant>/v2.0/.well-known/openid-configuration),
// instance discovery (/common/discovery/instance) and the client
// credentials grant (POST /<tenant>/oauth2/v2.0/token) for ClientID and
// ClientSecret in the tenant TenantID. It issues tokens the vault accepts
// for Scope only; a token for another scope is one for another audience,
// which the vault refuses. SetLatency delays its answers too; Stats counts
// them apart from the vault's requests (Tokens, Discovery).
func (s *Server) AuthorityHost() string { return s.loginListener().URL + "/" }

// ClientSecretCredential returns a new azidentity.ClientSecretCredential
// (with an empty token cache, as a new process has) for ClientID and
// ClientSecret in TenantID, signing in at AuthorityHost through the
// server's HTTP client. Instance discovery is disabled, as the SDK skips
// it for login.microsoftonline.com: a token costs the OpenID configuration
// and the token request, as it does in Azure's public cloud.
func (s *Server) ClientSecretCredential() *azidentity.ClientSecretCredential {
	cred, err := azidentity.NewClientSecretCredential(TenantID, ClientID, ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost()},
			Transport: s.http,
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		s.fatalf("azkvtest: NewClientSecretCredential: %v", err)
	}
	return cred
}

// aadError is the error body of the sign-in endpoint.
type aadError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	ErrorCodes  []int  `json:"error_codes"`
}

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	base := "https://" + r.Host
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/common/discovery/instance":
		s.stats.discovery.Add(1)
		tenant := TenantID
		if u := r.URL.Query().Get("authorization_endpoint"); u != "" {
			if p := strings.Split(strings.TrimPrefix(u, base+"/"), "/"); p[0] != "" {
				tenant = p[0]
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": base + "/" + tenant + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": r.Host, "preferred_cache": r.Host, "aliases": []string{r.Host}}},
		})
	case r.Method == http.MethodGet && len(parts) == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration":
		s.stats.discovery.Add(1)
		if parts[0] != TenantID {
			writeJSON(w, http.StatusBadRequest, aadError{Error: "invalid_tenant", Description: "AADSTS90002: Tenant not found. (azkvtest)", ErrorCodes: []int{90002}})
			return
		}
		t := base + "/" + parts[0]
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":                        t + "/oauth2/v2.0/token",
			"authorization_endpoint":                t + "/oauth2/v2.0/authorize",
			"issuer":                                t + "/v2.0",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"tenant_region_scope":                   "WW",
		})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token":
		s.stats.tokens.Add(1)
		s.token(w, r, parts[0])
	default:
		writeJSON(w, http.StatusNotFound, aadError{Error: "not_found", Description: "azkvtest: no such sign-in endpoint"})
	}
}

// token answers the client credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request, tenant string) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, aadError{Error: "invalid_request", Description: "AADSTS900144: malformed request body. (azkvtest)"})
		return
	}
	f := r.PostForm
	switch {
	case tenant != TenantID:
		writeJSON(w, http.StatusBadRequest, aadError{Error: "invalid_tenant", Description: "AADSTS90002: Tenant not found. (azkvtest)", ErrorCodes: []int{90002}})
		return
	case f.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, aadError{Error: "unsupported_grant_type", Description: "AADSTS70003: only client_credentials is served by azkvtest", ErrorCodes: []int{70003}})
		return
	case f.Get("client_id") != ClientID:
		writeJSON(w, http.StatusBadRequest, aadError{Error: "unauthorized_client", Description: "AADSTS700016: Application not found in the directory. (azkvtest)", ErrorCodes: []int{700016}})
		return
	case subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(ClientSecret)) != 1:
		// The secret sent is never echoed.
		writeJSON(w, http.StatusUnauthorized, aadError{Error: "invalid_client", Description: "AADSTS7000215: Invalid client secret provided. (azkvtest)", ErrorCodes: []int{7000215}})
		return
	}
	// MSAL adds the OpenID Connect scopes to the resource's.
	var scopes []string
	for _, sc := range strings.Fields(f.Get("scope")) {
		if sc != "openid" && sc != "offline_access" && sc != "profile" {
			scopes = append(scopes, sc)
		}
	}
	tok := invalidToken
	if len(scopes) == 1 && scopes[0] == Scope {
		tok = validToken
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok,
	})
}
