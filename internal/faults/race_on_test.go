//go:build race

package faults_test

// raceEnabled makes TestMain build the CLI with -race too, so that it reuses
// the packages that go test -race compiled (for cmd/driftless's own tests).
const raceEnabled = true
