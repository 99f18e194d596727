package azkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/driftless/driftless/driver"
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
//
// raw is the last HTTP response the SDK received, captured with
// policy.WithCaptureResponse (nil if none): a 401 whose challenge is not
// Key Vault's (a proxy's Basic challenge) fails in the SDK's challenge
// handling with an error that carries no status, and raw tells it.
func wrap(ctx context.Context, op string, l location, err error, raw *http.Response) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("azkv: %s %s: %w", op, l, err)
		}
		return fmt.Errorf("azkv: %s %s: %w: %w", op, l, cerr, err)
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		if r := redact(re); r != re {
			err = r
		}
		switch {
		case re.StatusCode == http.StatusNotFound:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrNotFound, err)
		case re.StatusCode == http.StatusForbidden && innerCode(re) == "SecretDisabled":
			return fmt.Errorf("azkv: %s %s: %w: %w: %w", op, l, driver.ErrPermission, ErrDisabled, err)
		case re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrPermission, err)
		case re.StatusCode == http.StatusBadRequest:
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrInvalidRef, err)
		default: // 408, 429 after the SDK's retries, 5xx, anything unexpected
			return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrUnavailable, err)
		}
	}
	if noCredentials(err) {
		return fmt.Errorf("azkv: %s %s: %w: %s: %w", op, l, driver.ErrNoCredentials, noCredentialsHelp, err)
	}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) {
		return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrPermission, err)
	}
	if raw != nil && (raw.StatusCode == http.StatusUnauthorized || raw.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("azkv: %s %s: %w: HTTP %d: %w", op, l, driver.ErrPermission, raw.StatusCode, err)
	}
	return fmt.Errorf("azkv: %s %s: %w: %w", op, l, driver.ErrUnavailable, err)
}

// noCredentialsHelp says what DefaultAzureCredential tries and what to set.
const noCredentialsHelp = "no Azure identity to sign in with: DefaultAzureCredential tries the environment " +
	"(AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH), workload identity " +
	"(AZURE_FEDERATED_TOKEN_FILE), managed identity, the Azure CLI (`az login`), the Azure Developer CLI (`azd auth login`) " +
	"and Azure PowerShell; set one of them, assign a managed identity, or pass a credential with WithCredential"

// credentialUnavailableType is the type of azidentity's "credential
// unavailable" errors (a credential that lacks the configuration or the
// environment to try at all, and the chain of DefaultAzureCredential when
// every credential in it is unavailable). azidentity does not export it,
// so it is found through its exported constructor.
var credentialUnavailableType = reflect.TypeOf(azidentity.NewCredentialUnavailableError(""))

// noCredentials reports whether err says that the credential found no
// identity to sign in with.
func noCredentials(err error) bool {
	var ar *azidentity.AuthenticationRequiredError
	return errors.As(err, &ar) || hasType(err, credentialUnavailableType)
}

// hasType reports whether err or an error it wraps has type t.
func hasType(err error, t reflect.Type) bool {
	if err == nil {
		return false
	}
	if reflect.TypeOf(err) == t {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return hasType(u.Unwrap(), t)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if hasType(e, t) {
				return true
			}
		}
	}
	return false
}

// redact returns re, or a copy without the response body when that body
// is not Key Vault's JSON (a proxy's or a gateway's page): the SDK's
// message shows the body, and nothing says what such a body holds. Key
// Vault's own error bodies never hold a secret value.
func redact(re *azcore.ResponseError) *azcore.ResponseError {
	raw := re.RawResponse
	if raw == nil || strings.Contains(raw.Header.Get("Content-Type"), "json") {
		return re
	}
	c := *raw
	c.Body = io.NopCloser(strings.NewReader("(response body not shown: it is not Key Vault's JSON)"))
	c.ContentLength = -1
	return &azcore.ResponseError{ErrorCode: re.ErrorCode, StatusCode: re.StatusCode, RawResponse: &c}
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
