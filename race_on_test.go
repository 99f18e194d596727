//go:build race

package driftless_test

// raceEnabled is true when the tests run with -race, where long
// simulations run over a shorter horizon.
const raceEnabled = true
