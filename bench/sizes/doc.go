//go:build sizes

// Package sizes holds hello-world programs whose binary sizes
// BENCHMARKS.md compares: the standard library alone, the root module
// alone, and the root module with each provider. They build only with
// -tags sizes (bench/run.sh does), so that `make test` does not compile
// every cloud SDK again.
package sizes
