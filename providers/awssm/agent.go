package awssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/smithy-go"
	"github.com/driftless/driftless/driver"
)

// DefaultAgentEndpoint is where the AWS Secrets Manager Agent and the AWS
// Lambda Parameters and Secrets extension listen by default.
const DefaultAgentEndpoint = "http://localhost:2773"

// AgentTokenHeader carries the agent's SSRF token.
const AgentTokenHeader = "X-Aws-Parameters-Secrets-Token"

// Agent reads secrets through a node-local cache instead of the Secrets
// Manager API: the AWS Secrets Manager Agent (a daemon or sidecar on EC2,
// ECS and EKS) or the AWS Lambda Parameters and Secrets extension. Both
// answer GET /secretsmanager/get?secretId=... on localhost:2773 with the
// GetSecretValue result, check an SSRF token sent in the
// X-Aws-Parameters-Secrets-Token header, and call Secrets Manager with the
// node's credentials on a cache miss, so a fleet of replicas does not call
// the API from every process. The agent's cache TTL (300 s by default)
// bounds how soon a rotation is seen.
//
// Agent implements driver.Provider and driver.PreviousFetcher; the
// references, values and errors are those of Provider. An ARN's region is
// not used: the agent calls Secrets Manager in its own region.
//
// An Agent is safe for concurrent use.
type Agent struct {
	endpoint string
	token    string
	client   *http.Client
}

var _ driver.PreviousFetcher = (*Agent)(nil)

type agentOptions struct {
	endpoint string
	token    string
	tokenSet bool
	client   *http.Client
}

// AgentOption configures an Agent.
type AgentOption func(*agentOptions)

// WithAgentEndpoint sets the agent's base URL. The default is
// DefaultAgentEndpoint, http://localhost:2773.
func WithAgentEndpoint(endpoint string) AgentOption {
	return func(o *agentOptions) { o.endpoint = endpoint }
}

// WithAgentToken sets the SSRF token sent in X-Aws-Parameters-Secrets-Token.
// The default is none (NewAgent) or the one NewAgentFromEnv found.
func WithAgentToken(token string) AgentOption {
	return func(o *agentOptions) { o.token, o.tokenSet = token, true }
}

// WithAgentHTTPClient sets the HTTP client used to reach the agent. The
// default is a client that never uses a proxy (the agent refuses forwarded
// requests) and relies on the context for timeouts.
func WithAgentHTTPClient(c *http.Client) AgentOption {
	return func(o *agentOptions) { o.client = c }
}

// NewAgent returns an Agent. It reads no environment variable: pass the
// token with WithAgentToken, or use NewAgentFromEnv.
func NewAgent(opts ...AgentOption) (*Agent, error) {
	o := agentOptions{endpoint: DefaultAgentEndpoint}
	for _, opt := range opts {
		opt(&o)
	}
	u, err := url.Parse(o.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("awssm: agent endpoint must be an http:// or https:// URL with a host")
	}
	if o.client == nil {
		o.client = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}}
	}
	return &Agent{endpoint: strings.TrimRight(o.endpoint, "/"), token: o.token, client: o.client}, nil
}

// NewAgentFromEnv returns an Agent configured as the agent and the Lambda
// extension expect their clients to be: the token is read from AWS_TOKEN or
// else AWS_SESSION_TOKEN (a value "file:///path" names a file that holds
// it, as the agent's installer sets up), and the port from
// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT when set. opts override both.
func NewAgentFromEnv(opts ...AgentOption) (*Agent, error) {
	return newAgentFromEnv(os.Getenv, os.ReadFile, opts...)
}

func newAgentFromEnv(getenv func(string) string, readFile func(string) ([]byte, error), opts ...AgentOption) (*Agent, error) {
	var o agentOptions
	for _, opt := range opts {
		opt(&o)
	}
	var env []AgentOption
	if port := getenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("awssm: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is not a port number")
		}
		env = append(env, WithAgentEndpoint("http://localhost:"+port))
	}
	if !o.tokenSet {
		var token string
		for _, name := range []string{"AWS_TOKEN", "AWS_SESSION_TOKEN"} {
			if token = getenv(name); token != "" {
				break
			}
		}
		if token == "" {
			return nil, fmt.Errorf("awssm: no agent token: AWS_TOKEN and AWS_SESSION_TOKEN are not set")
		}
		if path, ok := strings.CutPrefix(token, "file://"); ok {
			b, err := readFile(path)
			if err != nil {
				return nil, fmt.Errorf("awssm: reading the agent token: %w", err)
			}
			token = strings.TrimSpace(string(b))
		}
		env = append(env, WithAgentToken(token))
	}
	return NewAgent(append(env, opts...)...)
}

// Fetch returns the version of the secret that ref names, as
// Provider.Fetch does, from the agent.
func (a *Agent) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	return a.get(ctx, sel)
}

// FetchPrevious returns the AWSPREVIOUS version of ref's secret, as
// Provider.FetchPrevious does, from the agent.
func (a *Agent) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	sel, err := parse(ref)
	if err != nil {
		return driver.Value{}, err
	}
	sel.versionID, sel.stage = "", StagePrevious
	return a.get(ctx, sel)
}

// AgentError is a failure the agent answered with. Code and Message are
// Secrets Manager's when the agent relays its error, empty otherwise.
// It satisfies smithy.APIError when Code is set.
type AgentError struct {
	StatusCode int
	Code       string
	Message    string
}

// Error describes the agent's answer: status, code and message (never a value).
func (e *AgentError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "agent answered HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// ErrorCode returns Code.
func (e *AgentError) ErrorCode() string { return e.Code }

// ErrorMessage returns Message.
func (e *AgentError) ErrorMessage() string { return e.Message }

// ErrorFault tells a server fault (HTTP 5xx) from a client one.
func (e *AgentError) ErrorFault() smithy.ErrorFault {
	if e.StatusCode >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

type agentValue struct {
	VersionID    *string         `json:"VersionId"`
	SecretString *string         `json:"SecretString"`
	SecretBinary []byte          `json:"SecretBinary"`
	CreatedDate  json.RawMessage `json:"CreatedDate"`
}

// maxAgentAnswer bounds the answer read: a secret is at most 64 KiB, which
// base64 and the JSON around it keep well below this.
const maxAgentAnswer = 1 << 20

func (a *Agent) get(ctx context.Context, s selector) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("awssm agent: %s: %w", s, err)
	}
	q := url.Values{"secretId": {s.id}}
	switch {
	case s.versionID != "":
		q.Set("versionId", s.versionID)
	case s.stage != "":
		q.Set("versionStage", s.stage)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.endpoint+"/secretsmanager/get?"+q.Encode(), nil)
	if err != nil {
		return driver.Value{}, fmt.Errorf("%w: awssm agent: %s: %w", driver.ErrInvalidRef, s, err)
	}
	if a.token != "" {
		req.Header.Set(AgentTokenHeader, a.token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return driver.Value{}, a.wrap(ctx, s, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAgentAnswer))
	if err != nil {
		return driver.Value{}, a.wrap(ctx, s, err)
	}
	if resp.StatusCode != http.StatusOK {
		return driver.Value{}, a.wrap(ctx, s, agentError(resp.StatusCode, body))
	}
	var v agentValue
	if err := json.Unmarshal(body, &v); err != nil {
		// Never the body: it holds the secret.
		return driver.Value{}, fmt.Errorf("%w: awssm agent: %s: the answer is not a GetSecretValue result", driver.ErrUnavailable, s)
	}
	var created *time.Time
	if t, ok := parseTime(v.CreatedDate); ok {
		created = &t
	}
	return value(v.SecretString, v.SecretBinary, v.VersionID, created), nil
}

// agentError reads an error answer: Secrets Manager's JSON error relayed
// by the agent, or a short plain-text reason of the agent's own.
func agentError(status int, body []byte) *AgentError {
	e := &AgentError{StatusCode: status}
	var j struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	if json.Unmarshal(body, &j) == nil && j.Type != "" {
		e.Code = j.Type
		if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
			e.Code = e.Code[i+1:]
		}
		e.Message = j.Message
		if e.Message == "" {
			e.Message = j.Message2
		}
		return e
	}
	if text := strings.TrimSpace(string(body)); len(text) <= 64 && utf8.ValidString(text) && !strings.ContainsAny(text, "{}\"") {
		e.Message = text
	}
	return e
}

func (a *Agent) wrap(ctx context.Context, s selector, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("awssm agent: %s: %w", s, err)
		}
		return fmt.Errorf("awssm agent: %s: %w: %w", s, cerr, err)
	}
	var se error
	var ae *AgentError
	if errors.As(err, &ae) {
		switch {
		case ae.Code != "":
			se = sentinel(err)
		case ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden:
			se = driver.ErrPermission
		case ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500:
			se = driver.ErrUnavailable
		}
	} else {
		se = driver.ErrUnavailable // the agent could not be reached
	}
	if se != nil {
		return fmt.Errorf("%w: awssm agent: %s: %w", se, s, err)
	}
	return fmt.Errorf("awssm agent: %s: %w", s, err)
}

// parseTime reads a CreatedDate: seconds since the epoch as a JSON number
// (the Secrets Manager API) or a string (the agent), or an RFC 3339 string.
func parseTime(raw json.RawMessage) (time.Time, bool) {
	s := strings.Trim(string(raw), `"`)
	if s == "" || s == "null" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9+0.5)).Round(time.Millisecond).UTC(), true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
