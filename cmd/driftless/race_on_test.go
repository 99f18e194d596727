//go:build race

package main_test

// raceEnabled makes TestMain build the binary under test with -race too.
const raceEnabled = true
