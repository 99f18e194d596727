//go:generate go run gen_secrets.go

// Package bench compares driftless with the libraries a Go service would
// otherwise pick, in one process and one run, so that every figure in the
// repository's BENCHMARKS.md can be reproduced with `make bench`.
//
// The package holds the shared shapes (one 50-field config tagged for each
// library, a 40-field config over 20 remote secrets, .env file generators)
// and small adapters that run each library the way its documentation
// shows. The tests check that every library decodes the same values before
// any of them is timed; the Benchmark functions and cmd/report, which turns
// `go test -bench` output into BENCHMARKS.md, do the measuring.
//
// # Environment
//
// Tests never change the process environment: libraries that only read the
// real environment (kelseyhightower/envconfig, viper's AutomaticEnv) are
// checked in a child process started with its own environment. Benchmarks
// that compare against the real environment set it once with b.Setenv.
//
// # Concurrency
//
// The adapters are safe for concurrent use where the library they wrap is.
package bench
