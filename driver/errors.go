package driver

import (
	"errors"
	"strconv"
)

// Sentinel errors. Providers tag the errors they return with these, wrapping
// the backend's own error in the same step so that both errors.Is and
// errors.As work:
//
//	return Value{}, fmt.Errorf("%w: %w", driver.ErrNotFound, sdkErr)
//
// Package driftless re-exports the first five for applications.
var (
	// ErrNotFound means the backend answered and the secret, version or key does
	// not exist. It is the only error that lets a key-value source fall through to
	// the next source in the chain.
	ErrNotFound = errors.New("driftless: not found")
	// ErrPermission means the backend refused the caller (denied, forbidden,
	// unauthenticated), or the secret exists but cannot be served (disabled,
	// destroyed, scheduled for deletion, expired, not yet valid).
	ErrPermission = errors.New("driftless: permission denied")
	// ErrUnavailable means the backend could not be reached or answered with a
	// transient failure (network, throttling after retries, sealed, 5xx).
	ErrUnavailable = errors.New("driftless: provider unavailable")
	// ErrNoCredentials means the provider found no credentials to call its
	// backend with (no AWS credential chain, no Google ADC, no Azure identity,
	// no Vault token): a deployment mistake to fix, not an outage to wait out.
	// Providers wrap it together with the SDK's error.
	ErrNoCredentials = errors.New("driftless: no credentials for provider")
	// ErrInvalidRef means a reference is malformed or names something the
	// provider cannot serve.
	ErrInvalidRef = errors.New("driftless: invalid reference")
	// ErrClosed is returned by a provider used after Close.
	ErrClosed = errors.New("driftless: provider closed")
	// ErrNotRenewable is wrapped by a Renewer's error when a lease cannot be
	// extended (far enough): driftless then fetches the secret anew.
	ErrNotRenewable = errors.New("driftless: lease not renewable")
)

// RefError reports a malformed reference. It never holds the reference text
// beyond its scheme, since a mistyped value could be a secret.
type RefError struct {
	Scheme string // the reference's scheme, if one was found
	Reason string // what is wrong
}

// Error describes what is wrong with the reference, without its text.
func (e *RefError) Error() string {
	if e.Scheme == "" {
		return "driftless: invalid reference: " + e.Reason
	}
	return "driftless: invalid " + e.Scheme + ":// reference: " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalidRef) true.
func (e *RefError) Unwrap() error { return ErrInvalidRef }

// KeyError reports that a key selected with "#key" could not be taken from a
// secret. It names the key, never the secret's content.
type KeyError struct {
	Key    string // the key or JSON pointer
	Reason string
}

// Error names the key and the reason, never the secret's content.
func (e *KeyError) Error() string {
	return "driftless: key " + strconv.Quote(e.Key) + ": " + e.Reason
}
