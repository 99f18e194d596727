package awssm

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/driftless/driftless"
)

// Error codes of Secrets Manager and of AWS in general, by the sentinel
// they map to.
var (
	notFoundCodes = map[string]bool{
		"ResourceNotFoundException": true,
	}
	permissionCodes = map[string]bool{
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
		// KMS could not decrypt the value: the key is disabled, pending
		// deletion, or the caller lacks kms:Decrypt. Not the secret's fault.
		"DecryptionFailure":           true,
		"ThrottlingException":         true,
		"Throttling":                  true,
		"TooManyRequestsException":    true,
		"RequestLimitExceeded":        true,
		"InternalServiceError":        true,
		"InternalFailure":             true,
		"ServiceUnavailable":          true,
		"ServiceUnavailableException": true,
		"RequestTimeout":              true,
		"RequestTimeoutException":     true,
	}
	invalidCodes = map[string]bool{
		"InvalidParameterException": true,
		"ValidationException":       true,
	}
	// Answers to BatchGetSecretValue that mean "use GetSecretValue instead":
	// the identity may not batch, or the endpoint (an emulator, an old
	// proxy) does not know the operation.
	unsupportedCodes = map[string]bool{
		"AccessDeniedException":         true,
		"AccessDenied":                  true,
		"UnknownOperationException":     true,
		"UnknownOperation":              true,
		"InvalidAction":                 true,
		"NotImplemented":                true,
		"NotImplementedException":       true,
		"UnsupportedOperation":          true,
		"UnsupportedOperationException": true,
	}
)

// sentinel returns the driftless sentinel that err maps to, or nil.
func sentinel(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		switch {
		case notFoundCodes[code]:
			return driftless.ErrNotFound
		case permissionCodes[code]:
			return driftless.ErrPermission
		case unavailableCodes[code]:
			return driftless.ErrUnavailable
		case invalidCodes[code]:
			return driftless.ErrInvalidRef
		case ae.ErrorFault() == smithy.FaultServer:
			return driftless.ErrUnavailable
		}
		switch status := httpStatus(err); {
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return driftless.ErrPermission
		case status == http.StatusTooManyRequests || status >= 500:
			return driftless.ErrUnavailable
		}
		return nil
	}
	// No answer from Secrets Manager: the network failed, the retries ran
	// out, or the answer could not be read.
	return driftless.ErrUnavailable
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// unsupported reports whether a failed BatchGetSecretValue call means that
// batching is not available to this caller.
func unsupported(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && unsupportedCodes[ae.ErrorCode()] {
		return true
	}
	status := httpStatus(err)
	return status == http.StatusNotImplemented
}

// wrap tags err, an SDK error about s, with the driftless sentinel it maps
// to and names the secret. The SDK's errors carry codes and messages from
// Secrets Manager, never secret values. When ctx is done the result wraps
// ctx.Err() and no sentinel.
func wrap(ctx context.Context, s selector, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("awssm: %s: %w", s, err)
		}
		return fmt.Errorf("awssm: %s: %w: %w", s, cerr, err)
	}
	if se := sentinel(err); se != nil {
		return fmt.Errorf("%w: awssm: %s: %w", se, s, err)
	}
	return fmt.Errorf("awssm: %s: %w", s, err)
}
