package driver

import (
	"context"
	"time"
)

// Value is one version of a secret as a provider returned it.
type Value struct {
	// Data is the secret's bytes, exactly as stored (text or binary).
	Data []byte
	// Version identifies the version served (a version id, a version number);
	// empty when the backend has no versions. A refresh compares it to tell that
	// a secret rotated.
	Version string
	// Created is when this version was created, zero if unknown.
	Created time.Time
	// Expires is when the value stops being valid (a Vault lease, a Key Vault
	// exp attribute), zero if never. The cache refreshes before it.
	Expires time.Time
}

// Provider fetches secret values from one backend.
//
// A Provider must be safe for concurrent use by multiple goroutines.
type Provider interface {
	// Fetch returns the value that ref names. Only ref.Name and ref.Query are
	// meaningful to the provider; ref.Key is applied by driftless afterwards.
	//
	// Fetch honours ctx: when ctx is cancelled or its deadline passes, Fetch
	// returns promptly with an error that wraps ctx.Err().
	//
	// A secret (or version) that does not exist yields an error wrapping
	// ErrNotFound; any other failure yields an error that does not wrap
	// ErrNotFound. A secret that exists but cannot be served (disabled,
	// destroyed, scheduled for deletion, expired, not yet valid, denied) is
	// not "not found": it yields an error wrapping ErrPermission, so that a
	// key-value source never silently falls through to a lower source. A secret that exists with an empty value yields a Value with
	// empty Data and a nil error: empty is not missing.
	//
	// The returned error names the secret and never contains any part of a
	// secret value. The returned Data is owned by the caller; the provider must
	// not modify it afterwards.
	Fetch(ctx context.Context, ref Ref) (Value, error)
}

// Result is the outcome of fetching one reference in a batch.
type Result struct {
	Value Value
	Err   error
}

// BatchFetcher is implemented by providers whose backend can fetch several
// secrets in one call (AWS BatchGetSecretValue).
type BatchFetcher interface {
	// FetchBatch fetches refs and returns one Result per ref, in the same order,
	// with the same meaning as Fetch for each. It returns a non-nil error only
	// when the whole batch failed (each Result's Err is then ignored). It
	// honours ctx as Fetch does. The provider may split refs into as many
	// backend calls as its limits require.
	FetchBatch(ctx context.Context, refs []Ref) ([]Result, error)
}

// PreviousFetcher is implemented by providers that can fetch the version
// before the current one (AWSPREVIOUS, the previous KV version). It feeds
// the Rotating field type.
type PreviousFetcher interface {
	// FetchPrevious returns the version that preceded the current version of
	// ref's secret. When there is none it returns an error wrapping
	// ErrNotFound. It honours ctx as Fetch does.
	FetchPrevious(ctx context.Context, ref Ref) (Value, error)
}

// Watcher is implemented by providers that learn about changes without
// polling (mounted files).
type Watcher interface {
	// Watch reports, by calling changed, each ref of refs whose value may have
	// changed. It blocks until ctx is done and then returns ctx.Err(), or
	// returns early with an error if watching failed. changed may be called
	// from any goroutine but never concurrently with itself; it must not block
	// for long.
	Watch(ctx context.Context, refs []Ref, changed func(Ref)) error
}

// Closer is implemented by providers that hold resources (connections,
// goroutines). Close waits for the provider's background work to stop;
// Fetch after Close returns an error wrapping ErrClosed. Close is safe to
// call more than once.
type Closer interface {
	Close() error
}

// KeySource lets a secrets manager act as a key-value source in the chain:
// it maps a config key (the field's env key, prefix included) to the secret
// that holds it, so OPENAI_API_KEY can be found without writing a reference.
// driftless fetches the returned Ref with the provider registered for its
// scheme; a fetch that fails with ErrNotFound falls through to the next
// source (the default tag). Provider modules offer constructors for these
// (a name prefix, an explicit mapping).
type KeySource interface {
	// RefFor returns the reference that holds key, or false when this source
	// has no mapping for key. It must be cheap and must not do I/O.
	RefFor(key string) (Ref, bool)
}

// KeySourceFunc adapts a function to KeySource.
type KeySourceFunc func(key string) (Ref, bool)

// RefFor calls f(key).
func (f KeySourceFunc) RefFor(key string) (Ref, bool) { return f(key) }

// Renewer is implemented by providers whose values carry leases that can be
// extended without new credentials (Vault's renewable leases).
type Renewer interface {
	// Renew extends the lease of v, a value that Fetch returned for ref, and
	// returns v with its new Expires. When the lease cannot be extended, or
	// not by enough (near its max TTL), it returns an error wrapping
	// ErrNotRenewable, and driftless fetches anew. It honours ctx as Fetch
	// does and never puts a value in an error.
	Renew(ctx context.Context, ref Ref, v Value) (Value, error)
}

// RefChecker is implemented by providers that validate their own reference
// grammar (which names, versions and query parameters they accept). The
// loader calls CheckRef for every reference of a config when it plans the
// load, before anything is fetched, so that a malformed reference fails
// with the field that holds it and no backend call.
type RefChecker interface {
	// CheckRef returns nil when the provider can serve ref, or an error
	// wrapping ErrInvalidRef (a *RefError) that says what is wrong without
	// quoting the reference's text beyond its scheme. It must be cheap and
	// must not do I/O.
	CheckRef(ref Ref) error
}
