package bench

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coldSizes are the secret counts of the cold-start curve: around the
// awssm batch (20 per call), the default concurrency (32 requests in
// flight) and awsps's batch (10 per call) boundaries, so that steps show.
var coldSizes = []int{1, 10, 20, 21, 32, 33, 64, 65, 100, 200, 320, 321, 640, 641, 1000}

// coldSizesQuick is the subset a QUICK run measures.
var coldSizesQuick = []int{1, 20, 21, 100, 1000}

// coldLatency is what each fake waits before answering a request.
const coldLatency = 20 * time.Millisecond

// coldSecretName and coldSecretValue name and fill secret i of the fakes.
func coldSecretName(i int) string  { return fmt.Sprintf("bench-s%04d", i) }
func coldSecretValue(i int) string { return fmt.Sprintf("value-of-secret-%04d", i) }

// coldBackend is one secrets manager fake holding secrets 0 ... n-1, and
// how a service loads n of them at boot.
type coldBackend struct {
	// load fills n fields, one per secret, with a new provider (or cache),
	// and returns their values in field order.
	load       func(ctx context.Context, n int) ([]string, error)
	setLatency func(time.Duration)
	requests   func() int
}

// coldApproach is a named way to start a coldBackend; max is the largest
// secret count it is measured at (0: every size).
type coldApproach struct {
	name  string
	max   int
	start func(tb testing.TB, n int) coldBackend
}

// driftlessLoad fills n string fields reading ref(i) through a new
// provider of scheme each time.
func driftlessLoad(scheme string, ref func(int) string, provider func() driver.Provider) func(context.Context, int) ([]string, error) {
	return func(ctx context.Context, n int) ([]string, error) {
		env := make(map[string]string, n)
		for i := range n {
			env[fmt.Sprintf("S%04d", i)] = ref(i)
		}
		ptr := reflect.New(coldType(n))
		if err := driftless.Load(ctx, ptr.Interface(), driftless.WithEnv(env), driftless.WithProvider(scheme, provider())); err != nil {
			return nil, err
		}
		out := make([]string, n)
		for i := range out {
			out[i] = ptr.Elem().Field(i).String()
		}
		return out, nil
	}
}

// coldType is a struct of n string fields tagged S0000, S0001, ...
func coldType(n int) reflect.Type {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{Name: fmt.Sprintf("S%04d", i), Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`env:"` + fmt.Sprintf("S%04d", i) + `"`)}
	}
	return reflect.StructOf(fields)
}

func awssmFake(tb testing.TB, n int) *awssmtest.Server {
	srv := awssmtest.NewServer()
	tb.Cleanup(srv.Close)
	for i := range n {
		require.NoError(tb, srv.Put(tb.Context(), coldSecretName(i), []byte(coldSecretValue(i))))
	}
	return srv
}

// cachingLoad reads n secrets through a new aws-secretsmanager-caching-go
// cache: warmed concurrently (limit > 1) or one after the other.
func cachingLoad(client *secretsmanager.Client, limit int) func(context.Context, int) ([]string, error) {
	return func(ctx context.Context, n int) ([]string, error) {
		c := NewSecretCache(client, time.Hour)
		names := make([]string, n)
		for i := range names {
			names[i] = coldSecretName(i)
		}
		if limit > 1 {
			if err := WarmCache(ctx, c, names, limit); err != nil {
				return nil, err
			}
		}
		out := make([]string, n)
		for i, name := range names {
			v, err := c.GetSecretStringWithContext(ctx, name)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
}

var coldApproaches = []coldApproach{
	{"driftless-awssm-batch", 0, func(tb testing.TB, n int) coldBackend {
		srv := awssmFake(tb, n)
		client := srv.Client()
		return coldBackend{
			load: driftlessLoad("awssm", func(i int) string { return "awssm://" + coldSecretName(i) },
				func() driver.Provider { return awssm.New(client) }),
			setLatency: srv.SetLatency, requests: srv.Total,
		}
	}},
	{"driftless-awssm-get", 0, func(tb testing.TB, n int) coldBackend {
		srv := awssmFake(tb, n)
		client := srv.Client()
		return coldBackend{
			load: driftlessLoad("awssm", func(i int) string { return "awssm://" + coldSecretName(i) },
				func() driver.Provider { return awssm.New(client, awssm.WithBatch(false)) }),
			setLatency: srv.SetLatency, requests: srv.Total,
		}
	}},
	{"driftless-gcpsm", 0, func(tb testing.TB, n int) coldBackend {
		srv := gcpsmtest.NewServer(tb)
		for i := range n {
			require.NoError(tb, srv.Put(tb.Context(), coldSecretName(i), []byte(coldSecretValue(i))))
		}
		client, err := srv.Client(tb.Context())
		require.NoError(tb, err)
		tb.Cleanup(func() { _ = client.Close() })
		return coldBackend{
			load: driftlessLoad("gcpsm", func(i int) string {
				return "gcpsm://projects/" + gcpsmtest.DefaultProject + "/secrets/" + coldSecretName(i)
			}, func() driver.Provider { return gcpsm.New(client) }),
			setLatency: srv.SetLatency, requests: func() int { return srv.Requests("") },
		}
	}},
	{"driftless-azkv", 0, func(tb testing.TB, n int) coldBackend {
		srv := azkvtest.NewServer(tb)
		for i := range n {
			srv.Set(coldSecretName(i), coldSecretValue(i))
		}
		client := srv.Client(azkvtest.DefaultVault)
		return coldBackend{
			load: driftlessLoad("azkv", func(i int) string { return "azkv://" + azkvtest.DefaultVault + "/" + coldSecretName(i) },
				func() driver.Provider {
					return azkv.New(map[string]azkv.SecretsClient{azkvtest.DefaultVault: client})
				}),
			setLatency: srv.SetLatency, requests: func() int { return srv.Stats().Requests },
		}
	}},
	{"driftless-awsps", 0, func(tb testing.TB, n int) coldBackend {
		srv := awspstest.NewServer()
		tb.Cleanup(srv.Close)
		for i := range n {
			srv.PutParameter("/bench/"+coldSecretName(i), coldSecretValue(i), awspstest.SecureString)
		}
		client := srv.Client()
		return coldBackend{
			load: driftlessLoad("awsps", func(i int) string { return "awsps://bench/" + coldSecretName(i) },
				func() driver.Provider { return awsps.New(client) }),
			setLatency: srv.SetLatency,
			requests:   func() int { return srv.Count("GetParameters") + srv.Count("GetParameter") },
		}
	}},
	{"caching-go-concurrent", 0, func(tb testing.TB, n int) coldBackend {
		srv := awssmFake(tb, n)
		return coldBackend{load: cachingLoad(srv.Client(), 32), setLatency: srv.SetLatency, requests: srv.Total}
	}},
	{"caching-go-sequential", 32, func(tb testing.TB, n int) coldBackend {
		srv := awssmFake(tb, n)
		return coldBackend{load: cachingLoad(srv.Client(), 1), setLatency: srv.SetLatency, requests: srv.Total}
	}},
}

// checkCold reports whether got holds secrets 0 ... n-1 in order.
func checkCold(got []string, n int) error {
	if len(got) != n {
		return fmt.Errorf("%d values, want %d", len(got), n)
	}
	for i, v := range got {
		if v != coldSecretValue(i) {
			return fmt.Errorf("field S%04d does not hold secret %s", i, coldSecretName(i))
		}
	}
	return nil
}

// TestColdStartCurve loads 45 secrets (three awssm batches, five awsps
// batches, more than the default concurrency) with every approach, with
// no latency, and checks every value and the number of requests.
func TestColdStartCurve(t *testing.T) {
	t.Parallel()
	const n = 45
	wantRequests := map[string]int{
		"driftless-awssm-batch": 3, "driftless-awssm-get": n, "driftless-gcpsm": n,
		"driftless-awsps": 5, "caching-go-concurrent": 2 * n, "caching-go-sequential": 2 * n,
	}
	for _, a := range coldApproaches {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			be := a.start(t, n)
			before := be.requests()
			got, err := be.load(t.Context(), n)
			require.NoError(t, err)
			assert.NoError(t, checkCold(got, n))
			if want, ok := wantRequests[a.name]; ok {
				assert.Equal(t, want, be.requests()-before, "requests")
			} else {
				assert.GreaterOrEqual(t, be.requests()-before, n, "requests") // azkv: one per secret and a challenge
			}
		})
	}
}

// BenchmarkColdStartCurve loads 1 to 1,000 secrets at boot with each
// approach against its fake answering every request after 20 ms, a new
// provider (or cache) each op. ns/op is the wall time of one cold start,
// requests/op the requests it sent. -quick measures fewer sizes.
func BenchmarkColdStartCurve(b *testing.B) {
	sizes := coldSizes
	if *quick {
		sizes = coldSizesQuick
	}
	for _, a := range coldApproaches {
		b.Run(a.name, func(b *testing.B) {
			largest := sizes[len(sizes)-1]
			if a.max > 0 {
				largest = min(largest, a.max)
			}
			be := a.start(b, largest)
			for _, n := range sizes {
				if a.max > 0 && n > a.max {
					continue
				}
				b.Run("secrets="+strconv.Itoa(n), func(b *testing.B) {
					ctx := b.Context()
					be.setLatency(0)
					got, err := be.load(ctx, n)
					if err == nil {
						err = checkCold(got, n)
					}
					if err != nil {
						b.Fatalf("%s loads %d secrets wrongly: %v", a.name, n, err)
					}
					be.setLatency(coldLatency)
					defer be.setLatency(0)
					before := be.requests()
					b.ReportAllocs()
					for b.Loop() {
						if _, err := be.load(ctx, n); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(be.requests()-before)/float64(b.N), "requests/op")
				})
			}
		})
	}
}
