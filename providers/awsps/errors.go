package awsps

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/driftless/driftless/driver"
)

// Error codes of Parameter Store, of KMS as Parameter Store relays them,
// and of AWS in general, by the sentinel they map to.
var (
	notFoundCodes = map[string]bool{
		"ParameterNotFound":        true,
		"ParameterVersionNotFound": true,
	}
	permissionCodes = map[string]bool{
		// KMS could not decrypt a SecureString: the key is disabled,
		// pending deletion, unknown, or the caller lacks kms:Decrypt. The
		// parameter exists and cannot be served: never a fall-through.
		"InvalidKeyId":                true,
		"KMSAccessDeniedException":    true,
		"KMSDisabledException":        true,
		"KMSInvalidStateException":    true,
		"KMSNotFoundException":        true,
		"AccessDeniedException":       true,
		"AccessDenied":                true,
		"UnrecognizedClientException": true,
		"InvalidClientTokenId":        true,
		"InvalidSignatureException":   true,
		"SignatureDoesNotMatch":       true,
		"IncompleteSignature":         true,
		"MissingAuthenticationToken":  true,
		"ExpiredTokenException":       true,
		"ExpiredToken":                true,
		"NotAuthorized":               true,
	}
	unavailableCodes = map[string]bool{
		"ThrottlingException":         true,
		"Throttling":                  true,
		"TooManyRequestsException":    true,
		"RequestLimitExceeded":        true,
		"InternalServerError":         true,
		"InternalFailure":             true,
		"ServiceUnavailable":          true,
		"ServiceUnavailableException": true,
		"RequestTimeout":              true,
		"RequestTimeoutException":     true,
	}
	invalidCodes = map[string]bool{
		"ValidationException":                true,
		"InvalidParameterException":          true,
		"ParameterVersionLabelLimitExceeded": true,
	}
)

// known reports whether code is one this package gives a meaning to.
func known(code string) bool {
	return notFoundCodes[code] || permissionCodes[code] || unavailableCodes[code] || invalidCodes[code]
}

// denied reports whether HTTP status is 401 or 403.
func denied(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden
}

// sentinel returns the driftless sentinel that err maps to, or nil.
func sentinel(err error) error {
	var ce *credentialsError
	if errors.As(err, &ce) {
		return driver.ErrNoCredentials
	}
	var ae smithy.APIError
	isAPI := errors.As(err, &ae)
	if status := httpStatus(err); denied(status) && (!isAPI || !known(ae.ErrorCode())) {
		// HTTP 401 or 403 whose body the SDK could not read as an AWS
		// error (the HTML page of a proxy, moto's XML when it enforces
		// IAM, an empty body): a refusal all the same.
		return driver.ErrPermission
	}
	if isAPI {
		code := ae.ErrorCode()
		switch {
		case notFoundCodes[code]:
			return driver.ErrNotFound
		case permissionCodes[code]:
			return driver.ErrPermission
		case unavailableCodes[code]:
			return driver.ErrUnavailable
		case invalidCodes[code]:
			return driver.ErrInvalidRef
		case ae.ErrorFault() == smithy.FaultServer:
			return driver.ErrUnavailable
		}
		switch status := httpStatus(err); {
		case status == http.StatusTooManyRequests || status >= 500:
			return driver.ErrUnavailable
		}
		return nil
	}
	// No answer from Parameter Store: the network failed, the retries ran
	// out, or the answer could not be read.
	return driver.ErrUnavailable
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// credentialsError marks a failure of the client's credentials provider
// to give credentials: the SDK's credential chain found none (no
// environment variables, no shared files, no web identity, no container or
// instance role), or the client has no provider at all.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// taggedCredentials is the client's credentials provider, whose errors are
// marked with credentialsError so that wrap tells them from a network
// failure (the SDK's own errors have no type of their own).
type taggedCredentials struct{ aws.CredentialsProvider }

// Retrieve calls the client's provider and marks its failures.
func (c taggedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.CredentialsProvider.Retrieve(ctx)
	if err != nil && ctx.Err() == nil {
		return creds, &credentialsError{err}
	}
	return creds, err
}

// ProviderSources forwards the sources of the client's provider, which
// the SDK reports in its User-Agent.
func (c taggedCredentials) ProviderSources() []aws.CredentialSource {
	if s, ok := c.CredentialsProvider.(aws.CredentialProviderSource); ok {
		return s.ProviderSources()
	}
	return nil
}

// missingCredentials stands for the credentials provider of a client that
// has none, so that its calls fail with a credentialsError rather than the
// SDK's "could not select an auth scheme".
type missingCredentials struct{}

// Retrieve always fails.
func (missingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, &credentialsError{errors.New("the Systems Manager client has no credentials provider (its Options.Credentials is nil)")}
}

// tagCredentials is the per-call option that marks credential failures.
func tagCredentials(o *ssm.Options) {
	if o.Credentials == nil {
		o.Credentials = missingCredentials{}
		return
	}
	o.Credentials = taggedCredentials{o.Credentials}
}

// noCredentialsHelp says what the SDK's default chain tried and what to set.
const noCredentialsHelp = "no AWS credentials: the SDK's default chain (NewFromConfig, config.LoadDefaultConfig) tries the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), " +
	"the shared files (~/.aws/credentials and ~/.aws/config, profile AWS_PROFILE or default, SSO and credential_process included), " +
	"web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN), the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI) " +
	"and the EC2 instance metadata service; set one of them (for example run `aws configure` or `aws sso login`, or attach a role), " +
	"or give New a client configured with credentials"

// wrap tags err, an SDK error about s, with the driftless sentinel it maps
// to and names the parameter. The SDK's errors carry codes and messages from
// Parameter Store, never secret values. When ctx is done the result wraps
// ctx.Err() and no sentinel.
func wrap(ctx context.Context, s selector, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("awsps: %s: %w", s, err)
		}
		return fmt.Errorf("awsps: %s: %w: %w", s, cerr, err)
	}
	if se := sentinel(err); se == driver.ErrNoCredentials {
		return fmt.Errorf("%w: awsps: %s: %s: %w", se, s, noCredentialsHelp, err)
	} else if se != nil {
		return fmt.Errorf("%w: awsps: %s: %w", se, s, err)
	}
	return fmt.Errorf("awsps: %s: %w", s, err)
}
