// Package errclass names the class of a driftless error for metrics: a
// fixed word per sentinel, so that a provider's message never becomes a
// label or attribute value. The telemetry modules share it.
package errclass

import (
	"context"
	"errors"

	"github.com/driftless/driftless"
)

// classes lists the error classes in the order they are tried: an error is
// given the first whose sentinel it wraps (errors.Is).
var classes = []struct {
	err   error
	class string
}{
	{driftless.ErrRejected, "rejected"},     // a Gate refused the candidate config
	{driftless.ErrValidation, "validation"}, // refreshes only: a validator rejected the config
	{driftless.ErrNoCredentials, "no_credentials"},
	{driftless.ErrPermission, "permission"},
	{driftless.ErrUnavailable, "unavailable"},
	{context.DeadlineExceeded, "timeout"}, // a fetch timeout
	{context.Canceled, "canceled"},
	{driftless.ErrNotFound, "not_found"},
	{driftless.ErrInvalidRef, "invalid_ref"},
}

// Other is the class of an error that wraps none of the sentinels.
const Other = "other"

// Of returns the class of a non-nil err.
func Of(err error) string {
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.class
		}
	}
	return Other
}
