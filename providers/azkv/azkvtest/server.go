package azkvtest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

// DefaultVault is the name of the vault that the Server's own Put, Set,
// Update and Delete methods act on.
const DefaultVault = "testvault"

// MaxValueBytes is the largest secret value Key Vault stores (25 KiB).
const MaxValueBytes = 25 * 1024

// pageSize is the number of versions per page of a versions listing, Key
// Vault's default and maximum maxresults.
const pageSize = 25

var nameRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)

// ErrInvalid is returned by the Server's and Vault's direct methods for a
// name or value that Key Vault would refuse.
var ErrInvalid = errors.New("azkvtest: invalid name or value")

// ErrNotFound is returned by the Server's and Vault's direct methods for a
// secret or version that does not exist.
var ErrNotFound = errors.New("azkvtest: secret not found")

// Server is a fake Azure Key Vault that serves the secrets REST API over TLS
// on 127.0.0.1. Each vault it hosts gets its own listener (its own
// https://127.0.0.1:<port> base URL), created on first use, so the secret
// IDs it returns have Key Vault's shape and azsecrets.ID parses them.
//
// Every request must carry a bearer token: an unauthenticated request gets
// Key Vault's 401 challenge, and the SDK then asks its credential for a
// token for the challenge's scope and tenant. Tokens from Credential are
// accepted only for that scope and tenant.
//
// The Server's own Put, Set, Rotate, Versions, Update and Delete act on the
// vault named DefaultVault; Vault returns a handle for any other. Server is
// safe for concurrent use.
type Server struct {
	def   *Vault
	tb    testing.TB
	cred  *Credential
	cert  tls.Certificate
	http  *http.Client
	mu    sync.Mutex
	lis   map[string]*httptest.Server   // by vault name (lower case)
	login *httptest.Server              // the sign-in endpoint, see AuthorityHost
	data  map[string]map[string]*secret // vault -> lower-case secret name -> secret
	fault []fault
	delay time.Duration
	now   func() time.Time // the clock of created and updated; time.Now by default
	order ListOrder
	down  bool
	raw   *rawAnswer

	stats counters
}

type counters struct {
	requests, challenges, gets, sets, versions, updates, deletes, listAll, faults atomic.Int64
	tokens, discovery                                                             atomic.Int64
}

// Stats counts the requests a Server received.
type Stats struct {
	Requests   int // every HTTP request, including challenges and faults
	Challenges int // 401 answers to requests without a valid token
	Gets       int // GET /secrets/{name}[/{version}] answered with a value
	Sets       int // PUT /secrets/{name}
	Versions   int // GET /secrets/{name}/versions pages
	Updates    int // PATCH /secrets/{name}/{version}
	Deletes    int // DELETE /secrets/{name}
	ListAll    int // GET /secrets (listing every secret in the vault)
	Faults     int // requests answered by an injected fault

	// The sign-in endpoint's requests (see AuthorityHost), not counted in
	// Requests.
	Tokens    int // POST /<tenant>/oauth2/v2.0/token
	Discovery int // GET of a tenant's OpenID configuration or of instance discovery
}

// ListOrder is the order in which the server lists the versions of a
// secret. Key Vault does not promise one, and its created timestamps are
// whole seconds, so versions made in one second cannot be told apart by
// time: a client must not rely on either.
type ListOrder int

const (
	// ListCreated lists versions oldest first, in creation order (the
	// default).
	ListCreated ListOrder = iota
	// ListReversed lists versions newest first.
	ListReversed
	// ListShuffled lists versions in an order unrelated to their creation
	// (by version id, which is random), the same for every page and
	// every request.
	ListShuffled
)

// rawAnswer is an HTTP answer that is not Key Vault's JSON.
type rawAnswer struct {
	status      int
	contentType string
	body        string
}

type fault struct {
	status     int
	retryAfter time.Duration
	left       int
}

type secret struct {
	name     string // as first created
	versions []*version
}

type version struct {
	id          string
	value       string
	contentType string
	tags        map[string]string
	enabled     bool
	nbf, exp    *int64
	created     int64
	updated     int64
}

// Attributes changes a version's attributes in Update; nil fields are left
// as they are. A zero time in NotBefore or Expires clears that attribute.
type Attributes struct {
	Enabled   *bool
	NotBefore *time.Time
	Expires   *time.Time
}

// Vault is one vault of a Server: a handle that changes its secrets
// directly (without HTTP), as an operator or a rotation job would.
type Vault struct {
	srv  *Server
	name string
}

// NewServer starts a fake Key Vault and registers its shutdown with
// tb.Cleanup. Helpers that cannot proceed (Set, Client) call tb.Fatalf.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := start(tb)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake Key Vault outside a test (in an Example or a main
// package); the caller must call Close. Helpers that cannot proceed (Set,
// Client) panic.
func Start() *Server { return start(nil) }

func (s *Server) fatalf(format string, args ...any) {
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf(format, args...)
	}
	panic(fmt.Sprintf(format, args...))
}

func start(tb testing.TB) *Server {
	s := &Server{
		tb:   tb,
		cred: &Credential{},
		lis:  map[string]*httptest.Server{},
		data: map[string]map[string]*secret{},
		now:  time.Now,
	}
	s.def = &Vault{srv: s, name: DefaultVault}
	first := s.listener(DefaultVault)
	s.cert = first.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(first.Certificate())
	s.http = &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
		ForceAttemptHTTP2:   true,
	}}
	return s
}

// Close shuts the listeners down. It is called by tb.Cleanup and safe to
// call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	lis := s.lis
	s.lis = map[string]*httptest.Server{}
	login := s.login
	s.login = nil
	s.mu.Unlock()
	for _, l := range lis {
		l.Close()
	}
	if login != nil {
		login.Close()
	}
	if s.http != nil {
		s.http.CloseIdleConnections()
	}
}

func (s *Server) listener(vault string) *httptest.Server {
	key := strings.ToLower(vault)
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.lis[key]; ok {
		return l
	}
	l := httptest.NewUnstartedServer(nil)
	l.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, key, "https://"+r.Host)
	})
	if s.cert.Certificate != nil {
		l.TLS = &tls.Config{Certificates: []tls.Certificate{s.cert}}
	}
	l.EnableHTTP2 = true
	l.StartTLS()
	s.lis[key] = l
	if s.data[key] == nil {
		s.data[key] = map[string]*secret{}
	}
	return l
}

// VaultURL returns the base URL that serves vault, the stand-in for
// https://<vault>.vault.azure.net. It starts the vault's listener on first
// use.
func (s *Server) VaultURL(vault string) string { return s.listener(vault).URL }

// Credential returns the fake credential whose tokens the server accepts.
func (s *Server) Credential() *Credential { return s.cred }

// HTTPClient returns an *http.Client that trusts the server's certificate
// (and no other), for use as an azcore transport.
func (s *Server) HTTPClient() *http.Client { return s.http }

// ClientOptions returns azsecrets options for a client of this server: a
// transport that trusts the server's certificate, short retry delays (so
// throttling tests run fast; three retries) and
// DisableChallengeResourceVerification, since the challenge names
// https://vault.azure.net while the server listens on 127.0.0.1. Each call
// returns a new value the caller may change.
func (s *Server) ClientOptions() *azsecrets.ClientOptions {
	return &azsecrets.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Transport: s.http,
			Retry: policy.RetryOptions{
				MaxRetries:    3,
				RetryDelay:    time.Millisecond,
				MaxRetryDelay: 10 * time.Millisecond,
			},
		},
		DisableChallengeResourceVerification: true,
	}
}

// Client returns the official client for vault, pointed at this server with
// the server's Credential and ClientOptions.
func (s *Server) Client(vault string) *azsecrets.Client {
	c, err := azsecrets.NewClient(s.VaultURL(vault), s.cred, s.ClientOptions())
	if err != nil {
		s.fatalf("azkvtest: azsecrets.NewClient: %v", err)
	}
	return c
}

// Vault returns the handle of the named vault, creating it (empty) on first
// use.
func (s *Server) Vault(name string) *Vault {
	s.listener(name)
	return &Vault{srv: s, name: name}
}

// SetLatency delays every response (challenges included) by d, or until the
// request is cancelled. Zero removes the delay.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Throttle answers the next n authenticated requests with 429 Too Many
// Requests and a Retry-After header of retryAfter rounded up to whole
// seconds, as Key Vault does. A zero retryAfter sends "Retry-After: 0", which
// makes the SDK use its own (in tests, short) retry delay.
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	s.fault = append(s.fault, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter, left: n})
	s.mu.Unlock()
}

// FailNext answers the next n authenticated requests with status and a Key
// Vault error body (for example 403 Forbidden, 500, 503). Faults queue up
// after any Throttle already pending.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	s.fault = append(s.fault, fault{status: status, left: n})
	s.mu.Unlock()
}

// SetClock sets the clock that stamps new versions (created) and
// attribute changes (updated), which the server keeps in whole seconds as
// Key Vault does. A clock that stands still makes versions that share one
// created timestamp. nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetListOrder sets the order of versions listings (see ListOrder). The
// default is ListCreated.
func (s *Server) SetListOrder(o ListOrder) {
	s.mu.Lock()
	s.order = o
	s.mu.Unlock()
}

// Down takes every vault of the server down until Up: every request,
// challenges included, is answered with 503 Service Unavailable and a
// plain-text body, as the load balancer in front of a failed service
// answers. (Not connection refused: the ports stay the server's, so Up
// cannot lose them to another process.) The SDK retries 503 (three times
// with ClientOptions' short delays) and then returns an
// *azcore.ResponseError. Requests are counted; the secrets are kept.
func (s *Server) Down() {
	s.mu.Lock()
	s.down = true
	s.mu.Unlock()
}

// Up brings the vaults back after Down, with the secrets they had.
func (s *Server) Up() {
	s.mu.Lock()
	s.down = false
	s.mu.Unlock()
}

// FailRaw makes every request, challenges included, be answered with
// status, contentType and body instead of Key Vault's JSON: the HTML page
// of a proxy or a gateway in front of the vault. A 401 carries the proxy's
// own challenge, WWW-Authenticate: Basic realm="azkvtest-proxy", which is
// not Key Vault's. A status of 0 clears it.
func (s *Server) FailRaw(status int, contentType, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		s.raw = nil
		return
	}
	s.raw = &rawAnswer{status, contentType, body}
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		Requests: int(c.requests.Load()), Challenges: int(c.challenges.Load()),
		Gets: int(c.gets.Load()), Sets: int(c.sets.Load()), Versions: int(c.versions.Load()),
		Updates: int(c.updates.Load()), Deletes: int(c.deletes.Load()),
		ListAll: int(c.listAll.Load()), Faults: int(c.faults.Load()),
		Tokens: int(c.tokens.Load()), Discovery: int(c.discovery.Load()),
	}
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	for _, c := range []*atomic.Int64{&s.stats.requests, &s.stats.challenges, &s.stats.gets, &s.stats.sets,
		&s.stats.versions, &s.stats.updates, &s.stats.deletes, &s.stats.listAll, &s.stats.faults,
		&s.stats.tokens, &s.stats.discovery} {
		c.Store(0)
	}
}

// Put stores data as a new version of name in DefaultVault; it has the
// signature of providertest.Backend.Put. See Vault.Put.
func (s *Server) Put(ctx context.Context, name string, data []byte) error {
	return s.def.Put(ctx, name, data)
}

// Set stores value as a new version of name in DefaultVault and returns its
// version id. See Vault.Set.
func (s *Server) Set(name, value string) string { return s.def.Set(name, value) }

// Rotate stores value as a new version of name in DefaultVault. See
// Vault.Rotate.
func (s *Server) Rotate(name, value string) (previous, current string) {
	return s.def.Rotate(name, value)
}

// Versions returns the version ids of name in DefaultVault, oldest first.
func (s *Server) Versions(name string) []string { return s.def.Versions(name) }

// Update changes the attributes of a version of name in DefaultVault. See
// Vault.Update.
func (s *Server) Update(name, version string, a Attributes) error {
	return s.def.Update(name, version, a)
}

// Delete removes name from DefaultVault. See Vault.Delete.
func (s *Server) Delete(name string) error { return s.def.Delete(name) }

// Name returns the vault's name.
func (v *Vault) Name() string { return v.name }

// Put stores data as a new version of the secret name, creating the secret
// if needed; it has the signature of providertest.Backend.Put. Key Vault
// stores text: data must be valid UTF-8 of at most MaxValueBytes. Empty
// values are allowed, as in Key Vault.
func (v *Vault) Put(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: value of %q is not valid UTF-8 (Key Vault stores text)", ErrInvalid, name)
	}
	_, err := v.set(name, string(data), setOptions{})
	return err
}

// Set stores value as a new version of the secret name (a rotation) and
// returns the new version's id. It fails the test on a name or value that
// Key Vault would refuse.
func (v *Vault) Set(name, value string) string {
	id, err := v.set(name, value, setOptions{})
	if err != nil {
		v.srv.fatalf("azkvtest: Set: %v", err)
	}
	return id
}

// Rotate stores value as a new version of name and returns the ids of the
// version that was current before (empty if none) and of the new one.
func (v *Vault) Rotate(name, value string) (previous, current string) {
	if vs := v.Versions(name); len(vs) > 0 {
		previous = vs[len(vs)-1]
	}
	return previous, v.Set(name, value)
}

// Versions returns the version ids of name, oldest first (nil if the
// secret does not exist).
func (v *Vault) Versions(name string) []string {
	s := v.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.data[strings.ToLower(v.name)][strings.ToLower(name)]
	if sec == nil {
		return nil
	}
	ids := make([]string, len(sec.versions))
	for i, ver := range sec.versions {
		ids[i] = ver.id
	}
	return ids
}

// Update changes the attributes of one version of name ("" for the
// current one), as PATCH /secrets/{name}/{version} does.
func (v *Vault) Update(name, ver string, a Attributes) error {
	s := v.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.lookup(v.name, name, ver)
	if x == nil {
		return fmt.Errorf("%w: %s/%s", ErrNotFound, name, ver)
	}
	if a.Enabled != nil {
		x.enabled = *a.Enabled
	}
	if a.NotBefore != nil {
		x.nbf = unixPtr(*a.NotBefore)
	}
	if a.Expires != nil {
		x.exp = unixPtr(*a.Expires)
	}
	x.updated = s.now().Unix()
	return nil
}

// Delete removes the secret name with all its versions. The fake purges at
// once: it does not model soft-delete and recovery.
func (v *Vault) Delete(name string) error {
	s := v.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.data[strings.ToLower(v.name)]
	if m[strings.ToLower(name)] == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	delete(m, strings.ToLower(name))
	return nil
}

func unixPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

type setOptions struct {
	contentType string
	tags        map[string]string
	enabled     *bool
	nbf, exp    *int64
}

func newVersionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (v *Vault) set(name, value string, o setOptions) (string, error) {
	if !nameRE.MatchString(name) {
		return "", fmt.Errorf("%w: secret name %q (want 1-127 letters, digits and dashes)", ErrInvalid, name)
	}
	if len(value) > MaxValueBytes {
		return "", fmt.Errorf("%w: value of %q is %d bytes, more than %d", ErrInvalid, name, len(value), MaxValueBytes)
	}
	s := v.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	vault := strings.ToLower(v.name)
	if s.data[vault] == nil {
		s.data[vault] = map[string]*secret{}
	}
	sec := s.data[vault][strings.ToLower(name)]
	if sec == nil {
		sec = &secret{name: name}
		s.data[vault][strings.ToLower(name)] = sec
	}
	now := s.now().Unix()
	ver := &version{id: newVersionID(), value: value, contentType: o.contentType, tags: o.tags,
		enabled: o.enabled == nil || *o.enabled, nbf: o.nbf, exp: o.exp, created: now, updated: now}
	sec.versions = append(sec.versions, ver)
	return ver.id, nil
}

// lookup finds a version; ver "" is the current (newest) one. s.mu is held.
func (s *Server) lookup(vault, name, ver string) *version {
	sec := s.data[strings.ToLower(vault)][strings.ToLower(name)]
	if sec == nil || len(sec.versions) == 0 {
		return nil
	}
	if ver == "" {
		return sec.versions[len(sec.versions)-1]
	}
	for _, x := range sec.versions {
		if x.id == strings.ToLower(ver) {
			return x
		}
	}
	return nil
}

// ---- HTTP ----

type kvError struct {
	Error kvErrorBody `json:"error"`
}

type kvErrorBody struct {
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	InnerError *kvErrorBody `json:"innererror,omitempty"`
}

type attributes struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	NotBefore       *int64 `json:"nbf,omitempty"`
	Expires         *int64 `json:"exp,omitempty"`
	Created         int64  `json:"created,omitempty"`
	Updated         int64  `json:"updated,omitempty"`
	RecoveryLevel   string `json:"recoveryLevel,omitempty"`
	RecoverableDays int    `json:"recoverableDays,omitempty"`
}

type bundle struct {
	Value       *string           `json:"value,omitempty"`
	ID          string            `json:"id"`
	ContentType string            `json:"contentType,omitempty"`
	Attributes  attributes        `json:"attributes"`
	Tags        map[string]string `json:"tags,omitempty"`
	RecoveryID  string            `json:"recoveryId,omitempty"`
	DeletedDate int64             `json:"deletedDate,omitempty"`
	PurgeDate   int64             `json:"scheduledPurgeDate,omitempty"`
}

type listResult struct {
	Value    []bundle `json:"value"`
	NextLink *string  `json:"nextLink"`
}

type setRequest struct {
	Value       *string           `json:"value"`
	ContentType string            `json:"contentType"`
	Attributes  *attributes       `json:"attributes"`
	Tags        map[string]string `json:"tags"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-keyvault-service-version", "1.9.0.0")
	w.Header().Set("x-ms-request-id", newVersionID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, kvError{Error: kvErrorBody{Code: code, Message: msg}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, vault, base string) {
	s.stats.requests.Add(1)
	s.mu.Lock()
	delay, raw := s.delay, s.raw
	if s.down {
		raw = &rawAnswer{http.StatusServiceUnavailable, "text/plain; charset=utf-8", "503 Service Unavailable (azkvtest: the vault is down)\n"}
	}
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

	if raw != nil {
		s.stats.faults.Add(1)
		if raw.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="azkvtest-proxy"`)
		}
		w.Header().Set("Content-Type", raw.contentType)
		w.WriteHeader(raw.status)
		_, _ = io.WriteString(w, raw.body)
		return
	}

	// Key Vault's bearer-token challenge.
	auth := r.Header.Get("Authorization")
	if auth != "Bearer "+validToken {
		s.stats.challenges.Add(1)
		w.Header().Set("WWW-Authenticate",
			fmt.Sprintf(`Bearer authorization="https://login.microsoftonline.com/%s", resource="https://vault.azure.net"`, TenantID))
		msg := "AKV10000: Request is missing a Bearer or PoP token."
		if auth != "" {
			msg = "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://example.invalid."
		}
		writeError(w, http.StatusUnauthorized, "Unauthorized", msg)
		return
	}

	if r.URL.Query().Get("api-version") == "" {
		writeError(w, http.StatusBadRequest, "BadParameter", "The 'api-version' query parameter is missing.")
		return
	}

	if f, ok := s.takeFault(); ok {
		s.stats.faults.Add(1)
		switch f.status {
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", strconv.Itoa(int((f.retryAfter+time.Second-1)/time.Second)))
			writeError(w, f.status, "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached")
		case http.StatusForbidden:
			writeJSON(w, f.status, kvError{Error: kvErrorBody{
				Code:       "Forbidden",
				Message:    "The user, group or application 'appid=azkvtest' does not have secrets get permission on key vault. (injected by azkvtest)",
				InnerError: &kvErrorBody{Code: "AccessDenied"},
			}})
		case http.StatusNotFound:
			writeError(w, f.status, "SecretNotFound", "A secret was not found in this key vault. (injected by azkvtest)")
		default:
			writeError(w, f.status, http.StatusText(f.status), "Injected failure (azkvtest).")
		}
		return
	}

	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if parts[0] != "secrets" {
		writeError(w, http.StatusNotFound, "NotFound", "The requested resource was not found.")
		return
	}
	parts = parts[1:]
	if len(parts) == 0 || (len(parts) == 1 && parts[0] == "") {
		if r.Method == http.MethodGet {
			s.stats.listAll.Add(1)
			s.listAll(w, r, vault, base)
			return
		}
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method not allowed.")
		return
	}
	name := parts[0]
	if !nameRE.MatchString(name) {
		writeError(w, http.StatusBadRequest, "BadParameter", "The request URI contains an invalid name: "+name)
		return
	}
	ver := ""
	if len(parts) >= 2 {
		ver = parts[1]
	}
	if len(parts) > 2 {
		writeError(w, http.StatusNotFound, "NotFound", "The requested resource was not found.")
		return
	}
	switch {
	case r.Method == http.MethodGet && ver == "versions":
		s.stats.versions.Add(1)
		s.listVersions(w, r, vault, base, name)
	case r.Method == http.MethodGet:
		s.get(w, vault, base, name, ver)
	case r.Method == http.MethodPut && ver == "":
		s.stats.sets.Add(1)
		s.put(w, r, vault, base, name)
	case r.Method == http.MethodPatch:
		s.stats.updates.Add(1)
		s.patch(w, r, vault, base, name, ver)
	case r.Method == http.MethodDelete && ver == "":
		s.stats.deletes.Add(1)
		s.del(w, vault, base, name)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method not allowed.")
	}
}

func (s *Server) takeFault() (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.fault) > 0 {
		f := &s.fault[0]
		if f.left <= 0 {
			s.fault = s.fault[1:]
			continue
		}
		f.left--
		return *f, true
	}
	return fault{}, false
}

func notFound(w http.ResponseWriter, name, ver string) {
	id := name
	if ver != "" {
		id += "/" + ver
	}
	writeError(w, http.StatusNotFound, "SecretNotFound",
		fmt.Sprintf("A secret with (name/id) %s was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", id))
}

func (sec *secret) bundle(base string, x *version, withValue bool) bundle {
	enabled := x.enabled
	b := bundle{
		ID:          base + "/secrets/" + sec.name + "/" + x.id,
		ContentType: x.contentType,
		Tags:        x.tags,
		Attributes: attributes{Enabled: &enabled, NotBefore: x.nbf, Expires: x.exp,
			Created: x.created, Updated: x.updated, RecoveryLevel: "Recoverable+Purgeable", RecoverableDays: 90},
	}
	if withValue {
		v := x.value
		b.Value = &v
	}
	return b
}

func (s *Server) get(w http.ResponseWriter, vault, base, name, ver string) {
	s.mu.Lock()
	sec := s.data[vault][strings.ToLower(name)]
	x := s.lookup(vault, name, ver)
	var b bundle
	if x != nil {
		b = sec.bundle(base, x, true)
	}
	s.mu.Unlock()
	switch {
	case x == nil:
		notFound(w, name, ver)
	case !*b.Attributes.Enabled:
		writeJSON(w, http.StatusForbidden, kvError{Error: kvErrorBody{
			Code: "Forbidden", Message: "Operation get is not allowed on a disabled secret.",
			InnerError: &kvErrorBody{Code: "SecretDisabled"},
		}})
	default:
		// Key Vault serves expired and not-yet-valid secrets: enforcing
		// nbf and exp is the client's job.
		s.stats.gets.Add(1)
		writeJSON(w, http.StatusOK, b)
	}
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, vault, base, name string) {
	var req setRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BadParameter", "The request body is not valid JSON.")
		return
	}
	if req.Value == nil {
		writeError(w, http.StatusBadRequest, "BadParameter", "Property 'value' is required.")
		return
	}
	o := setOptions{contentType: req.ContentType, tags: req.Tags}
	if a := req.Attributes; a != nil {
		o.enabled, o.nbf, o.exp = a.Enabled, a.NotBefore, a.Expires
	}
	id, err := (&Vault{srv: s, name: vault}).set(name, *req.Value, o)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadParameter", "The secret value is too large.")
		return
	}
	// The new version is answered with its value, even when it was created
	// disabled.
	s.mu.Lock()
	b := s.data[vault][strings.ToLower(name)].bundle(base, s.lookup(vault, name, id), true)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, vault, base, name, ver string) {
	var req setRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BadParameter", "The request body is not valid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.lookup(vault, name, ver)
	if x == nil {
		notFound(w, name, ver)
		return
	}
	if a := req.Attributes; a != nil {
		if a.Enabled != nil {
			x.enabled = *a.Enabled
		}
		if a.NotBefore != nil {
			x.nbf = a.NotBefore
		}
		if a.Expires != nil {
			x.exp = a.Expires
		}
	}
	if req.ContentType != "" {
		x.contentType = req.ContentType
	}
	if req.Tags != nil {
		x.tags = req.Tags
	}
	x.updated = s.now().Unix()
	writeJSON(w, http.StatusOK, s.data[vault][strings.ToLower(name)].bundle(base, x, false))
}

func (s *Server) del(w http.ResponseWriter, vault, base, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.data[vault][strings.ToLower(name)]
	if sec == nil || len(sec.versions) == 0 {
		notFound(w, name, "")
		return
	}
	delete(s.data[vault], strings.ToLower(name))
	b := sec.bundle(base, sec.versions[len(sec.versions)-1], false)
	now := time.Now()
	b.RecoveryID = base + "/deletedsecrets/" + sec.name
	b.DeletedDate = now.Unix()
	b.PurgeDate = now.Add(90 * 24 * time.Hour).Unix()
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, vault, base, name string) {
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	size := pageSize
	if m, err := strconv.Atoi(r.URL.Query().Get("maxresults")); err == nil && m > 0 && m < size {
		size = m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := listResult{Value: []bundle{}}
	sec := s.data[vault][strings.ToLower(name)]
	if sec != nil {
		versions := slices.Clone(sec.versions)
		switch s.order {
		case ListReversed:
			slices.Reverse(versions)
		case ListShuffled:
			slices.SortFunc(versions, func(a, b *version) int { return strings.Compare(a.id, b.id) })
		}
		for i := skip; i < len(versions) && len(res.Value) < size; i++ {
			res.Value = append(res.Value, sec.bundle(base, versions[i], false))
		}
		if next := skip + len(res.Value); next < len(versions) {
			link := fmt.Sprintf("%s/secrets/%s/versions?api-version=%s&maxresults=%d&$skiptoken=%d",
				base, sec.name, r.URL.Query().Get("api-version"), size, next)
			res.NextLink = &link
		}
	}
	// The versions of a missing secret are an empty list here.
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) listAll(w http.ResponseWriter, r *http.Request, vault, base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := listResult{Value: []bundle{}}
	for _, sec := range s.data[vault] {
		if len(sec.versions) == 0 {
			continue
		}
		b := sec.bundle(base, sec.versions[len(sec.versions)-1], false)
		b.ID = base + "/secrets/" + sec.name
		res.Value = append(res.Value, b)
	}
	writeJSON(w, http.StatusOK, res)
}
