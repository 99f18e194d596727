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
RESULT size name=root imports=driftless bytes=4346217 stripped=2953481
`

func TestParseAndWrite(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	ns, ok := res.get("BenchmarkDecode50/map/driftless", "ns/op")
	require.True(t, ok)
	assert.Equal(t, 21000.0, ns, "median of three")
	assert.Equal(t, []string{"driftless", "sethvargo-go-envconfig"}, res.group("BenchmarkDecode50/map"))
	require.Len(t, res.extra["fleet"], 1)
	assert.Equal(t, "1.155", res.extra["fleet"][0]["peak_to_mean"])

	var b strings.Builder
	write(&b, res, meta{command: "make bench", goVersion: "go1.26", count: 3, cpu: "test cpu", ncpu: 2})
	out := b.String()
	assert.Contains(t, out, "| sethvargo-go-envconfig | 18.0 µs | 12 | 2.2 KiB | 0.86× |")
	assert.Contains(t, out, "| go-envconfig-sequential | 873.3 ms | 40 | 40.0× |")
	assert.Contains(t, out, "decode (map env) vs sethvargo-go-envconfig: 0.86×")
	assert.Contains(t, out, "| 0 | 240000 | 66.67 | 77 | 1.155 |")
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
