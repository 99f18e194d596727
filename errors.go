package driftless

import (
	"errors"
	"fmt"
	"strings"
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
