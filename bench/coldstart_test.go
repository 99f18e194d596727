package bench

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// remoteServer starts awssmtest holding the 20 secrets of RemoteEnv.
func remoteServer(tb testing.TB) *awssmtest.Server {
	tb.Helper()
	srv := awssmtest.NewServer()
	tb.Cleanup(srv.Close)
	for i := range RemoteSecrets {
		require.NoError(tb, srv.Put(tb.Context(), RemoteSecretName(i), []byte(RemoteSecretValue(i))))
	}
	return srv
}

// coldStarter is one way to fill the 40-field config at boot.
type coldStarter struct {
	name string
	load func(ctx context.Context, client *secretsmanager.Client) ([]string, error)
}

func fortyValues(v any) []string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	out := make([]string, rv.NumField())
	for i := range out {
		out[i] = rv.Field(i).String()
	}
	return out
}

func driftlessColdStart(opts ...awssm.Option) func(context.Context, *secretsmanager.Client) ([]string, error) {
	env := RemoteEnv()
	return func(ctx context.Context, client *secretsmanager.Client) ([]string, error) {
		cfg, err := driftless.LoadAs[Forty](ctx, driftless.WithEnv(env),
			driftless.WithProvider("awssm", awssm.New(client, opts...)))
		if err != nil {
			return nil, err
		}
		return fortyValues(cfg), nil
	}
}

// envconfigFill fills the 40-field config with go-envconfig, resolving
// references with mutator.
func envconfigFill(ctx context.Context, mutator envconfig.Mutator) ([]string, error) {
	var cfg FortySethvargo
	err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &cfg, Lookuper: envconfig.MapLookuper(RemoteEnv()), Mutators: []envconfig.Mutator{mutator}})
	return fortyValues(&cfg), err
}

var coldStarters = []coldStarter{
	{"driftless-batch", driftlessColdStart()},
	{"driftless-get-secret-value", driftlessColdStart(awssm.WithBatch(false))},
	{"go-envconfig-sequential", func(ctx context.Context, client *secretsmanager.Client) ([]string, error) {
		return envconfigFill(ctx, SequentialMutator(client))
	}},
	// The real aws-secretsmanager-caching-go, as its README shows it (one
	// GetSecretString per value, here from a go-envconfig Mutator).
	{"caching-go-sequential", func(ctx context.Context, client *secretsmanager.Client) ([]string, error) {
		return envconfigFill(ctx, CachingMutator(NewSecretCache(client, time.Hour)))
	}},
	// The same cache warmed first with one goroutine per secret (at most 32
	// at once, driftless's default), then read by the Mutator.
	{"caching-go-concurrent", func(ctx context.Context, client *secretsmanager.Client) ([]string, error) {
		c := NewSecretCache(client, time.Hour)
		if err := WarmCache(ctx, c, RemoteSecretNames(), 32); err != nil {
			return nil, err
		}
		return envconfigFill(ctx, CachingMutator(c))
	}},
}

// TestColdStart checks that every resolver fills all 40 fields correctly,
// and counts the requests each sends (no latency injected).
func TestColdStart(t *testing.T) {
	t.Parallel()
	wantCalls := map[string]map[string]int{
		"driftless-batch":            {"BatchGetSecretValue": 1},
		"driftless-get-secret-value": {"GetSecretValue": RemoteSecrets},
		"go-envconfig-sequential":    {"GetSecretValue": RemoteFields},
		"caching-go-sequential":      {"DescribeSecret": RemoteSecrets, "GetSecretValue": RemoteSecrets},
		"caching-go-concurrent":      {"DescribeSecret": RemoteSecrets, "GetSecretValue": RemoteSecrets},
	}
	for _, cs := range coldStarters {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel()
			srv := remoteServer(t)
			got, err := cs.load(t.Context(), srv.Client())
			require.NoError(t, err)
			require.Len(t, got, RemoteFields)
			for i, v := range got {
				assert.Equal(t, RemoteWant(i), v, "field F%02d", i)
			}
			total := 0
			for op, n := range wantCalls[cs.name] {
				assert.Equal(t, n, srv.Count(op), op)
				total += n
			}
			assert.Equal(t, total, srv.Total())
		})
	}
}

// BenchmarkColdStart fills the 40-field config over 20 secrets through
// the official SDK client against awssmtest with 20 ms per request. ns/op
// is the wall time of one cold start; calls/op the requests it sent.
func BenchmarkColdStart(b *testing.B) {
	for _, cs := range coldStarters {
		b.Run(cs.name, func(b *testing.B) {
			srv := remoteServer(b)
			srv.SetLatency(20 * time.Millisecond)
			client := srv.Client()
			srv.ResetCounts()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cs.load(b.Context(), client); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(srv.Total())/float64(b.N), "calls/op")
		})
	}
}
