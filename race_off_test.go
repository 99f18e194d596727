//go:build !race

package driftless_test

const raceEnabled = false
