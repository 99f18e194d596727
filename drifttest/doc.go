// Package drifttest helps unit-test services that use driftless without
// touching the real environment, the file system or a cloud account.
//
//   - Provider is an in-memory secrets backend with versions, injectable
//     latency and failures, and call counters; register it with
//     driftless.WithProvider under any scheme.
//   - Env builds the options for a test: the environment as a map, .env
//     content as a string, and providers.
//   - Load and MustLoad fill a config struct for a test in one call.
//
// Nothing here reads or changes the process environment, so tests using it
// can run in parallel.
package drifttest
