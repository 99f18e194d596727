package azkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/driftless/driftless"
)

// Errors for secrets that exist but must not be used. Each is returned
// wrapped together with driftless.ErrPermission, never with
// driftless.ErrNotFound: an operator who disables a secret, or lets it
// expire, has switched it off on purpose, and a chain must fail loudly
// rather than fall through to the next source or the default tag.
var (
	// ErrDisabled means the secret (or the version named) is disabled.
	// Key Vault refuses to serve it (403, inner code SecretDisabled).
	ErrDisabled = errors.New("azkv: secret is disabled")
	// ErrExpired means the version's exp attribute is in the past. Key
	// Vault still serves it; the provider refuses it.
	ErrExpired = errors.New("azkv: secret has expired")
	// ErrNotYetValid means the version's nbf attribute is in the future.
	// Key Vault still serves it; the provider refuses it.
	ErrNotYetValid = errors.New("azkv: secret is not yet valid")
)

// wrap tags err, returned by the SDK for op on l, with the driftless
// sentinel it stands for, naming the vault and secret. A cancelled or
// expired ctx wins over any classification, so the error wraps ctx.Err().
func wrap(ctx context.Context, op string, l location, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("azkv: %s %s: %w", op, l, err)
		}
		return fmt.Errorf("azkv: %s %s: %w: %w", op, l, cerr, err)
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		switch {
		case re.StatusCode == http.StatusNotFound:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrNotFound, err)
		case re.StatusCode == http.StatusForbidden && innerCode(re) == "SecretDisabled":
			return fmt.Errorf("azkv: %s %s: %w: %w: %w", op, l, driftless.ErrPermission, ErrDisabled, err)
		case re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrPermission, err)
		case re.StatusCode == http.StatusBadRequest:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrInvalidRef, err)
		default: // 408, 429 after the SDK's retries, 5xx, anything unexpected
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrUnavailable, err)
		}
	}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) {
		return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrPermission, err)
	}
	return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driftless.ErrUnavailable, err)
}

// innerCode returns the innererror code of a Key Vault error body, such as
// "SecretDisabled" under the top-level code "Forbidden".
func innerCode(re *azcore.ResponseError) string {
	if re.RawResponse == nil {
		return ""
	}
	body, err := runtime.Payload(re.RawResponse)
	if err != nil {
		return ""
	}
	var e struct {
		Error struct {
			InnerError struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.InnerError.Code
}
