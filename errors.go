package driftless

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrRequired is wrapped by the error for a required field that no source set
// (or set to an empty value).
var ErrRequired = errors.New("driftless: required value missing")

// ErrValidation is wrapped by errors from validation hooks.
var ErrValidation = errors.New("driftless: validation failed")

// FieldError reports why one field could not be filled. It names the field,
// its key and the source of the value, never the value.
type FieldError struct {
	Field  string // field path, e.g. "DB.Password"
	Key    string // env key, e.g. "DB_PASSWORD"
	Source string // where the value came from: "env", ".env:12", "default", a reference...
	Err    error  // the cause
}

// Error describes the failure: field, key, source and cause, never a value.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Field)
	if e.Key != "" || e.Source != "" {
		b.WriteString(" (")
		b.WriteString(e.Key)
		if e.Source != "" {
			if e.Key != "" {
				b.WriteString(" from ")
			}
			b.WriteString(e.Source)
		}
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "driftless: "))
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// LoadError holds every failure of one Load, so that all problems are
// reported at once. Use errors.As to reach the *FieldError of each failing
// field, or ranges over Errors.
type LoadError struct {
	Type   string  // the config type
	Errors []error // *FieldError for field failures; other errors for whole-config failures
}

// Error lists every failure, one per line.
func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "driftless: loading %s: %d problem", e.Type, len(e.Errors))
	if len(e.Errors) != 1 {
		b.WriteString("s")
	}
	for _, err := range e.Errors {
		b.WriteString("\n\t")
		b.WriteString(strings.ReplaceAll(err.Error(), "\n", "\n\t"))
	}
	return b.String()
}

// Unwrap returns the individual errors, for errors.Is and errors.As.
func (e *LoadError) Unwrap() []error { return e.Errors }

// Fields returns the field errors, in field order, including those
// grouped in a *ProviderError.
func (e *LoadError) Fields() []*FieldError {
	var out []*FieldError
	for _, err := range e.Errors {
		var pe *ProviderError
		if errors.As(err, &pe) {
			out = append(out, pe.Fields...)
			continue
		}
		var fe *FieldError
		if errors.As(err, &fe) {
			out = append(out, fe)
		}
	}
	return out
}

// ProviderError reports, once, that a provider could not serve several
// fields because it was unreachable or had no credentials (an outage, a
// missing identity), instead of repeating the same backend error for every
// field. Its Unwrap returns the *FieldError of each field.
type ProviderError struct {
	Scheme string        // the provider's scheme
	Fields []*FieldError // the fields it could not serve, in field order
	Err    error         // the first field's cause
}

// Error names the provider, the fields and the first cause.
func (e *ProviderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s failed for %d fields (", e.Scheme, len(e.Fields))
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Field)
	}
	b.WriteString("): ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "driftless: "))
	return b.String()
}

// Unwrap returns the field errors.
func (e *ProviderError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
	}
	return out
}

// ErrExpand is wrapped by the errors of ${VAR} expansion in a field tagged
// expand: references nested too deep (a cycle), too many references, or
// too many bytes added.
var ErrExpand = errors.New("driftless: cannot expand variables")

// ErrPanic is wrapped by the error reported when user code called by
// driftless panicked: a change or error hook, a Validate method or
// WithValidator function, a WithDecoder decoder, an UnmarshalText method or
// a NewHandleFunc load function. The panic is recovered and reported as a
// *PanicError; the last good config is kept.
var ErrPanic = errors.New("driftless: panic in user code")

// PanicError reports a recovered panic. It names the code that panicked
// and the type of the panic value, never the value itself nor a stack trace
// (either may hold a secret).
type PanicError struct {
	In        string // what panicked, e.g. "Validate method of *main.Config", "OnChange hook registered at main.go:42"
	ValueType string // the panic value's type, e.g. "string", "runtime.boundsError"
}

// Error names what panicked and the panic value's type.
func (e *PanicError) Error() string {
	return "panic in " + e.In + " (panic value of type " + e.ValueType + ", not shown)"
}

// Unwrap makes errors.Is(err, ErrPanic) true.
func (e *PanicError) Unwrap() error { return ErrPanic }

// ErrRateLimited is wrapped by the *RateLimitError that ForceRefresh
// returns when its context ends (or its deadline falls) before the
// WithForceRefreshLimit window since the last forced refresh has passed.
var ErrRateLimited = errors.New("driftless: forced refresh rate-limited")

// RateLimitError reports a forced refresh that could not run within the
// caller's context because of the WithForceRefreshLimit window. Nothing
// was fetched.
type RateLimitError struct {
	RetryAt time.Time // when a forced refresh may reach the backends again
	Err     error     // the context's error
}

// Error says when to retry.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("driftless: forced refresh rate-limited: retry at %s (%v)", e.RetryAt.Format(time.RFC3339Nano), e.Err)
}

// Unwrap makes errors.Is work with ErrRateLimited and with the context's
// error.
func (e *RateLimitError) Unwrap() []error { return []error{ErrRateLimited, e.Err} }

// ErrUnknownName is wrapped by the error for a name given to
// Handle.OnChangeOf or Change.Changed that is neither a field path nor a key
// of the config type.
var ErrUnknownName = errors.New("driftless: no such field or key")
