package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
BenchmarkDecode50/map/driftless-2         	   53976	     21000 ns/op	   12768 B/op	      17 allocs/op
BenchmarkDecode50/map/driftless-2         	   53976	     20000 ns/op	   12768 B/op	      17 allocs/op
BenchmarkDecode50/map/driftless-2         	   53976	     90000 ns/op	   12768 B/op	      17 allocs/op
BenchmarkDecode50/map/sethvargo-go-envconfig-2 	   70376	     18000 ns/op	    2216 B/op	      12 allocs/op
BenchmarkColdStart/driftless-batch-2      	      10	  21806041 ns/op	         1.000 calls/op
BenchmarkColdStart/go-envconfig-sequential-2 	      10	 873282945 ns/op	        40.00 calls/op
RESULT fleet run=0 replicas=1000 calls_per_hour=240000 mean_per_s=66.67 peak_per_s=77 peak_to_mean=1.155
RESULT fleet run=0 replicas=100 calls_per_hour=24000 mean_per_s=6.67 peak_per_s=9 peak_to_mean=1.350
BenchmarkLoadCurve/fields=10/driftless-2 	 100	 1000 ns/op	 100 B/op	 10 allocs/op
BenchmarkLoadCurve/fields=1000/driftless-2 	 100	 100000 ns/op	 100 B/op	 10 allocs/op
BenchmarkLoadCurve/fields=10/viper-2 	 100	 5000 ns/op	 100 B/op	 90 allocs/op
BenchmarkLoadCurve/fields=1000/viper-2 	 100	 5000000 ns/op	 100 B/op	 9000 allocs/op
BenchmarkColdStartCurve/driftless-awssm-batch/secrets=20-2 	 2	 21000000 ns/op	 1.000 requests/op
BenchmarkColdStartCurve/driftless-awssm-batch/secrets=1000-2 	 2	 42000000 ns/op	 50.00 requests/op
RESULT refresh run=0 approach=caching-go secrets=1000 calls_per_hour=15535 cpu_ms_per_hour=31.4
RESULT refresh run=0 approach=driftless-awssm-batch secrets=1000 calls_per_hour=600 cpu_ms_per_hour=78.9
BenchmarkHeldHeapCurve/driftless-handle/secrets=10-2 	 5	 1869985 ns/op	 1144 heap-bytes-per-secret
RESULT size name=root imports=driftless bytes=4346217 stripped=2953481
`

func TestParseAndWrite(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	ns, ok := res.get("BenchmarkDecode50/map/driftless", "ns/op")
	require.True(t, ok)
	assert.Equal(t, 21000.0, ns, "median of three")
	assert.Equal(t, []string{"driftless", "sethvargo-go-envconfig"}, res.group("BenchmarkDecode50/map"))
	require.Len(t, res.extra["fleet"], 2)
	assert.Equal(t, "1.155", res.extra["fleet"][0]["peak_to_mean"])

	var b strings.Builder
	plots := write(&b, res, meta{command: "make bench", goVersion: "go1.26", count: 3, cpu: "test cpu", ncpu: 2, plotRef: "bench/plots/"})
	out := b.String()
	for _, name := range []string{"load-time.svg", "load-allocs.svg", "coldstart.svg", "refresh-calls.svg", "refresh-cpu.svg", "fleet.svg", "heap-per-secret.svg"} {
		require.Contains(t, plots, name)
		assert.Contains(t, out, "(bench/plots/"+name+")")
		assert.Contains(t, plots[name], "<circle", name)
	}
	assert.Contains(t, out, "| viper | 5.0 µs (5.00×) | 5.0 ms (50.00×) |")
	assert.Contains(t, out, "- viper: slope 1.50 from 10 to 1,000 fields", "time grows from 5 µs to 5 ms over 100× the fields")
	assert.Contains(t, out, "| 1,000 | 42.0 ms, 50 |")
	assert.Contains(t, out, "- driftless-awssm-batch: 1.1 round trips at 20 secret(s), 2.1 at 1,000; steps 20→1,000 (+1.1).")
	assert.Contains(t, out, "| 1,000 | 600 req, 78.9 ms | 15535 req, 31.4 ms |")
	assert.Contains(t, out, "refresh CPU at 1,000 secrets vs caching-go")
	assert.Contains(t, out, "| 10 | 1.1 KiB |")
	assert.Contains(t, out, "| sethvargo-go-envconfig | 18.0 µs | 12 | 2.2 KiB | 0.86× |")
	assert.Contains(t, out, "| go-envconfig-sequential | 873.3 ms | 40 | 40.0× |")
	assert.Contains(t, out, "decode (map env) vs sethvargo-go-envconfig: 0.86×")
	assert.Contains(t, out, "| 1,000 | 240000 | 66.67 | 77 | 1.155 |")
	assert.Contains(t, out, "peak ÷ mean stays near 1 (1.16 to 1.35 here)")
	assert.Contains(t, out, "| root | driftless | 4.1 MiB | 2.8 MiB |")
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		assert.Equal(t, tc.want, median(tc.in))
	}
}

func TestAxisTicks(t *testing.T) {
	log := axis{log: true, min: 1, max: 1000, lo: 0, hi: 300}
	assert.Equal(t, []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}, log.ticks())
	assert.InDelta(t, 100, log.pos(10), 1e-9)
	lin := axis{min: 0, max: 2000, lo: 0, hi: 100}
	assert.Equal(t, []float64{0, 500, 1000, 1500, 2000}, lin.ticks())
	lo, hi := bounds([]float64{3, 4200}, true, false)
	assert.Equal(t, [2]float64{1, 10000}, [2]float64{lo, hi})
	assert.Equal(t, "10,000", grouped(10000))
	assert.InDelta(t, 2, slope(10, 1, 100, 100), 1e-9)
}
