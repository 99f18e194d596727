// Command report turns the output of bench/run.sh (go test -bench lines,
// repeated with -count, and RESULT lines) into BENCHMARKS.md: medians of
// every metric, and each alternative's ratio to driftless measured in the
// same run.
//
// Usage:
//
//	go run ./cmd/report -in raw.txt -out ../BENCHMARKS.md -command "make bench" -go "$(go version)" -count 5
package main
