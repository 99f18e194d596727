package driftless

import "math/rand/v2"

// SeedPhases makes the refresh phases of loaders created afterwards
// deterministic, for simulations.
func SeedPhases(seed uint64) (restore func()) {
	r := rand.New(rand.NewPCG(seed, seed))
	old := phaseRand
	phaseRand = r.Float64
	return func() { phaseRand = old }
}
