// Package driver is what a driftless provider implements, as
// database/sql/driver is to database/sql: applications use package
// driftless, and a provider (a secrets manager, a file system, a fake for
// tests) implements the interfaces here.
//
// # What to implement
//
// A provider implements Provider: one Fetch method that returns a Value for
// a Ref. Everything else is optional, found by type assertion:
//
//   - RefChecker: validate the provider's own reference grammar when the
//     config is planned, before anything is fetched;
//   - BatchFetcher: fetch several references in one backend call;
//   - PreviousFetcher: fetch the version before the current one (for
//     driftless.Rotating);
//   - Renewer: extend a lease the backend reported in Value.Expires;
//   - Watcher: report changes without polling;
//   - Closer: release connections and goroutines.
//
// A provider module can also offer KeySource constructors, so that a
// secrets manager is consulted by config key without a reference.
//
// # Errors
//
// Tag every error with one of the sentinels, wrapping the backend's own
// error in the same step so that errors.Is and errors.As both work:
//
//	return driver.Value{}, fmt.Errorf("%w: %w", driver.ErrNotFound, sdkErr)
//
// Only a secret (or version, or key) that does not exist is ErrNotFound: it
// is the only error that lets a key-value source fall through to the next
// source. A secret that exists but cannot be served (disabled, destroyed,
// expired, denied) is ErrPermission; no credentials at all is
// ErrNoCredentials; an unreachable or throttling backend is ErrUnavailable;
// a malformed reference is ErrInvalidRef (a *RefError). No error ever holds
// any part of a secret value.
//
// # Conformance
//
// Package providertest runs one test per sentence of these contracts
// against a provider and the backend it talks to: run it in your
// provider's tests.
package driver
