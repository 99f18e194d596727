package awsps

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/driftless/driftless/driver"
)

// Scheme is the reference scheme this package serves: awsps://.
const Scheme = "awsps"

// API is the part of the Systems Manager client that Provider uses.
// *ssm.Client satisfies it.
type API interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParameterHistory(ctx context.Context, in *ssm.GetParameterHistoryInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterHistoryOutput, error)
}

// Provider reads parameters from AWS Systems Manager Parameter Store. It
// implements driver.Provider, driver.BatchFetcher, driver.PreviousFetcher
// and driver.RefChecker.
//
// A Provider is safe for concurrent use.
type Provider struct {
	client API
	opts   options
}

var (
	_ driver.BatchFetcher    = (*Provider)(nil)
	_ driver.PreviousFetcher = (*Provider)(nil)
	_ driver.RefChecker      = (*Provider)(nil)
)

type options struct {
	concurrency int
}

// Option configures a Provider.
type Option func(*options)

// WithConcurrency sets how many requests one FetchBatch sends at once.
// The default is 32, the same as driftless.WithConcurrency; values below 1
// mean 1.
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// New returns a Provider that uses client, usually an *ssm.Client the
// caller configured. Throttling and server errors are retried by the
// client's retryer (the SDK's standard retryer, 3 attempts, unless the
// client was configured otherwise); what is left after the retries fails
// with driftless.ErrUnavailable.
func New(client API, opts ...Option) *Provider {
	o := options{concurrency: 32}
	for _, opt := range opts {
		opt(&o)
	}
	return &Provider{client: client, opts: o}
}

// NewFromConfig returns a Provider with a client built from the SDK's
// default configuration chain (config.LoadDefaultConfig): AWS_REGION,
// AWS_PROFILE and shared config files, web identity and container or
// instance roles, and AWS_ENDPOINT_URL_SSM all work as in any AWS SDK. The
// environment is read here, when the caller asks for it.
func NewFromConfig(ctx context.Context, opts ...Option) (*Provider, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("awsps: loading the AWS configuration: %w", err)
	}
	return New(ssm.NewFromConfig(cfg), opts...), nil
}

// Fetch returns the parameter that ref names (see the package
// documentation for the grammar), decrypted if it is a SecureString. A
// StringList is returned as its comma-separated text. Version is the
// parameter's version number and Created its LastModifiedDate.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	return p.get(ctx, sel)
}

// FetchPrevious returns the version of ref's parameter that precedes its
// current version (ref's own version selector is ignored), read with
// GetParameterHistory. A parameter with one version has none: the error
// then wraps driftless.ErrNotFound.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	sel.version, sel.label = 0, ""
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("awsps: %s: %w", sel, err)
	}
	in := &ssm.GetParameterHistoryInput{Name: aws.String(sel.name), WithDecryption: aws.Bool(true), MaxResults: aws.Int32(50)}
	var cur, prev *types.ParameterHistory
	for page := 0; page < maxHistoryPages; page++ {
		out, err := p.client.GetParameterHistory(ctx, in, tagCredentials)
		if err != nil {
			return driver.Value{}, wrap(ctx, sel, err)
		}
		for i := range out.Parameters {
			h := &out.Parameters[i]
			switch {
			case cur == nil || h.Version > cur.Version:
				prev, cur = cur, h
			case h.Version < cur.Version && (prev == nil || h.Version > prev.Version):
				prev = h
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if prev == nil {
		return driver.Value{}, fmt.Errorf("%w: awsps: %s has no version before the current one", driver.ErrNotFound, sel)
	}
	return value(prev.Value, prev.Version, prev.LastModifiedDate), nil
}

// maxHistoryPages bounds the pages of GetParameterHistory read for one
// FetchPrevious (Parameter Store keeps 100 versions, 50 a page).
const maxHistoryPages = 4

// selector is a parsed reference.
type selector struct {
	name    string // the parameter's full name ("/prod/x" or "flat") or ARN
	version int64  // 0 for none
	label   string
}

// id is the name with its selector, as GetParameter and GetParameters take
// it: name, name:N or name:LABEL.
func (s selector) id() string {
	switch {
	case s.version > 0:
		return s.name + ":" + strconv.FormatInt(s.version, 10)
	case s.label != "":
		return s.name + ":" + s.label
	}
	return s.name
}

func (s selector) String() string {
	switch {
	case s.version > 0:
		return fmt.Sprintf("parameter %q (version %d)", s.name, s.version)
	case s.label != "":
		return fmt.Sprintf("parameter %q (label %s)", s.name, s.label)
	}
	return fmt.Sprintf("parameter %q", s.name)
}

// Name returns the full Parameter Store name that the reference name n
// stands for: a name with a "/" is hierarchical and gets its leading "/"
// ("prod/db/password" and "/prod/db/password" are both
// "/prod/db/password"); a name without one ("db-password") is a
// non-hierarchical parameter, named as written; an ARN is kept as written.
func Name(n string) string {
	if strings.HasPrefix(n, "arn:") || !strings.Contains(n, "/") || strings.HasPrefix(n, "/") {
		return n
	}
	return "/" + n
}

// maxNameLen is the longest parameter name Parameter Store accepts
// (hierarchy included); an ARN may be longer by its prefix.
const maxNameLen = 2048

func parse(ref driver.Ref) (selector, error) {
	if ref.Name == "" {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "empty name"}
	}
	s := selector{name: Name(ref.Name)}
	if err := checkName(s.name); err != nil {
		return selector{}, err
	}
	q, err := url.ParseQuery(ref.Query)
	if err != nil {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "malformed query"}
	}
	for k, vs := range q {
		if k != "version" && k != "label" {
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: "unknown query parameter (allowed: version, label)"}
		}
		if len(vs) != 1 || vs[0] == "" {
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("parameter %q needs exactly one non-empty value", k)}
		}
	}
	if v := q.Get("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: "version must be a positive integer"}
		}
		s.version = n
	}
	if l := q.Get("label"); l != "" {
		if !validLabel(l) {
			return selector{}, &driver.RefError{Scheme: Scheme, Reason: "label must be letters, digits, '.', '-' and '_', at most 100, not starting with a digit or aws/ssm"}
		}
		s.label = l
	}
	if s.version > 0 && s.label != "" {
		return selector{}, &driver.RefError{Scheme: Scheme, Reason: "version and label are exclusive"}
	}
	return s, nil
}

// checkName validates a full parameter name: letters, digits and
// "_.-/", segments not empty, no ":" (the version selector's separator).
func checkName(n string) error {
	if strings.HasPrefix(n, "arn:") {
		if !strings.Contains(n, ":parameter/") {
			return &driver.RefError{Scheme: Scheme, Reason: "an ARN must name a parameter (arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME)"}
		}
		return nil
	}
	if len(n) > maxNameLen {
		return &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("name longer than %d bytes", maxNameLen)}
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.', c == '-':
		case c == '/':
			if i+1 == len(n) || n[i+1] == '/' {
				return &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("empty path segment at byte %d of the name", i)}
			}
		default:
			return &driver.RefError{Scheme: Scheme, Reason: fmt.Sprintf("byte %d of the name is not a letter, digit or one of _.-/", i)}
		}
	}
	return nil
}

func validLabel(l string) bool {
	if len(l) > 100 || ('0' <= l[0] && l[0] <= '9') {
		return false
	}
	low := strings.ToLower(l)
	if strings.HasPrefix(low, "aws") || strings.HasPrefix(low, "ssm") {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func (p *Provider) get(ctx context.Context, s selector) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("awsps: %s: %w", s, err)
	}
	out, err := p.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(s.id()), WithDecryption: aws.Bool(true)}, tagCredentials)
	if err != nil {
		return driver.Value{}, wrap(ctx, s, err)
	}
	if out.Parameter == nil {
		return driver.Value{}, fmt.Errorf("%w: awsps: %s: the answer has no parameter", driver.ErrUnavailable, s)
	}
	return value(out.Parameter.Value, out.Parameter.Version, out.Parameter.LastModifiedDate), nil
}

func value(str *string, version int64, modified *time.Time) driver.Value {
	v := driver.Value{Data: []byte(aws.ToString(str))}
	if version > 0 {
		v.Version = strconv.FormatInt(version, 10)
	}
	if modified != nil {
		v.Created = *modified
	}
	return v
}
