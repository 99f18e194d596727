package bench

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fleetRuns = flag.Int("fleet", 0, "run the full fleet simulation (1000 replicas, one hour) this many times and print RESULT lines")

// twenty is a config of 20 secrets.
type twenty struct {
	F00 string `env:"F00"`
	F01 string `env:"F01"`
	F02 string `env:"F02"`
	F03 string `env:"F03"`
	F04 string `env:"F04"`
	F05 string `env:"F05"`
	F06 string `env:"F06"`
	F07 string `env:"F07"`
	F08 string `env:"F08"`
	F09 string `env:"F09"`
	F10 string `env:"F10"`
	F11 string `env:"F11"`
	F12 string `env:"F12"`
	F13 string `env:"F13"`
	F14 string `env:"F14"`
	F15 string `env:"F15"`
	F16 string `env:"F16"`
	F17 string `env:"F17"`
	F18 string `env:"F18"`
	F19 string `env:"F19"`
}

func twentyEnv(scheme string) map[string]string {
	env := map[string]string{}
	for i := range 20 {
		env[fmt.Sprintf("F%02d", i)] = scheme + "://" + RemoteSecretName(i)
	}
	return env
}

// countingProvider counts fetches per second of (fake) time since start.
type countingProvider struct {
	mu        sync.Mutex
	start     time.Time
	perSecond map[int64]int
}

func (c *countingProvider) Fetch(_ context.Context, _ driver.Ref) (driver.Value, error) {
	c.mu.Lock()
	c.perSecond[int64(time.Since(c.start)/time.Second)]++
	c.mu.Unlock()
	return driver.Value{Data: []byte("v"), Version: "1"}, nil
}

type fleetResult struct {
	callsPerHour float64 // after the first interval
	mean, peak   float64 // calls per second after the first interval
}

// simulateFleet starts replicas Handles of 20 secrets with the interval,
// all at the same fake instant, runs them for horizon of fake time and
// counts the provider's calls. It must run inside a synctest bubble.
func simulateFleet(t *testing.T, replicas int, interval, horizon time.Duration) fleetResult {
	counter := &countingProvider{start: time.Now(), perSecond: map[int64]int{}}
	env := twentyEnv("count")
	var handles []*driftless.Handle[twenty]
	for range replicas {
		h, err := driftless.NewHandle[twenty](t.Context(), driftless.WithEnv(env),
			driftless.WithProvider("count", counter), driftless.WithRefreshInterval(interval))
		require.NoError(t, err)
		require.NoError(t, h.Start(t.Context()))
		handles = append(handles, h)
	}
	time.Sleep(horizon)
	synctest.Wait()
	for _, h := range handles {
		require.NoError(t, h.Close())
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	var counts []int
	total := 0
	for s := int64(interval / time.Second); s < int64(horizon/time.Second); s++ {
		counts = append(counts, counter.perSecond[s])
		total += counter.perSecond[s]
	}
	peak := slices.Max(counts)
	mean := float64(total) / float64(len(counts))
	return fleetResult{
		callsPerHour: float64(total) * float64(time.Hour) / float64(horizon-interval),
		mean:         mean,
		peak:         float64(peak),
	}
}

// TestFleetRefresh runs a small fleet for three intervals and checks the
// refresh traffic: one call per secret per interval. With -fleet=N it runs
// the simulation of BENCHMARKS.md (100 to 10,000 replicas of 20 secrets, a
// 5-minute interval, 20 minutes of fake time of which the last 15 are
// counted; -quick: 100 and 1,000 replicas) N times and prints RESULT lines
// for cmd/report.
func TestFleetRefresh(t *testing.T) {
	const secrets, interval = 20, 5 * time.Minute
	if *fleetRuns == 0 {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			const replicas = 50
			r := simulateFleet(t, replicas, interval, 3*interval)
			assert.InDelta(t, float64(replicas*secrets)*12, r.callsPerHour, float64(replicas*secrets)*6,
				"about one call per secret per interval")
		})
		return
	}
	replicas := []int{100, 300, 1000, 3000, 10000}
	if *quick {
		replicas = []int{100, 1000}
	}
	for run := range *fleetRuns {
		for _, n := range replicas {
			synctest.Test(t, func(t *testing.T) {
				r := simulateFleet(t, n, interval, 4*interval)
				fmt.Printf("RESULT fleet run=%d replicas=%d secrets=%d interval=5m calls_per_hour=%.0f mean_per_s=%.2f peak_per_s=%.0f peak_to_mean=%.3f\n",
					run, n, secrets, r.callsPerHour, r.mean, r.peak, r.peak/r.mean)
			})
		}
	}
}

// BenchmarkHeldHeap measures the heap that a loaded Handle holds with 20
// secrets cached (40 fields reading two keys of each), after a GC, and
// the same for the 50-field env-only config. Reported as heap-bytes.
func BenchmarkHeldHeap(b *testing.B) {
	mem := drifttest.NewProvider()
	for i := range RemoteSecrets {
		mem.Set(RemoteSecretName(i), RemoteSecretValue(i))
	}
	env := map[string]string{}
	for k, v := range RemoteEnv() {
		_, ref, _ := splitRefAny(v)
		env[k] = "mem://" + ref
	}
	for _, bc := range []struct {
		name string
		load func() (any, error)
	}{
		{"driftless-handle-20-secrets", func() (any, error) {
			return driftless.NewHandle[Forty](b.Context(), driftless.WithEnv(env), driftless.WithProvider("mem", mem))
		}},
		{"driftless-handle-50-env-fields", func() (any, error) {
			return driftless.NewHandle[Fifty](b.Context(), driftless.WithEnv(FiftyEnv))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := bc.load(); err != nil { // warm the per-type tag cache
				b.Fatal(err)
			}
			var sum float64
			for b.Loop() {
				held, err := heldBy(bc.load)
				if err != nil {
					b.Fatal(err)
				}
				sum += float64(held)
			}
			b.ReportMetric(sum/float64(b.N), "heap-bytes")
		})
	}
}

// splitRefAny returns the part of "scheme://rest" after the scheme.
func splitRefAny(v string) (scheme, rest string, ok bool) {
	for i := 0; i+3 <= len(v); i++ {
		if v[i:i+3] == "://" {
			return v[:i], v[i+3:], true
		}
	}
	return "", "", false
}

// heldBy returns how many heap bytes the value that load returns keeps
// alive after a GC.
func heldBy(load func() (any, error)) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v, err := load()
	if err != nil {
		return 0, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0, nil
	}
	return after.HeapAlloc - before.HeapAlloc, nil
}

// TestHeldBy checks the measurement on a value of known size.
func TestHeldBy(t *testing.T) {
	n, err := heldBy(func() (any, error) { return make([]byte, 1<<20), nil })
	require.NoError(t, err)
	assert.InDelta(t, 1<<20, float64(n), 64<<10)
}

var quick = flag.Bool("quick", false, "measure fewer points of each curve (make bench QUICK=1)")
