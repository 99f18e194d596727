package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/cliconfig"

	"github.com/driftless/driftless/driver"
)

// Provider reads vault:// references from one Vault server (or a Vault Agent
// or Vault Proxy in front of it). It is safe for concurrent use.
//
// Provider implements driver.Provider, driver.PreviousFetcher and
// driver.Closer.
type Provider struct {
	client *api.Client
	auth   func() (api.AuthMethod, error) // nil without WithAuth or WithLogin

	mounts mountCache
	login  *session // nil without WithAuth

	closeMu sync.Mutex // orders Close against logins that start goroutines
	closed  atomic.Bool
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
}

var (
	_ driver.Provider        = (*Provider)(nil)
	_ driver.PreviousFetcher = (*Provider)(nil)
	_ driver.Closer          = (*Provider)(nil)
)

// Option configures a Provider.
type Option func(*options)

type options struct {
	auth   func() (api.AuthMethod, error)
	mounts []mount
	err    error
}

// WithKVMount declares that path (such as "secret" or "team/kv") is a KV
// secrets engine of version (1 or 2), so that reads under it skip the
// mount lookup (GET /v1/sys/internal/ui/mounts/<path>) the Provider
// otherwise makes the first time it sees a mount: on a cold start that
// lookup is a round trip of its own between the login and the reads. A
// wrong declaration makes reads fail (a KV v2 mount declared as version 1
// reads paths without data/, which Vault answers 404 or 403). The option
// may be repeated; New fails for an empty path or another version.
//
// Default: every mount is looked up on first use, as the Vault CLI does.
func WithKVMount(path string, version int) Option {
	return func(o *options) {
		path = strings.Trim(path, "/")
		if path == "" || (version != 1 && version != 2) {
			o.err = fmt.Errorf("vault: WithKVMount(%q, %d): want a mount path and version 1 or 2", path, version)
			return
		}
		o.mounts = append(o.mounts, mount{path: path + "/", typ: "kv", kv: version})
	}
}

// WithAuth makes the Provider log in with method (for example
// approle.NewAppRoleAuth or kubernetes.NewKubernetesAuth from the official
// github.com/hashicorp/vault/api/auth modules) before its first read, and keep
// the resulting token alive: it is renewed while Vault allows, and the
// Provider logs in again shortly before it would expire (at its max TTL, or
// when renewal fails). A read refused with 403 also triggers one new login
// and one retry. The login token is set on a clone of the client, so the
// client passed to New is left untouched.
//
// Default: no login; the client's own token is used as it is (or none, as
// behind a Vault Agent or Vault Proxy that adds it).
func WithAuth(method api.AuthMethod) Option {
	return func(o *options) { o.auth = func() (api.AuthMethod, error) { return method, nil } }
}

// WithLogin is WithAuth for an auth method that must be built anew at each
// login because it reads its credentials when it is built. The Kubernetes
// method is one: kubernetes.NewKubernetesAuth reads the service-account token
// file once, while the kubelet rotates projected tokens (hourly by default),
// so a login an hour later needs a fresh read:
//
//	vault.WithLogin(func() (api.AuthMethod, error) { return kubernetes.NewKubernetesAuth("my-app") })
//
// An error from newMethod fails the login, as a refused login does.
//
// Default: no login (see WithAuth).
func WithLogin(newMethod func() (api.AuthMethod, error)) Option {
	return func(o *options) { o.auth = newMethod }
}

// New returns a Provider that reads through client, which must not be nil.
// New does no I/O and reads no environment variable: the client is used as
// configured. Call NewFromEnvironment for the Vault CLI's configuration.
//
// With WithAuth, New clones client so that the login token stays private to
// the Provider. New returns an error only if the clone fails or an option
// is invalid.
func New(client *api.Client, opts ...Option) (*Provider, error) {
	if client == nil {
		return nil, fmt.Errorf("vault: New: nil *api.Client")
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	p := &Provider{client: client, auth: o.auth, done: make(chan struct{})}
	for _, m := range o.mounts {
		p.mounts.store(m)
	}
	if o.auth != nil {
		c, err := client.Clone()
		if err != nil {
			return nil, fmt.Errorf("vault: cloning the client: %w", err)
		}
		p.client = c
		p.login = &session{}
	}
	return p, nil
}

// NewFromEnvironment returns a Provider configured exactly as the Vault CLI
// configures itself: api.DefaultConfig reads VAULT_ADDR, VAULT_AGENT_ADDR,
// VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY,
// VAULT_SKIP_VERIFY, VAULT_TLS_SERVER_NAME, VAULT_CLIENT_TIMEOUT,
// VAULT_MAX_RETRIES and the rest; api.NewClient reads VAULT_TOKEN,
// VAULT_NAMESPACE and VAULT_HEADERS. Without VAULT_TOKEN (and without
// WithAuth), the token comes from the CLI's token helper (by default the file
// ~/.vault-token written by `vault login`, or the token_helper named in the
// CLI configuration file). The address defaults to https://127.0.0.1:8200.
func NewFromEnvironment(opts ...Option) (*Provider, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault: reading the environment: %w", cfg.Error)
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault: creating the client: %w", err)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if client.Token() == "" && o.auth == nil {
		helper, err := cliconfig.DefaultTokenHelper()
		if err != nil {
			return nil, fmt.Errorf("vault: reading the CLI configuration: %w", err)
		}
		token, err := helper.Get()
		if err != nil {
			return nil, fmt.Errorf("vault: reading the token helper: %w", err)
		}
		client.SetToken(strings.TrimSpace(token))
	}
	return New(client, opts...)
}

// Client returns the client the Provider reads with (the clone made by New
// when WithAuth is used).
func (p *Provider) Client() *api.Client { return p.client }

// Fetch reads the secret that ref names, vault://<mount>/<path>[?version=N].
//
// On a KV mount (version 1 or 2, detected per mount with the same
// sys/internal/ui/mounts request as the Vault CLI, and cached) Value.Data is
// the secret's key-value map as a JSON object, from which ref.Key then picks
// one field. On KV v2, Value.Version is the version number, Value.Created its
// creation time, and ?version=N reads version N. A deleted or destroyed
// version exists (Vault answers 404 with its metadata): reading it fails
// with ErrPermission, never ErrNotFound, so that a key source does not fall
// through to a lower source or a default.
//
// On any other engine (database/creds/<role>, aws/creds/<role>, pki, ...)
// Fetch does a plain read: Value.Data is the response's data as a JSON object,
// Value.Version the lease ID (empty without a lease), Value.Created when the
// lease began and Value.Expires when it ends, so that a refresh reads new
// credentials before the old ones expire (or extends them with Renew).
//
// Errors wrap driftless.ErrNotFound (missing path or version),
// driftless.ErrPermission (401 or 403 whatever the body, a deleted or
// destroyed KV v2 version), driftless.ErrNoCredentials (no token: the
// client has none and no login is configured, or Vault says "missing
// client token"), driftless.ErrUnavailable (sealed, standby without
// forwarding, unreachable, 5xx, 429) or driftless.ErrInvalidRef, and name
// the mount and path but never a value.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	version, err := p.check(ctx, ref)
	if err != nil {
		return driver.Value{}, err
	}
	var v driver.Value
	err = p.withLogin(ctx, func() error {
		m, err := p.mountOf(ctx, ref.Name)
		if err != nil {
			return err
		}
		switch {
		case m.kv == 2:
			v, _, err = p.readKV2(ctx, m, ref.Name, version)
		case version > 0:
			err = fmt.Errorf("vault: read %q: %w: ?version needs a KV v2 mount, and %s is not one", ref.Name, driver.ErrInvalidRef, m)
		case m.kv == 1:
			v, err = p.readKV1(ctx, m, ref.Name)
		default:
			v, err = p.readOther(ctx, m, ref.Name)
		}
		return err
	})
	return v, err
}

// FetchPrevious returns the KV v2 version before the one ref reads (before
// the current version, or before N with ?version=N), skipping versions that
// were deleted or destroyed. With no such version, on a KV v1 mount (which
// keeps no history) and on other engines, it returns an error wrapping
// driftless.ErrNotFound. Only the data path is read, so a policy granting read
// on <mount>/data/<path> is enough.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	version, err := p.check(ctx, ref)
	if err != nil {
		return driver.Value{}, err
	}
	var prev driver.Value
	err = p.withLogin(ctx, func() error {
		m, err := p.mountOf(ctx, ref.Name)
		if err != nil {
			return err
		}
		if m.kv != 2 {
			// Checked before any read: a read of another engine would
			// create a lease for nothing.
			return fmt.Errorf("vault: previous version of %q: %w: %s keeps no versions", ref.Name, driver.ErrNotFound, m)
		}
		cur, _, err := p.readKV2(ctx, m, ref.Name, version)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(cur.Version)
		for k := n - 1; k >= 1; k-- {
			v, deleted, err := p.readKV2(ctx, m, ref.Name, k)
			if err == nil {
				prev = v
				return nil
			}
			if !deleted {
				if isNotFound(err) {
					break // older versions were purged (max_versions)
				}
				return err
			}
		}
		return fmt.Errorf("vault: previous version of %q: %w: no version before %d", ref.Name, driver.ErrNotFound, n)
	})
	return prev, err
}

// Close stops the token renewal started by WithAuth and waits for it. Reads
// after Close fail with driver.ErrClosed. Close never revokes the token or
// any lease, and is safe to call more than once.
func (p *Provider) Close() error {
	p.closeMu.Lock()
	if !p.closed.Swap(true) {
		close(p.done)
	}
	p.closeMu.Unlock()
	p.wg.Wait()
	return nil
}

// check fails fast after Close, on a done ctx and on a bad reference, and
// returns the reference's ?version (0 for none).
func (p *Provider) check(ctx context.Context, ref driver.Ref) (int, error) {
	if p.closed.Load() {
		return 0, fmt.Errorf("vault: read %q: %w", ref.Name, driver.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("vault: read %q: %w", ref.Name, err)
	}
	return parseRef(ref)
}

// parseRef checks what ParseRef checks for the vault scheme (the Provider may
// be registered under another scheme) and returns the ?version, 0 for none.
func parseRef(ref driver.Ref) (int, error) {
	bad := func(reason string) (int, error) {
		// The reference's text is not shown: a mistyped one may be a secret.
		return 0, &driver.RefError{Scheme: "vault", Reason: reason}
	}
	parts := strings.Split(ref.Name, "/")
	if len(parts) < 2 {
		return bad("want <mount>/<path>")
	}
	for _, s := range parts {
		if s == "" || s == "." || s == ".." {
			return bad("empty, . or .. path segment")
		}
	}
	if ref.Query == "" {
		return 0, nil
	}
	q, err := url.ParseQuery(ref.Query)
	if err != nil {
		return bad("malformed query")
	}
	version := 0
	for k, vs := range q {
		if k != "version" || len(vs) != 1 {
			return bad("the only parameter is version=N")
		}
		if version, err = strconv.Atoi(vs[0]); err != nil || version < 0 {
			return bad("version must be a non-negative integer")
		}
	}
	return version, nil
}

func (p *Provider) readKV1(ctx context.Context, m mount, name string) (driver.Value, error) {
	s, status, err := p.read(ctx, name, nil)
	if err != nil {
		return driver.Value{}, p.wrap(ctx, err, status, name, m)
	}
	if s == nil {
		return driver.Value{}, fmt.Errorf("vault: read %q on %s: %w", name, m, driver.ErrNotFound)
	}
	data, err := json.Marshal(orEmpty(s.Data))
	if err != nil {
		return driver.Value{}, fmt.Errorf("vault: read %q on %s: encoding the data as JSON failed", name, m)
	}
	return driver.Value{Data: data}, nil
}

// readKV2 reads version (0 for the current one) of name. deleted reports a
// version that exists but was deleted or destroyed (then err wraps
// ErrPermission).
func (p *Provider) readKV2(ctx context.Context, m mount, name string, version int) (v driver.Value, deleted bool, err error) {
	what := fmt.Sprintf("%q", name)
	var params url.Values
	if version > 0 {
		what = fmt.Sprintf("version %d of %q", version, name)
		params = url.Values{"version": {strconv.Itoa(version)}}
	}
	path := m.path + "data/" + strings.TrimPrefix(name, m.path)
	s, status, err := p.read(ctx, path, params)
	if err != nil {
		return v, false, p.wrap(ctx, err, status, what, m)
	}
	if s == nil {
		return v, false, fmt.Errorf("vault: read %s on %s: %w", what, m, driver.ErrNotFound)
	}
	meta, _ := s.Data["metadata"].(map[string]any)
	if meta != nil {
		if d, _ := meta["deletion_time"].(string); d != "" || meta["destroyed"] == true {
			// Vault answers 404, but the version exists: it was deleted
			// (and can be undeleted) or destroyed. Not "not found", or a
			// key source would fall through to a default meanwhile.
			how := "deleted"
			if meta["destroyed"] == true {
				how = "destroyed"
			}
			return v, true, fmt.Errorf("vault: read %s on %s: %w: the version was %s", what, m, driver.ErrPermission, how)
		}
		if n, ok := meta["version"].(json.Number); ok {
			v.Version = n.String()
		}
		if c, _ := meta["created_time"].(string); c != "" {
			v.Created, _ = time.Parse(time.RFC3339Nano, c)
		}
	}
	fields, _ := s.Data["data"].(map[string]any)
	if fields == nil && meta == nil {
		return v, false, fmt.Errorf("vault: read %s on %s: %w", what, m, driver.ErrNotFound)
	}
	if v.Data, err = json.Marshal(orEmpty(fields)); err != nil {
		return v, false, fmt.Errorf("vault: read %s on %s: encoding the data as JSON failed", what, m)
	}
	return v, false, nil
}

func (p *Provider) readOther(ctx context.Context, m mount, name string) (driver.Value, error) {
	start := time.Now()
	s, status, err := p.read(ctx, name, nil)
	if err != nil {
		return driver.Value{}, p.wrap(ctx, err, status, fmt.Sprintf("%q", name), m)
	}
	if s == nil {
		return driver.Value{}, fmt.Errorf("vault: read %q on %s: %w", name, m, driver.ErrNotFound)
	}
	data, err := json.Marshal(orEmpty(s.Data))
	if err != nil {
		return driver.Value{}, fmt.Errorf("vault: read %q on %s: encoding the data as JSON failed", name, m)
	}
	v := driver.Value{Data: data, Version: s.LeaseID}
	if s.LeaseID != "" && s.LeaseDuration > 0 {
		// Measured from before the request, so the lease never outlives it.
		v.Created = start
		v.Expires = start.Add(time.Duration(s.LeaseDuration) * time.Second)
	}
	return v, nil
}

// read GETs /v1/<path> and returns the parsed secret: nil for a 404 without
// data, and the secret for a 404 that carries data (a deleted KV v2 version).
// status is the HTTP status code when Vault answered, else 0.
func (p *Provider) read(ctx context.Context, path string, params url.Values) (*api.Secret, int, error) {
	resp, err := p.client.Logical().ReadRawWithDataWithContext(ctx, path, params)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		defer resp.Body.Close()
	}
	if status == 404 {
		s, perr := api.ParseSecret(resp.Body)
		if perr != nil || s == nil || len(s.Data) == 0 {
			return nil, status, nil
		}
		return s, status, nil
	}
	if err != nil {
		return nil, status, err
	}
	s, err := api.ParseSecret(resp.Body)
	if err != nil {
		return nil, status, fmt.Errorf("decoding the response: %w", err)
	}
	return s, status, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
