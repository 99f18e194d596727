package driftless

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/driftless/driftless/driver"
)

// Every sentinel and every error type of the package is in this file.

// Sentinel errors of providers. Providers tag the errors they return with
// these, wrapping the backend's own error in the same step so that both
// errors.Is and errors.As work:
//
//	return Value{}, fmt.Errorf("%w: %w", driftless.ErrNotFound, sdkErr)
var (
	// ErrNotFound means the backend answered and the secret, version or key does
	// not exist. It is the only error that lets a key-value source fall through to
	// the next source in the chain.
	ErrNotFound = driver.ErrNotFound
	// ErrPermission means the backend refused the caller (denied, forbidden,
	// unauthenticated).
	ErrPermission = driver.ErrPermission
	// ErrUnavailable means the backend could not be reached or answered with a
	// transient failure (network, throttling after retries, sealed, 5xx).
	ErrUnavailable = driver.ErrUnavailable
	// ErrNoCredentials means the provider found no credentials to call its
	// backend with (no AWS credential chain, no Google ADC, no Azure identity,
	// no Vault token): a deployment mistake to fix, not an outage to wait out.
	// Providers wrap it together with the SDK's error.
	ErrNoCredentials = driver.ErrNoCredentials
	// ErrInvalidRef means a reference is malformed or names something the
	// provider cannot serve.
	ErrInvalidRef = driver.ErrInvalidRef
	// ErrNoProvider means a reference uses a scheme no provider is registered for.
	ErrNoProvider = errors.New("driftless: no provider for scheme")
)

// ErrBadTag is wrapped by every TagError.
var ErrBadTag = errors.New("driftless: bad struct tag")

// ErrRequired is wrapped by the error for a required field that no source set
// (or set to an empty value).
var ErrRequired = errors.New("driftless: required value missing")

// ErrDecode is wrapped by errors for values that do not decode into their
// field's type.
var ErrDecode = errors.New("driftless: cannot decode value")

// ErrUnknownScheme is wrapped by the error for a value that looks like a
// reference whose scheme no provider serves: a misspelt scheme
// ("awsm://"), or any unknown scheme in a secret field or a field tagged
// ref:"true". Such a value is never loaded as a literal string.
var ErrUnknownScheme = errors.New("driftless: unknown reference scheme")

// ErrNotAllowed is wrapped by the error for a reference or a file that the
// allow-lists (WithAllowedRefs, WithFileRoots) do not admit, and for a
// relative NAME_FILE path that leaves its .env file's directory.
var ErrNotAllowed = errors.New("driftless: not allowed")

// ErrExpand is wrapped by the errors of ${VAR} expansion in a field tagged
// expand: references nested too deep (a cycle), too many references, or
// too many bytes added.
var ErrExpand = errors.New("driftless: cannot expand variables")

// ErrValidation is wrapped by errors from validation hooks.
var ErrValidation = errors.New("driftless: validation failed")

// ErrPanic is wrapped by the error reported when user code called by
// driftless panicked: a change or error hook, a Validate method or
// WithValidator function, a WithDecoder decoder, an UnmarshalText method or
// a NewHandleFunc load function. The panic is recovered and reported as a
// *PanicError; the last good config is kept.
var ErrPanic = errors.New("driftless: panic in user code")

// ErrUnknownName is wrapped by the error for a name given to
// Handle.OnChangeOf or Change.Changed that is neither a field path nor a key
// of the config type.
var ErrUnknownName = errors.New("driftless: no such field or key")

// ErrHandleClosed is returned by a Handle's methods after Close, and by
// those of a zero Handle (one not made by NewHandle or NewHandleFunc).
var ErrHandleClosed = errors.New("driftless: handle closed")

// errZeroHandle is what the methods of a zero Handle return.
var errZeroHandle = fmt.Errorf("%w: a zero Handle has no config; make one with NewHandle or NewHandleFunc", ErrHandleClosed)

// ErrRateLimited is wrapped by the *RateLimitError that ForceRefresh
// returns when its context ends (or its deadline falls) before the
// WithForceRefreshLimit window since the last forced refresh has passed.
var ErrRateLimited = errors.New("driftless: forced refresh rate-limited")

// ErrSnapshot is wrapped by every *SnapshotError: the snapshot of
// WithSnapshot was refused or could not be written.
var ErrSnapshot = errors.New("driftless: snapshot")

// SnapshotError reports a snapshot (WithSnapshot) that was refused
// (corrupt, expired, written for another config type or set of
// references, sealed with another key, readable by other users) or could
// not be written. It never holds a value.
type SnapshotError struct {
	Path   string // the snapshot file
	Reason string // why, e.g. "sealed with another key than the key file /run/keys/snap"
	Err    error  // the underlying error, if any (an I/O error)
}

// Error names the file and the reason.
func (e *SnapshotError) Error() string {
	msg := "driftless: snapshot " + e.Path + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + strings.TrimPrefix(e.Err.Error(), "driftless: ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrSnapshot) true, and reaches the
// underlying error.
func (e *SnapshotError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSnapshot, e.Err}
	}
	return []error{ErrSnapshot}
}

// ErrUnknownKey is wrapped by the *ConfigFileError of a key in a config
// file that names no field of the config struct.
var ErrUnknownKey = errors.New("driftless: unknown key")

// ConfigFileError is a problem with a config file (WithConfigFiles): a
// file that is missing or does not parse, a key that names no field or is
// given twice, a value of the wrong shape for its group. It names the
// file, the line and column and the key's path as written, never a value.
type ConfigFileError struct {
	File   string
	Line   int    // 1-based; 0 when the problem is the whole file
	Column int    // 1-based; 0 when unknown
	Key    string // the key's dotted path in the file ("db.pasword"); "" for the whole file
	Err    error  // the cause: fs.ErrNotExist, ErrUnknownKey, ...
}

// Error returns "driftless: config.yaml:12:3: key db.pasword: cause".
func (e *ConfigFileError) Error() string {
	var b strings.Builder
	b.WriteString("driftless: config file ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Key != "" {
		b.WriteString(": key ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "driftless: "))
	return b.String()
}

// Unwrap returns the cause.
func (e *ConfigFileError) Unwrap() error { return e.Err }

// TagError reports a struct tag that cannot be used. Tags are checked before
// any source is read.
type TagError struct {
	Type   string // the struct type
	Field  string // field path, e.g. "DB.Password"
	Reason string
}

// Error names the type, the field and what is wrong with its tag.
func (e *TagError) Error() string {
	return fmt.Sprintf("driftless: bad tag on %s.%s: %s", e.Type, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBadTag) true.
func (e *TagError) Unwrap() error { return ErrBadTag }

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
// reported at once. Use Fields to reach the *FieldError of every failing
// field, or range over Errors. Load, Explain and NewHandle return one for
// bad struct tags too, with a *TagError per bad tag, before any source is
// read.
type LoadError struct {
	Type string // the config type
	// Errors holds a *FieldError per failing field (several fields that
	// one provider could not serve are grouped in a *ProviderError), a
	// *TagError per bad tag, and other errors for whole-config failures.
	Errors []error
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

// Fields returns every *FieldError among Errors, in order: alone, wrapped,
// joined, or grouped in a *ProviderError.
func (e *LoadError) Fields() []*FieldError {
	var out []*FieldError
	for _, err := range e.Errors {
		out = appendFieldErrors(out, err)
	}
	return out
}

// appendFieldErrors appends to out each *FieldError in the tree of err,
// without looking inside a *FieldError.
func appendFieldErrors(out []*FieldError, err error) []*FieldError {
	switch x := err.(type) {
	case *FieldError:
		return append(out, x)
	case interface{ Unwrap() []error }:
		for _, e := range x.Unwrap() {
			out = appendFieldErrors(out, e)
		}
	case interface{ Unwrap() error }:
		out = appendFieldErrors(out, x.Unwrap())
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

// decodeError describes why a value did not decode, without the value.
type decodeError struct {
	typ    reflect.Type
	reason string
	err    error // underlying error, scrubbed of the value
}

func (e *decodeError) Error() string {
	if e.typ == nil {
		return "cannot decode: " + e.reason
	}
	msg := fmt.Sprintf("cannot decode as %s: %s", e.typ, e.reason)
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	return msg
}

func (e *decodeError) Unwrap() []error {
	if e.err != nil {
		return []error{ErrDecode, e.err}
	}
	return []error{ErrDecode}
}

// scrubbed wraps an error from code we do not control (a TextUnmarshaler, a
// registered decoder) so that its message cannot show the value (see
// scrub). It does not expose the original error through Unwrap or As
// (error reporters that walk the chain, and errors.As into a type such as
// *time.ParseError, would reach the value); errors.Is still sees sentinels
// through the Is method.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *scrubbed) Is(target error) bool { return errors.Is(e.err, target) }

// ErrRejected is wrapped by the error of a candidate config that a Gate
// refused (see GateError).
var ErrRejected = errors.New("driftless: candidate rejected by gate")

// GateError reports a candidate config refused by a Gate: the gate
// returned an error, panicked (Err wraps ErrPanic) or did not answer
// within WithGateTimeout (Err wraps context.DeadlineExceeded). Err's
// message is withheld when it shows the value of a secret field.
type GateError struct {
	In  string // "Gate registered at main.go:42"
	Err error
}

// Error names the gate and gives its reason.
func (e *GateError) Error() string {
	return ErrRejected.Error() + " (" + e.In + "): " + e.Err.Error()
}

// Unwrap makes errors.Is(err, ErrRejected) true, and reaches Err.
func (e *GateError) Unwrap() []error { return []error{ErrRejected, e.Err} }
