package faults_test

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type genInfo struct {
	Gen   int      `json:"gen"`
	Label string   `json:"label"`
	Tags  []string `json:"tags"`
}

// genConfig has several fields, of several kinds, all derived from one
// generation number written into one JSON secret.
type genConfig struct {
	Gen    int              `env:"GEN" default:"mem://gen#gen"`
	Label  string           `env:"LABEL" default:"mem://gen#label"`
	Token  driftless.Secret `env:"TOKEN" default:"mem://gen#token"`
	Hosts  []string         `env:"HOSTS" default:"mem://gen#hosts" sep:","`
	Limits map[string]int   `env:"LIMITS" default:"mem://gen#limits" sep:","`
	Info   genInfo          `env:"INFO" default:"mem://gen#info"`
	Nested struct {
		Gen int `env:"GEN" default:"mem://gen#gen"`
	} `prefix:"NESTED_"`
}

func genSecret(n int) string {
	s := strconv.Itoa(n)
	return fmt.Sprintf(`{"gen":%d,"label":"gen-%s","token":"token-%s","hosts":"a%s,b%s,c%s","limits":"x=%d,y=%d","info":{"gen":%d,"label":"info-%s","tags":["t%s","u%s"]}}`,
		n, s, s, s, s, s, n, n, n, s, s, s)
}

// consistent returns "" when every field of c belongs to generation c.Gen.
func consistent(c *genConfig) string {
	n := c.Gen
	s := strconv.Itoa(n)
	switch {
	case c.Label != "gen-"+s:
		return "Label"
	case c.Token.Value() != "token-"+s:
		return "Token"
	case len(c.Hosts) != 3 || c.Hosts[0] != "a"+s || c.Hosts[1] != "b"+s || c.Hosts[2] != "c"+s:
		return "Hosts"
	case len(c.Limits) != 2 || c.Limits["x"] != n || c.Limits["y"] != n:
		return "Limits"
	case c.Info.Gen != n || c.Info.Label != "info-"+s || len(c.Info.Tags) != 2 || c.Info.Tags[0] != "t"+s || c.Info.Tags[1] != "u"+s:
		return "Info"
	case c.Nested.Gen != n:
		return "Nested.Gen"
	}
	return ""
}

// TestConcurrentReaders is the row "1000 concurrent readers during
// repeated refreshes": every read is a complete snapshot of one generation,
// and no reader ever sees a generation older than one it saw before.
func TestConcurrentReaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		readers   int
		refreshes int
		force     bool // ForceRefresh (every secret re-fetched) or Refresh after invalidation by TTL 0
	}{
		{name: "1000 readers, 200 forced refreshes", readers: 1000, refreshes: 200, force: true},
		{name: "1000 readers, 200 scheduled refreshes", readers: 1000, refreshes: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := drifttest.NewProvider()
			p.Set("gen", genSecret(1))
			opts := []driftless.Option{driftless.WithEnv(nil), driftless.WithProvider("mem", p), driftless.WithForceRefreshLimit(0)}
			if !tc.force {
				opts = append(opts, driftless.WithRefreshInterval(1, "mem")) // due again at once: every Refresh re-fetches
			}
			h, err := driftless.NewHandle[genConfig](t.Context(), opts...)
			require.NoError(t, err)
			defer h.Close()
			require.Empty(t, consistent(h.Current()))

			var (
				done      atomic.Bool
				reads     atomic.Int64
				torn      atomic.Int64
				backwards atomic.Int64
				seenSwap  atomic.Int64 // reads that saw a newer generation than the reader's previous read
				firstBad  atomic.Value
				wg        sync.WaitGroup
				maxSeen   = make([]int, tc.readers)
			)
			start := make(chan struct{})
			for r := range tc.readers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					last := 0
					for i := 0; ; i++ {
						// At least a few reads per reader, then until the
						// writer is done, and one read after that.
						finished := done.Load()
						c := h.Current()
						reads.Add(1)
						if f := consistent(c); f != "" {
							torn.Add(1)
							firstBad.CompareAndSwap(nil, fmt.Sprintf("generation %d has a %s of another generation", c.Gen, f))
						}
						if c.Gen < last {
							backwards.Add(1)
						}
						if last != 0 && c.Gen > last {
							seenSwap.Add(1)
						}
						last = c.Gen
						if finished && i >= 2 {
							break
						}
						// Yield now and then, so the writer is not starved by 1000
						// spinning readers on a two-core machine.
						if i%16 == 15 {
							runtime.Gosched()
						}
					}
					maxSeen[r] = last
				}()
			}
			close(start)
			for n := 2; n <= tc.refreshes+1; n++ {
				p.Set("gen", genSecret(n))
				if tc.force {
					require.NoError(t, h.ForceRefresh(t.Context()))
				} else {
					require.NoError(t, h.Refresh(t.Context()))
				}
				require.Equal(t, n, h.Current().Gen, "refresh %d swapped", n)
			}
			done.Store(true)
			wg.Wait()
			t.Logf("%d reads by %d readers during %d refreshes; %d reads saw a swap happen since the reader's previous read", reads.Load(), tc.readers, tc.refreshes, seenSwap.Load())
			assert.Positive(t, seenSwap.Load(), "reads overlapped the swaps")
			assert.Zero(t, torn.Load(), "torn snapshots (first: %v)", firstBad.Load())
			assert.Zero(t, backwards.Load(), "a reader saw an older generation after a newer one")
			for r, g := range maxSeen {
				if !assert.Equalf(t, tc.refreshes+1, g, "reader %d last saw an older generation after the writer finished", r) {
					break
				}
			}
		})
	}
}
