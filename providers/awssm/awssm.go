package awssm

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/driftless/driftless/driver"
)

// Scheme is the reference scheme this package serves: awssm://.
const Scheme = "awssm"

// Staging labels.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// API is the part of the Secrets Manager client that Provider uses.
// *secretsmanager.Client satisfies it.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	BatchGetSecretValue(ctx context.Context, in *secretsmanager.BatchGetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error)
}

// Provider reads secrets from AWS Secrets Manager. It implements
// driver.Provider, driver.BatchFetcher and driver.PreviousFetcher.
//
// A Provider is safe for concurrent use.
type Provider struct {
	client API
	opts   options
	// region is the region of the client's own options when the client
	// tells it (*secretsmanager.Client does), else "": ARNs of that region
	// are batched together with plain names.
	region string

	// batchOff is set once BatchGetSecretValue was denied or found
	// unsupported; from then on FetchBatch uses GetSecretValue only.
	batchOff atomic.Bool
}

var (
	_ driver.BatchFetcher    = (*Provider)(nil)
	_ driver.PreviousFetcher = (*Provider)(nil)
)

type options struct {
	concurrency int
	batch       bool
}

// Option configures a Provider.
type Option func(*options)

// WithConcurrency sets how many requests one FetchBatch sends at once.
// The default is 32, the same as driftless.WithConcurrency; values below 1
// mean 1.
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithBatch sets whether FetchBatch uses BatchGetSecretValue (20 secrets
// per call). The default is true; FetchBatch falls back to concurrent
// GetSecretValue calls by itself when the batch call is denied, so false
// only saves that first denied call for identities that may not use it.
func WithBatch(enabled bool) Option {
	return func(o *options) { o.batch = enabled }
}

// New returns a Provider that uses client, usually a *secretsmanager.Client
// the caller configured.
func New(client API, opts ...Option) *Provider {
	o := options{concurrency: 32, batch: true}
	for _, opt := range opts {
		opt(&o)
	}
	p := &Provider{client: client, opts: o}
	if c, ok := client.(interface{ Options() secretsmanager.Options }); ok {
		p.region = c.Options().Region
	}
	return p
}

// NewFromConfig returns a Provider with a client built from the SDK's
// default configuration chain (config.LoadDefaultConfig): AWS_REGION,
// AWS_PROFILE and shared config files, web identity and container or
// instance roles, and AWS_ENDPOINT_URL_SECRETS_MANAGER all work as in any
// AWS SDK. The environment is read here, when the caller asks for it.
func NewFromConfig(ctx context.Context, opts ...Option) (*Provider, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("awssm: loading the AWS configuration: %w", err)
	}
	return New(secretsmanager.NewFromConfig(cfg), opts...), nil
}

// Fetch returns the version of the secret that ref names: ref.Name is a
// secret name or ARN (an ARN's region is used for the call), and ref.Query
// may hold version-stage=STAGE or version-id=ID; without either, the
// AWSCURRENT version is read. SecretString and SecretBinary are both
// returned as Data; Version is the VersionId and Created the CreatedDate.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	return p.get(ctx, sel)
}

// FetchPrevious returns the version labelled AWSPREVIOUS of ref's secret
// (ref's own version selector is ignored). A secret that was never rotated
// has none: the error then wraps driftless.ErrNotFound.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	sel.versionID, sel.stage = "", StagePrevious
	return p.get(ctx, sel)
}

// selector is a parsed reference.
type selector struct {
	id        string // name or ARN
	region    string // from an ARN, or ""
	stage     string
	versionID string
}

// batchable reports whether BatchGetSecretValue can serve s: it returns
// AWSCURRENT only, and only for secrets named without a selector (an
// explicit version-stage=AWSCURRENT is read with GetSecretValue, which some
// emulators answer more faithfully after a stage move).
func (s selector) batchable() bool { return s.stage == "" && s.versionID == "" }

func (s selector) String() string {
	switch {
	case s.versionID != "":
		return fmt.Sprintf("secret %q (version-id %s)", s.id, s.versionID)
	case s.stage != "":
		return fmt.Sprintf("secret %q (version-stage %s)", s.id, s.stage)
	}
	return fmt.Sprintf("secret %q", s.id)
}

func parse(ref driver.Ref) (selector, error) {
	if ref.Name == "" {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "empty name"}
	}
	s := selector{id: ref.Name, region: regionOf(ref.Name)}
	q, err := url.ParseQuery(ref.Query)
	if err != nil {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "malformed query"}
	}
	for k, vs := range q {
		if k != "version-stage" && k != "version-id" {
			// The parameter is not named: a mistyped value could be a secret.
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: "unknown query parameter (allowed: version-stage, version-id)"}
		}
		if len(vs) != 1 || vs[0] == "" {
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("parameter %q needs exactly one non-empty value", k)}
		}
	}
	s.stage, s.versionID = q.Get("version-stage"), q.Get("version-id")
	if s.stage != "" && s.versionID != "" {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "version-stage and version-id are exclusive"}
	}
	return s, nil
}

// regionOf returns the region of a Secrets Manager ARN
// (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME), or "".
func regionOf(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return ""
	}
	parts := strings.SplitN(id, ":", 7)
	if len(parts) < 7 || parts[2] != "secretsmanager" || parts[5] != "secret" {
		return ""
	}
	return parts[3]
}

// callOptions returns the per-call options of every request: the one
// that tags credential failures (see tagCredentials) and, for a region
// other than "", the one that sends the request to region (the SDK derives
// the endpoint and the signing region from the base client's options with
// the region replaced).
func callOptions(region string) []func(*secretsmanager.Options) {
	if region == "" {
		return []func(*secretsmanager.Options){tagCredentials}
	}
	return []func(*secretsmanager.Options){tagCredentials, func(o *secretsmanager.Options) { o.Region = region }}
}

func (p *Provider) get(ctx context.Context, s selector) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("awssm: %s: %w", s, err)
	}
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.id)}
	switch {
	case s.versionID != "":
		in.VersionId = aws.String(s.versionID)
	case s.stage != "":
		in.VersionStage = aws.String(s.stage)
	default:
		// The same as no selector on AWS; explicit, so that emulators that
		// lag behind a stage move (moto) answer with the current version too.
		in.VersionStage = aws.String(StageCurrent)
	}
	out, err := p.client.GetSecretValue(ctx, in, callOptions(s.region)...)
	if err != nil {
		return driver.Value{}, wrap(ctx, s, err)
	}
	return value(out.SecretString, out.SecretBinary, out.VersionId, out.CreatedDate), nil
}

func value(str *string, bin []byte, versionID *string, created *time.Time) driver.Value {
	var v driver.Value
	switch {
	case str != nil:
		v.Data = []byte(*str)
	case bin != nil:
		v.Data = bin
	default:
		v.Data = []byte{}
	}
	v.Version = aws.ToString(versionID)
	if created != nil {
		v.Created = *created
	}
	return v
}
