package driftlessotel

import (
	"context"
	"errors"

	"github.com/driftless/driftless"
)

// Error classes, the values of the error.type attribute. An error is given the first
// class of this list whose sentinel it wraps (errors.Is), so a provider's
// message never becomes an attribute value.
const (
	classRejected      = "rejected"       // driftless.ErrRejected (a Gate refused the candidate config)
	classValidation    = "validation"     // driftless.ErrValidation (refreshes only: a validator rejected the config)
	classNoCredentials = "no_credentials" // driftless.ErrNoCredentials
	classPermission    = "permission"     // driftless.ErrPermission
	classUnavailable   = "unavailable"    // driftless.ErrUnavailable
	classTimeout       = "timeout"        // context.DeadlineExceeded (a fetch timeout)
	classCanceled      = "canceled"       // context.Canceled
	classNotFound      = "not_found"      // driftless.ErrNotFound
	classInvalidRef    = "invalid_ref"    // driftless.ErrInvalidRef
	classOther         = "other"          // anything else
)

var classes = []struct {
	err   error
	class string
}{
	{driftless.ErrRejected, classRejected},
	{driftless.ErrValidation, classValidation},
	{driftless.ErrNoCredentials, classNoCredentials},
	{driftless.ErrPermission, classPermission},
	{driftless.ErrUnavailable, classUnavailable},
	{context.DeadlineExceeded, classTimeout},
	{context.Canceled, classCanceled},
	{driftless.ErrNotFound, classNotFound},
	{driftless.ErrInvalidRef, classInvalidRef},
}

// errorClass returns the class of a non-nil err.
func errorClass(err error) string {
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.class
		}
	}
	return classOther
}
