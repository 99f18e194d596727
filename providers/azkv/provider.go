package azkv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/driftless/driftless/driver"
)

// Scheme is the reference scheme the provider serves.
const Scheme = "azkv"

// SecretsClient is the part of *azsecrets.Client the provider uses, one
// client per vault. GetSecret serves Fetch; the versions pager serves
// FetchPrevious and lists the versions of one secret only.
type SecretsClient interface {
	GetSecret(ctx context.Context, name, version string, opts *azsecrets.GetSecretOptions) (azsecrets.GetSecretResponse, error)
	NewListSecretPropertiesVersionsPager(name string, opts *azsecrets.ListSecretPropertiesVersionsOptions) *runtime.Pager[azsecrets.ListSecretPropertiesVersionsResponse]
}

// ClientFunc returns the client for a vault name. The provider calls it at
// most once per vault after it succeeds, from any goroutine, and caches the
// client; an error is returned from that fetch and the call is retried on
// the next.
type ClientFunc func(vault string) (SecretsClient, error)

// Provider fetches secrets from Azure Key Vault for references of the form
//
//	azkv://<vault-name>/<secret>[/<version>][#key]
//
// It implements driver.Provider, driver.BatchFetcher,
// driver.PreviousFetcher and driver.Closer, and is safe for
// concurrent use.
type Provider struct {
	fn     ClientFunc
	opts   options
	sem    chan struct{}
	closed atomic.Bool

	// stop ends background work (the token prefetch of NewDefault) at
	// Close, which waits for it with bg.
	stop    context.Context
	cancel  context.CancelFunc
	bg      sync.WaitGroup
	closeMu sync.Mutex // orders Close against starting background work

	mu      sync.Mutex
	clients map[string]*vaultClient // by lower-case vault name
}

// vaultClient is a vault's client with a gate for its first request: Key
// Vault answers a client's first request with a 401 challenge, so when
// many fetches start at once (a cold start) only the first goes out; the
// rest wait until it has been authorized (its retry after the challenge
// carries a token: see authorizedPolicy) or has finished, and then share
// its token and connection instead of each being challenged.
type vaultClient struct {
	SecretsClient
	first sync.Once
	open  sync.Once
	ready chan struct{} // closed when the first request is authorized or finished
}

func (c *vaultClient) openGate() { c.open.Do(func() { close(c.ready) }) }

// enter waits until c may send a request; done must be called after it.
// The first request's ctx is returned with the hook that opens the gate
// once the request carries a token.
func (c *vaultClient) enter(ctx context.Context) (context.Context, func(), error) {
	leader := false
	c.first.Do(func() { leader = true })
	if leader {
		return context.WithValue(ctx, authorizedKey{}, c.openGate), c.openGate, nil
	}
	select {
	case <-c.ready:
		return ctx, func() {}, nil
	case <-ctx.Done():
		return ctx, nil, ctx.Err()
	}
}

// authorizedKey is the context key of the hook that authorizedPolicy calls.
type authorizedKey struct{}

// authorizedPolicy is a per-retry pipeline policy, placed after the SDK's
// challenge policy, that calls the hook in the request's context when the
// request carries a bearer token: the challenge was answered and the
// token is in the SDK's cache, so the fetches waiting at the gate may go
// without being challenged each.
type authorizedPolicy struct{}

func (authorizedPolicy) Do(req *policy.Request) (*http.Response, error) {
	if open, ok := req.Raw().Context().Value(authorizedKey{}).(func()); ok && strings.HasPrefix(req.Raw().Header.Get("Authorization"), "Bearer ") {
		open()
	}
	return req.Next()
}

var (
	_ driver.BatchFetcher    = (*Provider)(nil)
	_ driver.PreviousFetcher = (*Provider)(nil)
	_ driver.Closer          = (*Provider)(nil)
)

func newProvider(fn ClientFunc, opts []Option) *Provider {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	stop, cancel := context.WithCancel(context.Background())
	return &Provider{fn: fn, opts: o, sem: make(chan struct{}, o.concurrency), clients: map[string]*vaultClient{}, stop: stop, cancel: cancel}
}

// New returns a provider that uses the given clients, keyed by vault name
// (case-insensitive), such as *azsecrets.Client values the caller already
// configured. A reference naming a vault without a client fails with
// driftless.ErrInvalidRef.
func New(clients map[string]SecretsClient, opts ...Option) *Provider {
	m := make(map[string]SecretsClient, len(clients))
	for k, c := range clients {
		m[strings.ToLower(k)] = c
	}
	return newProvider(func(vault string) (SecretsClient, error) {
		if c, ok := m[strings.ToLower(vault)]; ok {
			return c, nil
		}
		return nil, &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("no client configured for vault %q", vault)}
	}, opts)
}

// NewFunc returns a provider that asks fn for the client of each vault the
// first time a reference names it.
func NewFunc(fn ClientFunc, opts ...Option) *Provider { return newProvider(fn, opts) }

// NewDefault returns a provider that builds an *azsecrets.Client per vault
// on first use, for https://<vault>.vault.azure.net (see WithVaultSuffix,
// WithEndpoint and WithVaultURL), authenticated with
// azidentity.DefaultAzureCredential unless WithCredential says otherwise.
// It does no I/O and reads no environment: the default credential is
// created, and reads its environment, on the first fetch. It fails only on
// invalid options.
//
// A cold start costs the vault's challenge, the credential's sign-in and
// the reads. The provider overlaps the first two: at the first fetch it
// asks the credential for a token for the scope that Key Vault's challenge
// names in the provider's cloud (https://<suffix>/.default, see
// WithVaultSuffix and WithTokenPrefetch) while the challenge goes out, so
// that the SDK, once it has checked the challenge and asks for the token,
// finds it in the credential's cache. The challenge is still checked as
// the SDK checks it; a prefetched token is never sent anywhere by the
// provider. And the fetches that wait for a vault's first request go as
// soon as that request is retried with a token, not when it has finished.
func NewDefault(opts ...Option) (*Provider, error) {
	p := newProvider(nil, opts)
	if err := p.opts.check(); err != nil {
		return nil, err
	}
	var (
		once     sync.Once
		prefetch sync.Once
		cred     azcore.TokenCredential
		credErr  error
	)
	p.fn = func(vault string) (SecretsClient, error) {
		once.Do(func() {
			cred = p.opts.credential
			if cred == nil {
				var co azidentity.DefaultAzureCredentialOptions
				if p.opts.clientOptions != nil {
					co.ClientOptions = p.opts.clientOptions.ClientOptions
				}
				cred, credErr = azidentity.NewDefaultAzureCredential(&co)
			}
		})
		if credErr != nil {
			return nil, fmt.Errorf("%w: azkv: DefaultAzureCredential: %s: %w", driver.ErrNoCredentials, noCredentialsHelp, credErr)
		}
		if p.opts.prefetch {
			prefetch.Do(func() { p.prefetchToken(cred) })
		}
		var co azsecrets.ClientOptions
		if p.opts.clientOptions != nil {
			co = *p.opts.clientOptions
		}
		co.PerRetryPolicies = append(slices.Clip(co.PerRetryPolicies), authorizedPolicy{})
		return azsecrets.NewClient(p.opts.urlFor(vault), cred, &co)
	}
	return p, nil
}

// prefetchTimeout bounds a token prefetch.
const prefetchTimeout = time.Minute

// prefetchToken asks cred, in the background, for a token for the scope
// of Key Vault's challenge in the provider's cloud, with the options the
// SDK's challenge policy uses (CAE enabled, the credential's own tenant),
// so that the SDK's own request finds it cached. Its result is dropped: a
// failure shows when the SDK asks again. Close cancels it and waits.
func (p *Provider) prefetchToken(cred azcore.TokenCredential) {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.closed.Load() {
		return
	}
	scope := "https://" + p.opts.suffix + "/.default"
	p.bg.Go(func() {
		ctx, cancel := context.WithTimeout(p.stop, prefetchTimeout)
		defer cancel()
		_, _ = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true})
	})
}

var (
	vaultRE   = regexp.MustCompile(`^[A-Za-z][0-9A-Za-z-]{1,22}[0-9A-Za-z]$`)
	secretRE  = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)
	versionRE = regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)
)

// location is a parsed azkv reference name.
type location struct {
	vault, secret, version string
}

func (l location) String() string {
	if l.version == "" {
		return fmt.Sprintf("vault %q secret %q", l.vault, l.secret)
	}
	return fmt.Sprintf("vault %q secret %q version %q", l.vault, l.secret, l.version)
}

func parse(ref driver.Ref) (location, error) {
	bad := func(reason string) error { return &driver.RefError{Scheme: Scheme, Reason: reason} }
	if ref.Scheme != Scheme {
		return location{}, bad("scheme is not azkv")
	}
	if ref.Query != "" {
		return location{}, bad("azkv references take no query; put the version in the path")
	}
	p := strings.Split(ref.Name, "/")
	if len(p) != 2 && len(p) != 3 {
		return location{}, bad("want <vault-name>/<secret>[/<version>]")
	}
	// The vault name becomes part of a host name: it must be checked
	// strictly, or a reference could send the token elsewhere.
	if !vaultRE.MatchString(p[0]) || strings.Contains(p[0], "--") {
		return location{}, bad("vault name must be 3-24 letters, digits and single dashes, starting with a letter")
	}
	if !secretRE.MatchString(p[1]) {
		return location{}, bad("secret name must be 1-127 letters, digits and dashes")
	}
	l := location{vault: p[0], secret: p[1]}
	if len(p) == 3 {
		if !versionRE.MatchString(p[2]) {
			return location{}, bad("version must be letters and digits")
		}
		l.version = p[2]
	}
	return l, nil
}

func (p *Provider) client(l location) (*vaultClient, error) {
	key := strings.ToLower(l.vault)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	sc, err := p.fn(l.vault)
	if err != nil {
		return nil, fmt.Errorf("azkv: client for %s: %w", l, err)
	}
	c := &vaultClient{SecretsClient: sc, ready: make(chan struct{})}
	p.clients[key] = c
	return c, nil
}

// acquire waits for a slot under the concurrency bound and for c's first
// request to finish; release must be called after the request.
// The returned ctx is the one to send the request with.
func (p *Provider) acquire(ctx context.Context, c *vaultClient) (_ context.Context, release func(), err error) {
	ctx, done, err := c.enter(ctx)
	if err != nil {
		return ctx, nil, err
	}
	select {
	case p.sem <- struct{}{}:
		return ctx, func() { <-p.sem; done() }, nil
	case <-ctx.Done():
		done()
		return ctx, nil, ctx.Err()
	}
}

// start runs the checks every operation begins with.
func (p *Provider) start(ctx context.Context, op string, ref driver.Ref) (location, *vaultClient, error) {
	l, err := parse(ref)
	if err != nil {
		return l, nil, err
	}
	if p.closed.Load() {
		return l, nil, fmt.Errorf("azkv: %s %s: %w", op, l, driver.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return l, nil, fmt.Errorf("azkv: %s %s: %w", op, l, err)
	}
	c, err := p.client(l)
	return l, c, err
}

// Fetch returns the version of the secret that ref names: the current
// version, or the one its third path segment names. Value.Version is the
// version actually served, Created its creation time and Expires its exp
// attribute.
//
// Errors wrap driftless.ErrNotFound (404: no such secret or version),
// driftless.ErrPermission (401/403 whatever the body, a proxy's page
// included; a refused sign-in; and, with ErrDisabled, ErrExpired or
// ErrNotYetValid, a secret that exists but must not be used),
// driftless.ErrNoCredentials (the credential found no identity to sign in
// with), driftless.ErrUnavailable (429 after the SDK's retries, 5xx,
// network), driftless.ErrInvalidRef (a malformed reference, a vault without
// a client) or ctx.Err(). They name the vault and secret, never a value.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	l, c, err := p.start(ctx, "get", ref)
	if err != nil {
		return driver.Value{}, err
	}
	return p.get(ctx, c, l)
}

func (p *Provider) get(ctx context.Context, c *vaultClient, l location) (driver.Value, error) {
	ctx, release, err := p.acquire(ctx, c)
	if err != nil {
		return driver.Value{}, fmt.Errorf("azkv: get %s: %w", l, err)
	}
	var raw *http.Response
	resp, err := c.GetSecret(policy.WithCaptureResponse(ctx, &raw), l.secret, l.version, nil)
	release()
	if err != nil {
		return driver.Value{}, wrap(ctx, "get", l, err, raw)
	}
	s := resp.Secret
	v := driver.Value{Version: l.version}
	if s.ID != nil {
		v.Version = lastSegment(string(*s.ID))
	}
	if a := s.Attributes; a != nil {
		if err := usable(a, time.Now()); err != nil {
			l.version = v.Version
			return driver.Value{}, fmt.Errorf("azkv: get %s: %w: %w", l, driver.ErrPermission, err)
		}
		if a.Created != nil {
			v.Created = *a.Created
		}
		if a.Expires != nil {
			v.Expires = *a.Expires
		}
	}
	if s.Value != nil {
		v.Data = []byte(*s.Value)
	} else {
		v.Data = []byte{}
	}
	return v, nil
}

// usable reports why a version with attributes a must not be used at now.
func usable(a *azsecrets.SecretAttributes, now time.Time) error {
	switch {
	case a.Enabled != nil && !*a.Enabled:
		return ErrDisabled
	case a.NotBefore != nil && now.Before(*a.NotBefore):
		return fmt.Errorf("%w (nbf %s)", ErrNotYetValid, a.NotBefore.UTC().Format(time.RFC3339))
	case a.Expires != nil && !now.Before(*a.Expires):
		return fmt.Errorf("%w (exp %s)", ErrExpired, a.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// lastSegment returns the last path segment of a secret ID such as
// https://v.vault.azure.net/secrets/name/0123abcd.
func lastSegment(id string) string {
	if u, err := url.Parse(id); err == nil {
		id = u.Path
	}
	id = strings.TrimSuffix(id, "/")
	return id[strings.LastIndexByte(id, '/')+1:]
}

// FetchBatch fetches refs concurrently, as many at once as the provider's
// concurrency bound allows (Key Vault has no batch get), and returns one
// Result per ref in order. It never fails as a whole: each Result carries
// its own error, with the meaning Fetch gives it.
func (p *Provider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	res := make([]driver.Result, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() {
			v, err := p.Fetch(ctx, ref)
			res[i] = driver.Result{Value: v, Err: err}
		})
	}
	wg.Wait()
	return res, nil
}

type versionInfo struct {
	version string
	created time.Time
	attrs   *azsecrets.SecretAttributes
}

// compare orders versions by created time and, within one second (Key
// Vault's timestamps are whole seconds), by version id, case-insensitively.
func (a versionInfo) compare(b versionInfo) int {
	if c := a.created.Compare(b.created); c != 0 {
		return c
	}
	return strings.Compare(strings.ToLower(a.version), strings.ToLower(b.version))
}

// FetchPrevious returns the version that preceded the current one (or the
// version ref names): among the versions of that one secret (it never
// lists every secret in the vault), the newest that is enabled and within
// its nbf/exp window and was created before it.
//
// Key Vault's created timestamps are whole seconds and its listing order
// is not promised, so the newest version by time does not tell which
// version is current. FetchPrevious therefore first reads the current
// version's id (GetSecret without a version) and never returns that
// version; the previous one is the newest other version created at or
// before it. Versions created in the same second are ordered by version id
// (case-insensitively): the choice among them is arbitrary but always the
// same. For a pinned version, the versions before it are those created in
// an earlier second, and those of its own second with a smaller id.
//
// It costs one GetSecret for the current version (none when ref pins one),
// one versions listing (a request per 25 versions) and one GetSecret for
// the version returned. With no such version the error wraps
// driftless.ErrNotFound; when the current version cannot be read
// (disabled, denied) the error is that of Fetch.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	l, c, err := p.start(ctx, "get previous", ref)
	if err != nil {
		return driver.Value{}, err
	}
	current := l.version
	if current == "" {
		if current, err = p.currentVersion(ctx, c, l); err != nil {
			return driver.Value{}, err
		}
	}
	var vs []versionInfo
	pager := c.NewListSecretPropertiesVersionsPager(l.secret, nil)
	for pager.More() {
		rctx, release, err := p.acquire(ctx, c)
		if err != nil {
			return driver.Value{}, fmt.Errorf("azkv: list versions of %s: %w", l, err)
		}
		var raw *http.Response
		page, err := pager.NextPage(policy.WithCaptureResponse(rctx, &raw))
		release()
		if err != nil {
			return driver.Value{}, wrap(ctx, "list versions of", l, err, raw)
		}
		for _, sp := range page.Value {
			if sp == nil || sp.ID == nil {
				continue
			}
			vi := versionInfo{version: lastSegment(string(*sp.ID)), attrs: sp.Attributes}
			if vi.attrs == nil {
				vi.attrs = &azsecrets.SecretAttributes{}
			}
			if vi.attrs.Created != nil {
				vi.created = *vi.attrs.Created
			}
			vs = append(vs, vi)
		}
	}
	if len(vs) == 0 {
		return driver.Value{}, fmt.Errorf("azkv: get previous %s: %w: the secret has no versions", l, driver.ErrNotFound)
	}
	i := slices.IndexFunc(vs, func(v versionInfo) bool { return strings.EqualFold(v.version, current) })
	if i < 0 {
		if l.version != "" {
			return driver.Value{}, fmt.Errorf("azkv: get previous %s: %w: no such version", l, driver.ErrNotFound)
		}
		// Created after the listing began? Then every listed version is older.
		return driver.Value{}, fmt.Errorf("azkv: get previous %s: %w: the current version %q is not among the versions listed", l, driver.ErrUnavailable, current)
	}
	cur := vs[i]
	earlier := func(v versionInfo) bool {
		if l.version == "" {
			return !v.created.After(cur.created) // the current version is the newest
		}
		return v.compare(cur) < 0
	}
	now := time.Now()
	var best *versionInfo
	for k := range vs {
		v := &vs[k]
		if k == i || !earlier(*v) || usable(v.attrs, now) != nil {
			continue
		}
		if best == nil || v.compare(*best) > 0 {
			best = v
		}
	}
	if best == nil {
		return driver.Value{}, fmt.Errorf("azkv: get previous %s: %w: no earlier enabled, valid version", l, driver.ErrNotFound)
	}
	return p.get(ctx, c, location{vault: l.vault, secret: l.secret, version: best.version})
}

// currentVersion returns the id of the current version of l's secret,
// read with GetSecret without a version. An expired or not yet valid
// current version still is the current one; a disabled one cannot be read,
// and its error (wrapping ErrPermission and ErrDisabled) is returned.
func (p *Provider) currentVersion(ctx context.Context, c *vaultClient, l location) (string, error) {
	ctx, release, err := p.acquire(ctx, c)
	if err != nil {
		return "", fmt.Errorf("azkv: get previous %s: %w", l, err)
	}
	var raw *http.Response
	resp, err := c.GetSecret(policy.WithCaptureResponse(ctx, &raw), l.secret, "", nil)
	release()
	if err != nil {
		return "", wrap(ctx, "get current version of", l, err, raw)
	}
	if resp.ID == nil {
		return "", fmt.Errorf("azkv: get current version of %s: %w: the answer has no id", l, driver.ErrUnavailable)
	}
	return lastSegment(string(*resp.ID)), nil
}

// Close marks the provider closed: later fetches fail with
// driver.ErrClosed. It cancels a token prefetch still running (see
// NewDefault) and waits for it. Close is safe to call more than once and
// always returns nil.
func (p *Provider) Close() error {
	p.closeMu.Lock()
	p.closed.Store(true)
	p.closeMu.Unlock()
	p.cancel()
	p.bg.Wait()
	return nil
}
