package gcpsmtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/compute/metadata"
	"google.golang.org/grpc/codes"
	grpcmd "google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ServiceAccount is the e-mail of the service account whose tokens a
// Metadata server issues.
const ServiceAccount = "gcpsmtest@" + DefaultProject + ".iam.gserviceaccount.com"

// metadataHosts are the names the metadata client sends requests to: its
// fixed IP address (the default) and the DNS name it probes.
var metadataHosts = []string{"169.254.169.254", "metadata.google.internal"}

// Metadata is a fake Compute Engine metadata server on 127.0.0.1, as on
// Compute Engine, GKE (workload identity) and Cloud Run: it issues the
// default service account's access tokens
// (GET /computeMetadata/v1/instance/service-accounts/default/token with
// "Metadata-Flavor: Google") and answers the project id, the service
// account's e-mail and the universe domain. A request without the
// Metadata-Flavor header is refused with 403, as the real server does.
//
// Credentials returns credentials that fetch tokens from it through the
// official metadata client (cloud.google.com/go/compute/metadata) with an
// HTTP client that sends it the requests meant for the metadata server, so
// that no environment variable (GCE_METADATA_HOST) needs to be set. A
// Server told to RequireToken(m.Token()) then accepts only calls that carry
// the token.
//
// A Metadata is safe for concurrent use.
type Metadata struct {
	hs *httptest.Server

	mu       sync.Mutex
	latency  time.Duration
	token    string
	requests []string
}

// NewMetadata starts a Metadata server for a test and stops it when the
// test ends.
func NewMetadata(tb testing.TB) *Metadata {
	tb.Helper()
	m := StartMetadata()
	tb.Cleanup(m.Close)
	return m
}

// StartMetadata starts a Metadata server on a free port of 127.0.0.1. Stop
// it with Close.
func StartMetadata() *Metadata {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	m := &Metadata{token: "ya29.gcpsmtest-" + hex.EncodeToString(b)}
	m.hs = httptest.NewServer(http.HandlerFunc(m.serve))
	return m
}

// Close stops the server.
func (m *Metadata) Close() { m.hs.Close() }

// Host returns the server's address, host:port: what GCE_METADATA_HOST
// would name.
func (m *Metadata) Host() string { return strings.TrimPrefix(m.hs.URL, "http://") }

// Token returns the access token the server issues.
func (m *Metadata) Token() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token
}

// SetLatency delays every answer by d (0, the default, for none). A
// request whose client goes away while it waits is abandoned.
func (m *Metadata) SetLatency(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.latency = d
}

// Requests returns the paths (with their query) of the requests received,
// oldest first, such as
// "/computeMetadata/v1/instance/service-accounts/default/token?scopes=...".
func (m *Metadata) Requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.requests...)
}

// ResetRequests forgets the requests received so far.
func (m *Metadata) ResetRequests() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = nil
}

// HTTPClient returns an HTTP client that sends the requests meant for the
// metadata server (http://169.254.169.254/..., http://metadata.google.internal/...)
// to m, and refuses any other. Each call returns a new client with its own
// connections.
func (m *Metadata) HTTPClient() *http.Client {
	target := m.Host()
	base := &http.Transport{
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	return &http.Client{Transport: redirect{target: target, base: base}}
}

// redirect sends requests for the metadata server's names to target.
type redirect struct {
	target string
	base   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	known := false
	for _, h := range metadataHosts {
		known = known || host == h
	}
	if !known {
		return nil, fmt.Errorf("gcpsmtest: %s is not the metadata server", req.URL.Host)
	}
	out := req.Clone(req.Context())
	out.URL.Host = r.target
	out.Host = r.target
	return r.base.RoundTrip(out)
}

// Client returns the official metadata client pointed at m (through
// HTTPClient).
func (m *Metadata) Client() *metadata.Client {
	return metadata.NewWithOptions(&metadata.Options{Client: m.HTTPClient()})
}

// Credentials returns credentials that fetch the default service
// account's access tokens from m with the official metadata client, for
// scopes (none: the service account's own), cache them until shortly
// before they expire, and let concurrent callers share one fetch, as the
// Application Default Credentials of a Compute Engine instance do. Pass
// them to a client with option.WithAuthCredentials. Each call returns new
// credentials with an empty cache, as a new process has.
func (m *Metadata) Credentials(scopes ...string) *auth.Credentials {
	tp := &metadataTokens{client: m.Client(), scopes: scopes}
	return auth.NewCredentials(&auth.CredentialsOptions{
		TokenProvider: auth.NewCachedTokenProvider(tp, &auth.CachedTokenProviderOptions{DisableAsyncRefresh: true}),
		ProjectIDProvider: auth.CredentialsPropertyFunc(func(ctx context.Context) (string, error) {
			return tp.client.ProjectIDWithContext(ctx)
		}),
	})
}

// metadataTokens is an auth.TokenProvider that reads tokens from the
// metadata server, as the Compute Engine credentials do.
type metadataTokens struct {
	client *metadata.Client
	scopes []string
}

// Token implements auth.TokenProvider.
func (t *metadataTokens) Token(ctx context.Context) (*auth.Token, error) {
	suffix := "instance/service-accounts/default/token"
	if len(t.scopes) > 0 {
		suffix += "?" + url.Values{"scopes": {strings.Join(t.scopes, ",")}}.Encode()
	}
	body, err := t.client.GetWithContext(ctx, suffix)
	if err != nil {
		return nil, fmt.Errorf("gcpsmtest: metadata token: %w", err)
	}
	var res struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.AccessToken == "" || res.ExpiresIn == 0 {
		return nil, errors.New("gcpsmtest: metadata token: incomplete answer")
	}
	return &auth.Token{
		Value:  res.AccessToken,
		Type:   res.TokenType,
		Expiry: time.Now().Add(time.Duration(res.ExpiresIn) * time.Second),
		// What the Compute Engine credentials mark their tokens with: the
		// client then skips its universe-domain check.
		Metadata: map[string]any{"auth.google.tokenSource": "compute-metadata", "auth.google.serviceAccount": "default"},
	}, nil
}

func (m *Metadata) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.requests = append(m.requests, r.URL.RequestURI())
	latency, token := m.latency, m.token
	m.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Metadata-Flavor", "Google")
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing Metadata-Flavor:Google header.", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch strings.TrimPrefix(r.URL.Path, "/computeMetadata/v1/") {
	case "instance/service-accounts/default/token":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
	case "instance/service-accounts/default/email":
		_, _ = io.WriteString(w, ServiceAccount)
	case "project/project-id":
		_, _ = io.WriteString(w, DefaultProject)
	case "universe/universe-domain":
		_, _ = io.WriteString(w, "googleapis.com")
	case "/", "":
		// The probe that tells a Google Cloud host.
	default:
		http.NotFound(w, r)
	}
}

// RequireToken makes every call without the metadata
// "authorization: Bearer <token>" fail with UNAUTHENTICATED, as Secret
// Manager refuses a call without valid credentials. Such calls are counted.
// An empty token (the default) accepts every call.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// authorized reports whether ctx carries the token RequireToken asks for.
func authorized(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	md, _ := grpcmd.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if v == "Bearer "+token {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "Request had invalid authentication credentials. Expected OAuth 2 access token (gcpsmtest).")
}
