package gcpsm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/driftless/driftless/driver"
)

// Scheme is the reference scheme this provider serves: "gcpsm".
const Scheme = "gcpsm"

// ErrChecksum means the payload Secret Manager returned does not match its
// CRC32C checksum (data_crc32c). Errors that wrap it also wrap
// driftless.ErrUnavailable: the data was damaged on its way, and a later
// fetch may succeed.
var ErrChecksum = errors.New("gcpsm: payload checksum mismatch")

// API is the part of the Secret Manager client the provider uses. The
// official *secretmanager.Client (cloud.google.com/go/secretmanager/apiv1)
// satisfies it.
type API interface {
	// AccessSecretVersion returns a version's payload; the response name
	// holds the concrete version number when the request named an alias
	// such as "latest".
	AccessSecretVersion(ctx context.Context, req *secretmanagerpb.AccessSecretVersionRequest, opts ...gax.CallOption) (*secretmanagerpb.AccessSecretVersionResponse, error)
	// GetSecretVersion returns a version's metadata (state, create_time)
	// without its payload.
	GetSecretVersion(ctx context.Context, req *secretmanagerpb.GetSecretVersionRequest, opts ...gax.CallOption) (*secretmanagerpb.SecretVersion, error)
}

// Provider reads secrets from Google Cloud Secret Manager. It implements
// driver.Provider, driver.PreviousFetcher and driver.Closer, and is
// safe for concurrent use by multiple goroutines.
type Provider struct {
	client     API
	project    string
	region     string
	createTime bool

	owned     io.Closer // the client NewFromDefault built, closed by Close
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var (
	_ driver.PreviousFetcher = (*Provider)(nil)
	_ driver.Closer          = (*Provider)(nil)
	_ API                    = (*secretmanager.Client)(nil)
)

type options struct {
	project    string
	region     string
	endpoint   string
	createTime bool
	clientOpts []option.ClientOption
}

// Option configures a Provider.
type Option func(*options)

// WithProject sets the default project, used for references that name a
// bare secret id (the ones Keys and Prefix make when given no project).
// By default there is none, and such references fail with
// driftless.ErrInvalidRef.
func WithProject(project string) Option {
	return func(o *options) { o.project = project }
}

// WithRegion makes the provider serve regional secrets of one location:
// short references (<project>/<secret>) and bare ids then name
// projects/<p>/locations/<region>/secrets/<s>, and a full name with another
// location (or none) is refused, since a regional endpoint serves its own
// location only. NewFromDefault then connects to the regional endpoint
// secretmanager.<region>.rep.googleapis.com:443. With New, the client must
// already be pointed at that endpoint. By default secrets are global.
func WithRegion(region string) Option {
	return func(o *options) { o.region = region }
}

// WithEndpoint makes NewFromDefault connect to addr (host:port) over
// plaintext gRPC without credentials: an emulator or a gcpsmtest.Server.
// It takes precedence over the regional endpoint of WithRegion. It has no
// effect on New. By default NewFromDefault uses Google's endpoint with TLS
// and Application Default Credentials.
func WithEndpoint(addr string) Option {
	return func(o *options) { o.endpoint = addr }
}

// WithClientOptions passes opts to secretmanager.NewClient in
// NewFromDefault, after the ones the provider derives from WithRegion and
// WithEndpoint (a later option wins). It has no effect on New. By default
// there are none.
func WithClientOptions(opts ...option.ClientOption) Option {
	return func(o *options) { o.clientOpts = append(o.clientOpts, opts...) }
}

// WithCreateTime makes each fetch also read the version's metadata
// (GetSecretVersion) to fill Value.Created. It costs one more round trip
// per fetch. By default Value.Created is zero.
func WithCreateTime() Option {
	return func(o *options) { o.createTime = true }
}

// New returns a provider that uses client, typically the official
// *secretmanager.Client the caller configured. Close does not close client.
func New(client API, opts ...Option) *Provider {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return &Provider{client: client, project: o.project, region: o.region, createTime: o.createTime}
}

// NewFromDefault builds a Secret Manager client with Application Default
// Credentials (or, with WithEndpoint, a plaintext connection without
// credentials) and returns a provider that uses it. Close closes that
// client. When Application Default Credentials find nothing (no
// GOOGLE_APPLICATION_CREDENTIALS, no gcloud credentials file, not on Google
// Cloud), the error wraps driftless.ErrNoCredentials and the library's
// error, and says what to set.
func NewFromDefault(ctx context.Context, opts ...Option) (*Provider, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var copts []option.ClientOption
	switch {
	case o.endpoint != "":
		copts = append(copts,
			option.WithEndpoint(o.endpoint),
			option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
			option.WithTelemetryDisabled(),
		)
	case o.region != "":
		copts = append(copts, option.WithEndpoint("secretmanager."+o.region+".rep.googleapis.com:443"))
	}
	copts = append(copts, o.clientOpts...)
	c, err := secretmanager.NewClient(ctx, copts...)
	if err != nil {
		if noADC(err) {
			return nil, fmt.Errorf("%w: gcpsm: create Secret Manager client: %s: %w", driver.ErrNoCredentials, noADCHelp, err)
		}
		return nil, fmt.Errorf("gcpsm: create Secret Manager client: %w", err)
	}
	p := New(c, opts...)
	p.owned = c
	return p, nil
}

// Fetch returns the version that ref names: the latest version, or the
// pinned one of projects/<p>/secrets/<s>/versions/<v> and <p>/<s>/<v>
// (a number or an alias). Value.Version is the concrete version number, so
// "latest" reports which version it served. The payload's CRC32C checksum
// is verified; a mismatch yields an error wrapping ErrChecksum.
//
// NOT_FOUND yields errors wrapping driftless.ErrNotFound; a disabled or
// destroyed version (FAILED_PRECONDITION), PERMISSION_DENIED and
// UNAUTHENTICATED (also what a proxy's HTTP 403 and 401 become over gRPC)
// wrap driftless.ErrPermission: a version that exists but is switched off
// is not "not found", so a key source never falls through past it to a
// default. RESOURCE_EXHAUSTED,
// UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED and INTERNAL wrap
// driftless.ErrUnavailable; INVALID_ARGUMENT wraps driftless.ErrInvalidRef.
// When ctx is done the error wraps ctx.Err(). Errors name the secret
// version and never hold its value.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	r, err := p.start(ctx, ref)
	if err != nil {
		return driver.Value{}, err
	}
	v, err := p.access(ctx, r.name())
	if err != nil {
		return driver.Value{}, wrap(ctx, "access", r.name(), err)
	}
	if v.Version == "" {
		v.Version = numeric(r.version)
	}
	return p.finish(ctx, r, v)
}

// FetchPrevious returns the enabled version that precedes the version ref
// names (the latest one unless ref pins a version), skipping disabled and
// destroyed versions. When there is none it returns an error wrapping
// driftless.ErrNotFound. Errors are those of Fetch.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	r, err := p.start(ctx, ref)
	if err != nil {
		return driver.Value{}, err
	}
	cur := numeric(r.version)
	if cur == "" {
		sv, err := p.client.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: r.name()})
		if err != nil {
			return driver.Value{}, wrap(ctx, "get", r.name(), err)
		}
		if cur = versionOf(sv.GetName()); cur == "" {
			return driver.Value{}, fmt.Errorf("gcpsm: get %s: %w: response names no version number", r.name(), driver.ErrUnavailable)
		}
	}
	n, _ := strconv.ParseUint(cur, 10, 64)
	for n > 1 {
		n--
		name := r.versionName(strconv.FormatUint(n, 10))
		v, err := p.access(ctx, name)
		if err == nil {
			v.Version = strconv.FormatUint(n, 10)
			return p.finish(ctx, resource{r.project, r.location, r.secret, v.Version}, v)
		}
		if status.Code(err) == codes.FailedPrecondition && ctx.Err() == nil {
			continue // disabled or destroyed
		}
		return driver.Value{}, wrap(ctx, "access", name, err)
	}
	return driver.Value{}, fmt.Errorf("gcpsm: %s: %w: no enabled version before version %s", r.secretName(), driver.ErrNotFound, cur)
}

// Close marks the provider closed, so that later fetches fail with
// driver.ErrClosed, and closes the client NewFromDefault built (not one
// given to New). It is safe to call more than once.
func (p *Provider) Close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		if p.owned != nil {
			p.closeErr = p.owned.Close()
		}
	})
	return p.closeErr
}

// start checks the provider's state, ctx and ref, and resolves ref's name.
func (p *Provider) start(ctx context.Context, ref driver.Ref) (resource, error) {
	if p.closed.Load() {
		return resource{}, fmt.Errorf("gcpsm: %s: %w", ref.Name, driver.ErrClosed)
	}
	if ref.Scheme != "" && ref.Scheme != Scheme {
		return resource{}, &driver.RefError{Scheme: ref.Scheme, Reason: "the gcpsm provider serves gcpsm:// references only"}
	}
	if ref.Query != "" {
		return resource{}, &driver.RefError{Scheme: Scheme, Reason: "gcpsm references take no query parameters"}
	}
	r, err := p.resolve(ref.Name)
	if err != nil {
		return resource{}, err
	}
	if err := ctx.Err(); err != nil {
		return resource{}, fmt.Errorf("gcpsm: access %s: %w", r.name(), err)
	}
	return r, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// access reads one version and verifies its checksum. Its errors are the
// client's, unwrapped, or ones wrapping ErrChecksum.
func (p *Provider) access(ctx context.Context, name string) (driver.Value, error) {
	resp, err := p.client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name})
	if err != nil {
		return driver.Value{}, err
	}
	data := resp.GetPayload().GetData()
	if sum := resp.GetPayload().DataCrc32C; sum != nil && int64(crc32.Checksum(data, castagnoli)) != *sum {
		return driver.Value{}, fmt.Errorf("%w: %w: the payload received does not match its data_crc32c", driver.ErrUnavailable, ErrChecksum)
	}
	return driver.Value{Data: bytes.Clone(data), Version: versionOf(resp.GetName())}, nil
}

// finish fills Created when the provider was asked to.
func (p *Provider) finish(ctx context.Context, r resource, v driver.Value) (driver.Value, error) {
	if !p.createTime || v.Version == "" {
		return v, nil
	}
	name := r.versionName(v.Version)
	sv, err := p.client.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: name})
	if err != nil {
		return driver.Value{}, wrap(ctx, "get", name, err)
	}
	if t := sv.GetCreateTime(); t != nil {
		v.Created = t.AsTime()
	}
	return v, nil
}

// redact drops the body of a non-gRPC answer (a proxy's page) that grpc-go
// copies into the status message after "data: ", since nothing says what
// that body holds. The code is kept, so status.Code and status.FromError
// still work.
func redact(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := st.Message()
	i := strings.Index(msg, "\ndata: ")
	if i < 0 || !strings.Contains(msg[:i], "unexpected content-type") {
		return err
	}
	return status.Error(st.Code(), msg[:i]+" (response body not shown)")
}

// noADCHelp says what Application Default Credentials tried and what to do.
const noADCHelp = "no Google Application Default Credentials: tried the file named by GOOGLE_APPLICATION_CREDENTIALS, " +
	"gcloud's file (~/.config/gcloud/application_default_credentials.json, or under CLOUDSDK_CONFIG) and the metadata server of " +
	"Google Cloud; run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a credentials file, " +
	"attach a service account (or workload identity), or pass credentials with WithClientOptions"

// noADC reports whether err is the failure of Application Default
// Credentials to find any credentials. Google's auth libraries give it no
// type of its own, only this message (cloud.google.com/go/auth's
// "credentials: could not find default credentials", golang.org/x/oauth2's
// "google: could not find default credentials").
func noADC(err error) bool {
	return strings.Contains(err.Error(), "could not find default credentials")
}

// numeric returns v if it is a version number, else "".
func numeric(v string) string {
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return ""
	}
	return v
}

// wrap tags err, from an operation on the resource name, with the
// driftless sentinel its gRPC code maps to, or with ctx.Err() when ctx is
// done.
func wrap(ctx context.Context, op, name string, err error) error {
	if errors.Is(err, ErrChecksum) {
		return fmt.Errorf("gcpsm: %s %s: %w", op, name, err)
	}
	err = redact(err)
	cerr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && cerr == nil && status.Code(err) == codes.DeadlineExceeded && !time.Now().Before(d) {
		// gRPC enforces the caller's deadline with its own timer, which may
		// fire just before ctx's: it is still the caller's deadline.
		cerr = context.DeadlineExceeded
	}
	if cerr != nil {
		return fmt.Errorf("gcpsm: %s %s: %w (%w)", op, name, cerr, err)
	}
	var sentinel error
	switch status.Code(err) {
	case codes.NotFound:
		sentinel = driver.ErrNotFound
	case codes.FailedPrecondition, codes.PermissionDenied, codes.Unauthenticated:
		// FAILED_PRECONDITION: the version is disabled or destroyed.
		sentinel = driver.ErrPermission
	case codes.ResourceExhausted, codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.Internal:
		sentinel = driver.ErrUnavailable
	case codes.InvalidArgument:
		sentinel = driver.ErrInvalidRef
	default:
		return fmt.Errorf("gcpsm: %s %s: %w", op, name, err)
	}
	return fmt.Errorf("gcpsm: %s %s: %w: %w", op, name, sentinel, err)
}
