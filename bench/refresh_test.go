package bench

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var refreshRuns = flag.Int("refresh", 0, "run the refresh simulation (1,000 secrets, one hour of fake time) this many times and print RESULT lines")

// memSM is an in-memory Secrets Manager with the methods the awssm
// provider and aws-secretsmanager-caching-go call, so that both run with
// no network inside a synctest bubble. Every secret has one version, v1,
// labelled AWSCURRENT. It counts calls per operation.
type memSM struct {
	secretcache.SecretsManagerAPIClient // nil: only the methods below are called

	values map[string]string // read-only after newMemSM

	mu    sync.Mutex
	calls map[string]int
}

func newMemSM(n int) *memSM {
	m := &memSM{values: make(map[string]string, n), calls: map[string]int{}}
	for i := range n {
		m.values[coldSecretName(i)] = coldSecretValue(i)
	}
	return m
}

func (m *memSM) count(op string) {
	m.mu.Lock()
	m.calls[op]++
	m.mu.Unlock()
}

// total returns the calls received and forgets them.
func (m *memSM) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.calls {
		n += c
	}
	clear(m.calls)
	return n
}

var memCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (m *memSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	m.count("GetSecretValue")
	id := aws.ToString(in.SecretId)
	v, ok := m.values[id]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such secret")}
	}
	return &secretsmanager.GetSecretValueOutput{
		Name: aws.String(id), ARN: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id + "-AbCdEf"),
		SecretString: aws.String(v), VersionId: aws.String("v1"), VersionStages: []string{"AWSCURRENT"}, CreatedDate: &memCreated,
	}, nil
}

func (m *memSM) BatchGetSecretValue(_ context.Context, in *secretsmanager.BatchGetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error) {
	m.count("BatchGetSecretValue")
	out := &secretsmanager.BatchGetSecretValueOutput{}
	for _, id := range in.SecretIdList {
		v, ok := m.values[id]
		if !ok {
			out.Errors = append(out.Errors, types.APIErrorType{SecretId: aws.String(id), ErrorCode: aws.String("ResourceNotFoundException")})
			continue
		}
		out.SecretValues = append(out.SecretValues, types.SecretValueEntry{
			Name: aws.String(id), ARN: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id + "-AbCdEf"),
			SecretString: aws.String(v), VersionId: aws.String("v1"), VersionStages: []string{"AWSCURRENT"}, CreatedDate: &memCreated,
		})
	}
	return out, nil
}

func (m *memSM) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	m.count("DescribeSecret")
	id := aws.ToString(in.SecretId)
	if _, ok := m.values[id]; !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such secret")}
	}
	return &secretsmanager.DescribeSecretOutput{Name: aws.String(id), VersionIdsToStages: map[string][]string{"v1": {"AWSCURRENT"}}}, nil
}

// secretsEnv is the environment of a SecretsN config: key Snnnn holds a
// reference to secret nnnn.
func secretsEnv(n int) map[string]string {
	env := make(map[string]string, n)
	for i := range n {
		env[fmt.Sprintf("S%04d", i)] = "awssm://" + coldSecretName(i)
	}
	return env
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// refreshResult is what one refresh simulation measured, per hour of fake time.
type refreshResult struct {
	callsPerHour float64
	cpuPerHour   time.Duration
}

const refreshInterval = 5 * time.Minute

// refresher keeps n secrets fresh in one process for horizon of fake time
// and returns the backend calls and CPU time it used after the first
// refresh interval.
// It must run inside a synctest bubble.
type refresher struct {
	name string
	run  func(t *testing.T, n int, horizon time.Duration) refreshResult
}

// driftlessRefresh starts a Handle of 1,000 (or 100, or 10) secrets with
// a 5-minute refresh interval over the awssm provider.
func driftlessRefresh(opts ...awssm.Option) func(*testing.T, int, time.Duration) refreshResult {
	return func(t *testing.T, n int, horizon time.Duration) refreshResult {
		backend := newMemSM(n)
		o := []driftless.Option{driftless.WithEnv(secretsEnv(n)),
			driftless.WithProvider("awssm", awssm.New(backend, opts...)), driftless.WithRefreshInterval(refreshInterval)}
		var start func() error
		var stop func() error
		switch n {
		case 10:
			h, err := driftless.NewHandle[Secrets10](t.Context(), o...)
			require.NoError(t, err)
			start, stop = func() error { return h.Start(t.Context()) }, h.Close
		case 100:
			h, err := driftless.NewHandle[Secrets100](t.Context(), o...)
			require.NoError(t, err)
			start, stop = func() error { return h.Start(t.Context()) }, h.Close
		case 1000:
			h, err := driftless.NewHandle[Secrets1000](t.Context(), o...)
			require.NoError(t, err)
			start, stop = func() error { return h.Start(t.Context()) }, h.Close
		default:
			t.Fatalf("no config type of %d secrets", n)
		}
		require.NoError(t, start())
		time.Sleep(refreshInterval) // the first refreshes are spread over the first interval
		synctest.Wait()
		backend.total()
		cpu0 := cpuTime()
		time.Sleep(horizon)
		synctest.Wait()
		require.NoError(t, stop())
		return refreshResult{
			callsPerHour: float64(backend.total()) * float64(time.Hour) / float64(horizon),
			cpuPerHour:   (cpuTime() - cpu0) * time.Duration(time.Hour/time.Second) / time.Duration(horizon/time.Second),
		}
	}
}

// cachingRefresh reads the n secrets through aws-secretsmanager-caching-go
// with a TTL of 5 minutes (items refresh between 2.5 and 5 minutes after
// their last refresh, on the first read after that), every secret read
// once every 10 seconds as a busy service would. The library refreshes
// only inside reads, so its refresh CPU is the CPU of this run less that of
// the same reads with a TTL of one day (no refresh due).
func cachingRefresh(t *testing.T, n int, horizon time.Duration) refreshResult {
	reads := func(ttl time.Duration) (int, time.Duration) {
		backend := newMemSM(n)
		c := NewSecretCache(backend, ttl)
		require.NoError(t, WarmCache(t.Context(), c, namesOf(n), 32))
		readAll := func(d time.Duration) {
			for elapsed := time.Duration(0); elapsed < d; elapsed += 10 * time.Second {
				time.Sleep(10 * time.Second)
				for i := range n {
					if _, err := c.GetSecretStringWithContext(t.Context(), coldSecretName(i)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		readAll(refreshInterval) // as for driftless, the first interval is not counted
		backend.total()
		cpu0 := cpuTime()
		readAll(horizon)
		return backend.total(), cpuTime() - cpu0
	}
	calls, cpu := reads(refreshInterval)
	_, base := reads(24 * time.Hour)
	return refreshResult{
		callsPerHour: float64(calls) * float64(time.Hour) / float64(horizon),
		cpuPerHour:   max(cpu-base, 0) * time.Duration(time.Hour/time.Second) / time.Duration(horizon/time.Second),
	}
}

func namesOf(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = coldSecretName(i)
	}
	return names
}

var refreshers = []refresher{
	{"driftless-awssm-batch", driftlessRefresh()},
	{"driftless-awssm-get", driftlessRefresh(awssm.WithBatch(false))},
	{"caching-go", cachingRefresh},
}

// TestRefreshTraffic runs each refresher with 100 secrets for three
// intervals and checks its calls per hour: driftless sends one request per
// secret (or per batch of 20) per interval; the caching library one
// DescribeSecret per secret per refresh, every 2.5 to 5 minutes. With
// -refresh=N it runs the measurement of BENCHMARKS.md (10, 100 and 1,000
// secrets, one hour) N times and prints RESULT lines for cmd/report.
func TestRefreshTraffic(t *testing.T) {
	if *refreshRuns == 0 {
		t.Parallel()
		const n = 100
		perHour := float64(time.Hour / refreshInterval)
		want := map[string][2]float64{ // calls per hour, low and high
			"driftless-awssm-batch": {n / 20 * perHour * 0.9, n / 20 * perHour * 1.1},
			"driftless-awssm-get":   {n * perHour * 0.9, n * perHour * 1.1},
			"caching-go":            {n * perHour, n * 2 * perHour},
		}
		for _, r := range refreshers {
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					res := r.run(t, n, 3*refreshInterval)
					assert.GreaterOrEqual(t, res.callsPerHour, want[r.name][0])
					assert.LessOrEqual(t, res.callsPerHour, want[r.name][1])
				})
			})
		}
		return
	}
	for run := range *refreshRuns {
		for _, n := range []int{10, 100, 1000} {
			for _, r := range refreshers {
				synctest.Test(t, func(t *testing.T) {
					res := r.run(t, n, time.Hour)
					fmt.Printf("RESULT refresh run=%d approach=%s secrets=%d calls_per_hour=%.0f cpu_ms_per_hour=%.1f\n",
						run, r.name, n, res.callsPerHour, float64(res.cpuPerHour)/1e6)
				})
			}
		}
	}
}

// BenchmarkHeldHeapCurve measures the heap that 10, 100 and 1,000 cached
// secrets keep alive after a GC, per secret: a driftless Handle over the
// awssm provider, and an aws-secretsmanager-caching-go cache, both over
// the same in-memory backend (no network buffers counted). Each value is
// 24 bytes. Reported as heap-bytes-per-secret.
func BenchmarkHeldHeapCurve(b *testing.B) {
	type loader struct {
		name string
		load func(n int) func() (any, error)
	}
	loaders := []loader{
		{"driftless-handle", func(n int) func() (any, error) {
			backend := newMemSM(n)
			o := []driftless.Option{driftless.WithEnv(secretsEnv(n))}
			return func() (any, error) {
				o := append(o, driftless.WithProvider("awssm", awssm.New(backend)))
				switch n {
				case 10:
					return driftless.NewHandle[Secrets10](b.Context(), o...)
				case 100:
					return driftless.NewHandle[Secrets100](b.Context(), o...)
				default:
					return driftless.NewHandle[Secrets1000](b.Context(), o...)
				}
			}
		}},
		{"caching-go", func(n int) func() (any, error) {
			backend := newMemSM(n)
			return func() (any, error) {
				c := NewSecretCache(backend, time.Hour)
				return c, WarmCache(b.Context(), c, namesOf(n), 32)
			}
		}},
	}
	for _, l := range loaders {
		b.Run(l.name, func(b *testing.B) {
			for _, n := range []int{10, 100, 1000} {
				b.Run("secrets="+strconv.Itoa(n), func(b *testing.B) {
					load := l.load(n)
					if _, err := load(); err != nil { // warm the per-type tag cache
						b.Fatal(err)
					}
					var sum float64
					for b.Loop() {
						held, err := heldBy(load)
						if err != nil {
							b.Fatal(err)
						}
						sum += float64(held)
					}
					b.ReportMetric(sum/float64(b.N)/float64(n), "heap-bytes-per-secret")
				})
			}
		})
	}
}
