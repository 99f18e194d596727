// Package resolve fetches the secrets that references name, for the CLI.
//
// A Resolver creates each provider lazily, the first time a reference with
// its scheme is resolved, so that a command that only uses awssm:// never
// touches the Azure or Google configuration. References are de-duplicated
// by secret (ten keys of one JSON secret cost one fetch), grouped by
// scheme, and fetched concurrently, in batches where the provider has a
// batch call.
//
// # Errors
//
// Every failing reference gets its own error, which names the reference
// and never holds any part of a value.
//
// # Concurrency
//
// A Resolver is safe for concurrent use.
package resolve
