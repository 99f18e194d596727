// Command report turns the output of bench/run.sh (go test -bench lines,
// repeated with -count, and RESULT lines) into BENCHMARKS.md and the SVG
// plots it links to: medians of every metric, each alternative's ratio to
// driftless measured in the same run, and curves against config size,
// secret count and fleet size with the slopes that show their complexity.
// The plots are drawn with the standard library only.
//
// Usage:
//
//	go run ./cmd/report -in raw.txt -out ../BENCHMARKS.md -plots plots -plotref bench/plots/ \
//		-command "make bench" -go "$(go version)" -count 5
package main
