// Package drifttest helps unit-test services that use driftless without
// touching the real environment, the file system or a cloud account.
//
//   - Provider is an in-memory secrets backend with versions, leases,
//     injectable latency and failures, and call counters; register it with
//     driftless.WithProvider under any scheme. Provider.Batching adds a
//     batch call.
//   - Load fills a config struct for a test from a map (the whole process
//     environment) and options, and fails the test on error; LoadErr
//     returns the error instead, for tests of failures. EnvFile adds a
//     .env file written from a string.
//   - NewHandle returns a TestHandle: a real *driftless.Handle[T] holding a
//     config the test gives, for code that takes a Handle. Set swaps in a
//     new config and runs the change hooks (a rotation); Fail makes
//     refreshes fail (an outage: error hooks called, last good config
//     kept).
//
// Nothing here reads or changes the process environment, so tests using it
// can run in parallel.
package drifttest
