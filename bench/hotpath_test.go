package bench

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	koanfenv "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
	"github.com/nil-go/konf"
	konfenv "github.com/nil-go/konf/provider/env"
	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hotReader is one way to read a config value on a request's path.
type hotReader struct {
	name  string
	setup func(tb testing.TB) func() string // returns the read of DB_HOST
}

var hotReaders = []hotReader{
	{"driftless-current", func(tb testing.TB) func() string {
		h, err := driftless.NewHandle[Fifty](tb.Context(), driftless.WithEnv(FiftyEnv))
		require.NoError(tb, err)
		return func() string { return h.Current().DBHost }
	}},
	{"viper-getstring", func(tb testing.TB) func() string {
		v := viper.New()
		// viper reads the process environment on every Get: the benchmark
		// sets it; the test gives the same value through Set instead.
		if b, ok := tb.(*testing.B); ok {
			b.Setenv("DB_HOST", FiftyEnv["DB_HOST"])
			v.AutomaticEnv()
			require.NoError(tb, v.BindEnv("DB_HOST"))
		} else {
			v.Set("db_host", FiftyEnv["DB_HOST"])
		}
		return func() string { return v.GetString("db_host") }
	}},
	{"koanf-string", func(tb testing.TB) func() string {
		environ := make([]string, 0, len(FiftyEnv))
		for k, v := range FiftyEnv {
			environ = append(environ, k+"="+v)
		}
		k := koanf.New(".")
		require.NoError(tb, k.Load(koanfenv.Provider(".", koanfenv.Opt{EnvironFunc: func() []string { return environ }}), nil))
		return func() string { return k.String("DB_HOST") }
	}},
	{"konf-unmarshal", func(tb testing.TB) func() string {
		// konf's env provider reads only the process environment: the
		// benchmark sets it; the test loads the same key from a map.
		c := konf.New()
		if b, ok := tb.(*testing.B); ok {
			b.Setenv("DB_HOST", FiftyEnv["DB_HOST"])
			require.NoError(tb, c.Load(konfenv.New(konfenv.WithNameSplitter(konfFlat))))
		} else {
			require.NoError(tb, c.Load(konfMap{"DB_HOST": FiftyEnv["DB_HOST"]}))
		}
		return func() string {
			var s string
			if err := c.Unmarshal("DB_HOST", &s); err != nil {
				panic(err)
			}
			return s
		}
	}},
	{"caching-go-hit", func(tb testing.TB) func() string {
		srv := remoteServer(tb)
		c := NewSecretCache(srv.Client(), time.Hour)
		ctx := tb.Context()
		_, err := c.GetSecretStringWithContext(ctx, RemoteSecretName(0))
		require.NoError(tb, err)
		return func() string {
			s, err := c.GetSecretStringWithContext(ctx, RemoteSecretName(0))
			if err != nil {
				panic(err)
			}
			return s
		}
	}},
}

// TestHotReaders checks that every reader returns the expected value.
func TestHotReaders(t *testing.T) {
	t.Parallel()
	for _, r := range hotReaders {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			want := FiftyEnv["DB_HOST"]
			if r.name == "caching-go-hit" {
				want = RemoteSecretValue(0)
			}
			assert.Equal(t, want, r.setup(t)())
		})
	}
}

// konfMap is a konf.Loader over a fixed map: the test's stand-in for
// konf's env provider, which reads only the process environment.
type konfMap map[string]any

func (m konfMap) Load() (map[string]any, error) { return m, nil }

var sink int

// BenchmarkHotRead reads one value the way a request handler would, from
// one goroutine (serial) and from all of them at once (parallel).
func BenchmarkHotRead(b *testing.B) {
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			for _, r := range hotReaders {
				b.Run(r.name, func(b *testing.B) {
					read := r.setup(b)
					b.ReportAllocs()
					if mode == "serial" {
						n := 0
						for b.Loop() {
							n += len(read())
						}
						sink = n
						return
					}
					var mu sync.Mutex
					b.RunParallel(func(pb *testing.PB) {
						n := 0
						for pb.Next() {
							n += len(read())
						}
						mu.Lock()
						sink += n
						mu.Unlock()
					})
				})
			}
		})
	}
}

// latencies is a log-linear histogram of durations: 32 buckets per power
// of two, so a quantile is within about 3% of the true value.
type latencies struct {
	counts [64 * 32]uint64
	n      uint64
	max    time.Duration
}

func (l *latencies) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	l.n++
	l.max = max(l.max, d)
	l.counts[bucketOf(uint64(d))]++
}

func bucketOf(v uint64) int {
	if v < 32 {
		return int(v)
	}
	shift := bits.Len64(v) - 6 // keep 6 significant bits: 32..63
	return (shift+1)*32 + int(v>>shift) - 32
}

// bucketTop is the largest value in bucket i.
func bucketTop(i int) uint64 {
	if i < 32 {
		return uint64(i)
	}
	shift := i/32 - 1
	return (uint64(i%32+32)+1)<<shift - 1
}

func (l *latencies) merge(o *latencies) {
	for i, c := range o.counts {
		l.counts[i] += c
	}
	l.n += o.n
	l.max = max(l.max, o.max)
}

// quantile returns the q-quantile (0 < q <= 1).
func (l *latencies) quantile(q float64) time.Duration {
	rank := uint64(q * float64(l.n))
	var seen uint64
	for i, c := range l.counts {
		seen += c
		if seen > rank || (seen == l.n && c > 0) {
			return time.Duration(bucketTop(i))
		}
	}
	return l.max
}

func TestLatencies(t *testing.T) {
	t.Parallel()
	var l latencies
	for i := 1; i <= 1000; i++ {
		l.record(time.Duration(i) * time.Microsecond)
	}
	assert.InEpsilon(t, 500*time.Microsecond, l.quantile(0.5), 0.04)
	assert.InEpsilon(t, 990*time.Microsecond, l.quantile(0.99), 0.04)
	assert.Equal(t, time.Millisecond, l.max)
	for _, v := range []uint64{0, 31, 32, 63, 64, 1000, 1 << 40} {
		assert.GreaterOrEqual(t, bucketTop(bucketOf(v)), v, "value %d", v)
	}
}

// refreshCase is a reader of one secret and a way to start its refresh.
type refreshCase struct {
	name string
	// setup returns the read and a function that starts a refresh (and
	// returns at once or when the refresh is due; readers run regardless).
	// Readers run for window after each refresh starts.
	setup func(tb testing.TB, latency, window time.Duration) (read func() string, refresh func(ctx context.Context))
}

// rotate stores a new AWSCURRENT version of secret 0 on srv.
func rotate(tb testing.TB, ctx context.Context, srv *awssmtest.Server, gen int) {
	require.NoError(tb, srv.Put(ctx, RemoteSecretName(0), []byte(fmt.Sprintf(`{"user":"u","password":"rotated-%d"}`, gen))))
}

var refreshCases = []refreshCase{
	{"driftless-current", func(tb testing.TB, latency, _ time.Duration) (func() string, func(context.Context)) {
		srv := remoteServer(tb)
		h, err := driftless.NewHandle[Forty](tb.Context(), driftless.WithEnv(RemoteEnv()),
			driftless.WithProvider("awssm", awssm.New(srv.Client())), driftless.WithForceRefreshLimit(0))
		require.NoError(tb, err)
		srv.SetLatency(latency)
		gen := 0
		return func() string { return h.Current().F01 }, func(ctx context.Context) {
			gen++
			rotate(tb, ctx, srv, gen)
			go func() { _ = h.ForceRefresh(ctx) }()
		}
	}},
	// The real aws-secretsmanager-caching-go has no call that refreshes an
	// item in the background: an item is refreshed by the first read after
	// its TTL, which holds the item's lock. Its TTL here is 2×window, drawn
	// by the library between window and 2×window, so each window sees one
	// refresh; refresh waits until it is due.
	{"caching-go", func(tb testing.TB, latency, window time.Duration) (func() string, func(context.Context)) {
		srv := remoteServer(tb)
		ttl := 2 * window
		c := NewSecretCache(srv.Client(), ttl)
		ctx := tb.Context()
		_, err := c.GetSecretStringWithContext(ctx, RemoteSecretName(0))
		require.NoError(tb, err)
		srv.SetLatency(latency)
		gen := 0
		return func() string {
				s, _ := c.GetSecretStringWithContext(ctx, RemoteSecretName(0))
				return s
			}, func(ctx context.Context) {
				gen++
				rotate(tb, ctx, srv, gen)
				// The last refresh ended within the last window (latency <
				// window), so after ttl more the item is due.
				time.Sleep(ttl)
			}
	}},
}

// readDuringRefresh starts a refresh and runs 4 readers for window, each
// reading once per interval and sleeping in between, as request handlers
// do between requests. A read's own duration is recorded; a read that took
// longer than interval also records the reads that would have arrived
// while it was blocked, each with the part of the wait it would have seen
// (HdrHistogram's correction for coordinated omission). Wake-up jitter of
// the sleeping readers is not counted, so a non-blocking read measures in
// nanoseconds and a blocked one in backend round trips.
func readDuringRefresh(ctx context.Context, read func() string, refresh func(context.Context), window, interval time.Duration) *latencies {
	const readers = 4
	hists := make([]latencies, readers)
	var wg sync.WaitGroup
	refresh(ctx)
	start := time.Now()
	for r := range readers {
		wg.Add(1)
		go func(h *latencies) {
			defer wg.Done()
			n := 0
			for i := 0; i < int(window/interval); i++ {
				t0 := time.Now()
				if t0.Sub(start) >= window {
					break
				}
				n += len(read())
				d := time.Since(t0)
				h.record(d)
				for missed := d - interval; missed > 0; missed -= interval {
					h.record(missed)
					i++
				}
				time.Sleep(interval)
			}
			_ = n
		}(&hists[r])
	}
	wg.Wait()
	var all latencies
	for i := range hists {
		all.merge(&hists[i])
	}
	return &all
}

// TestReadDuringRefresh checks that both readers see the rotated value once
// their refresh is done, and that the measuring loop records every read.
func TestReadDuringRefresh(t *testing.T) {
	t.Parallel()
	for _, rc := range refreshCases {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			read, refresh := rc.setup(t, 0, 20*time.Millisecond)
			l := readDuringRefresh(t.Context(), read, refresh, 20*time.Millisecond, time.Millisecond)
			assert.Positive(t, l.n)
			assert.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Contains(c, read(), "rotated-1")
			}, 5*time.Second, time.Millisecond)
		})
	}
}

// BenchmarkReadDuringRefresh measures reader latency while a refresh runs
// against a backend answering in 100 ms: 4 readers read about once a
// millisecond each for 500 ms from the start of the refresh (see
// readDuringRefresh for how waits are counted). Reported: p50, p99 and
// max latency per read, from the read's scheduled time.
func BenchmarkReadDuringRefresh(b *testing.B) {
	const latency, window, interval = 100 * time.Millisecond, 500 * time.Millisecond, time.Millisecond
	for _, rc := range refreshCases {
		b.Run(rc.name, func(b *testing.B) {
			read, refresh := rc.setup(b, latency, window)
			var all latencies
			for b.Loop() {
				all.merge(readDuringRefresh(b.Context(), read, refresh, window, interval))
			}
			b.ReportMetric(float64(all.quantile(0.5)), "p50-ns")
			b.ReportMetric(float64(all.quantile(0.99)), "p99-ns")
			b.ReportMetric(float64(all.max), "max-ns")
		})
	}
}
