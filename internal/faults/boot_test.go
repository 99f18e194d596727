package faults_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bootConfig reads one secret from each remote provider, two fields from
// one JSON secret, and one plain value that needs no provider.
type bootConfig struct {
	AWSKey  driftless.Secret `env:"AWS_KEY" default:"awssm://prod/aws-key"`
	AWSUser string           `env:"AWS_USER" default:"awssm://prod/db#user"`
	GCPKey  driftless.Secret `env:"GCP_KEY" default:"gcpsm://test-project/gcp-key"`
	AZKey   driftless.Secret `env:"AZ_KEY" default:"azkv://testvault/az-key"`
	MemKey  driftless.Secret `env:"MEM_KEY" default:"mem://hanging"`
	Plain   string           `env:"PLAIN" default:"fine"`
}

// unreachableProviders returns providers whose official SDK clients point
// at fakes that have been shut down (connection refused), and a drifttest
// provider that never answers.
func unreachableProviders(t *testing.T) []driftless.Option {
	t.Helper()
	aws := awssmtest.NewServer()
	awsClient := aws.Client()
	aws.Close()

	gcp, err := gcpsmtest.Start()
	require.NoError(t, err)
	gcpClient, err := gcp.Client(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = gcpClient.Close() })
	gcp.Close()

	az := azkvtest.Start()
	azClient := az.Client(azkvtest.DefaultVault)
	az.Close()

	mem := drifttest.NewProvider()
	mem.Set("hanging", "never served")
	mem.SetLatency(time.Hour)

	return []driftless.Option{
		driftless.WithEnv(nil),
		driftless.WithProvider(awssm.Scheme, awssm.New(awsClient)),
		driftless.WithProvider("gcpsm", gcpsm.New(gcpClient)),
		driftless.WithProvider("azkv", azkv.New(map[string]azkv.SecretsClient{azkvtest.DefaultVault: azClient})),
		driftless.WithProvider("mem", mem),
	}
}

// TestBootUnreachable is the row "Provider unreachable at boot".
func TestBootUnreachable(t *testing.T) {
	t.Parallel()
	const deadline = 2 * time.Second
	tests := []struct {
		name string
		run  func(t *testing.T) (error, time.Duration)
	}{
		{
			name: "every provider down, one aggregated error within WithFetchTimeout",
			run: func(t *testing.T) (error, time.Duration) {
				opts := append(unreachableProviders(t), driftless.WithFetchTimeout(deadline))
				start := time.Now()
				_, err := driftless.LoadAs[bootConfig](t.Context(), opts...)
				return err, time.Since(start)
			},
		},
		{
			name: "caller's context deadline bounds the boot as well",
			run: func(t *testing.T) (error, time.Duration) {
				ctx, cancel := context.WithTimeout(t.Context(), deadline)
				defer cancel()
				start := time.Now()
				_, err := driftless.LoadAs[bootConfig](ctx, unreachableProviders(t)...)
				return err, time.Since(start)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err, took := tc.run(t)
			require.Error(t, err)
			// A generous bound: the deadline holds, it is not a benchmark.
			assert.Less(t, took, deadline+3*time.Second, "Load must return soon after the boot deadline")
			var le *driftless.LoadError
			require.ErrorAs(t, err, &le, "one aggregated *LoadError")
			assert.ElementsMatch(t, []string{"AWSKey", "AWSUser", "GCPKey", "AZKey", "MemKey"}, fieldPaths(t, err),
				"every affected field is named, and only those")
			for _, fe := range le.Fields() {
				unavailable := errors.Is(fe.Err, driftless.ErrUnavailable) || errors.Is(fe.Err, context.DeadlineExceeded)
				assert.True(t, unavailable, "%s: want ErrUnavailable or DeadlineExceeded, got %v", fe.Field, fe.Err)
				assert.Contains(t, err.Error(), fe.Field)
			}
			assert.NotContains(t, err.Error(), "Plain")
		})
	}
}

// TestBootUnreachableFakeTime is the row "Provider unreachable at boot"
// in fake time: the error comes exactly at the boot deadline.
func TestBootUnreachableFakeTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, b := drifttest.NewProvider(), drifttest.NewProvider()
		a.Set("one", "1")
		b.Set("two", "2")
		a.SetLatency(time.Hour)
		b.FailAll(errors.Join(driftless.ErrUnavailable, errors.New("connection refused")))
		type cfg struct {
			One   driftless.Secret `env:"ONE" default:"a://one"`
			Two   driftless.Secret `env:"TWO" default:"b://two"`
			Plain int              `env:"PLAIN" default:"3"`
		}
		start := time.Now()
		_, err := driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("a", a), driftless.WithProvider("b", b), driftless.WithFetchTimeout(7*time.Second))
		assert.Equal(t, 7*time.Second, time.Since(start), "returns exactly at the boot deadline")
		require.Error(t, err)
		assert.ElementsMatch(t, []string{"One", "Two"}, fieldPaths(t, err))
		assert.ErrorIs(t, fieldErr(err, "One"), context.DeadlineExceeded)
		assert.ErrorIs(t, fieldErr(err, "Two"), driftless.ErrUnavailable)
	})
}

// TestThrottling is the row "Throttling": the SDK retries, then a clear
// error tagged ErrUnavailable.
func TestThrottling(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key driftless.Secret `env:"KEY" default:"awssm://prod/key"`
	}
	type azcfg struct {
		Key driftless.Secret `env:"KEY" default:"azkv://testvault/key"`
	}
	tests := []struct {
		name      string
		run       func(t *testing.T) (err error, attempts int)
		wantErr   bool
		wantInErr string
		attempts  int // 0: not checked
	}{
		{
			name: "awssm throttled twice: retried by the SDK, then served",
			run: func(t *testing.T) (error, int) {
				srv, p := newAWS(t, map[string]string{"prod/key": "k1"})
				srv.Throttle(2)
				c, err := driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
				if err == nil {
					assert.Equal(t, "k1", c.Key.Value())
				}
				return err, srv.Count("GetSecretValue")
			},
			attempts: 3,
		},
		{
			name: "awssm throttled past the SDK's attempts: a clear error",
			run: func(t *testing.T) (error, int) {
				srv, p := newAWS(t, map[string]string{"prod/key": "k1"})
				srv.Throttle(100)
				_, err := driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
				return err, srv.Count("GetSecretValue")
			},
			wantErr:   true,
			wantInErr: "ThrottlingException",
			attempts:  3,
		},
		{
			name: "azkv throttled twice (429 Retry-After 0): retried by the SDK, then served",
			run: func(t *testing.T) (error, int) {
				srv := azkvtest.NewServer(t)
				srv.Set("key", "k1")
				p := azkv.New(map[string]azkv.SecretsClient{azkvtest.DefaultVault: srv.Client(azkvtest.DefaultVault)})
				srv.Throttle(2, 0)
				c, err := driftless.LoadAs[azcfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("azkv", p))
				if err == nil {
					assert.Equal(t, "k1", c.Key.Value())
				}
				return err, srv.Stats().Faults
			},
			attempts: 2,
		},
		{
			name: "azkv throttled past the SDK's retries: a clear error",
			run: func(t *testing.T) (error, int) {
				srv := azkvtest.NewServer(t)
				srv.Set("key", "k1")
				p := azkv.New(map[string]azkv.SecretsClient{azkvtest.DefaultVault: srv.Client(azkvtest.DefaultVault)})
				srv.Throttle(100, 0)
				_, err := driftless.LoadAs[azcfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("azkv", p))
				return err, srv.Stats().Faults
			},
			wantErr:   true,
			wantInErr: "429",
			attempts:  4, // one try and the three retries of azkvtest.ClientOptions
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err, attempts := tc.run(t)
			t.Logf("attempts: %d", attempts)
			if tc.attempts > 0 {
				assert.Equal(t, tc.attempts, attempts)
			}
			if !tc.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, []string{"Key"}, fieldPaths(t, err))
			assert.ErrorIs(t, err, driftless.ErrUnavailable)
			assert.Contains(t, err.Error(), tc.wantInErr)
			assert.NotContains(t, err.Error(), "k1")
		})
	}
}

// TestSlowProvider is the row "Slow provider": a backend slower than the
// deadline is abandoned at the deadline.
func TestSlowProvider(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key driftless.Secret `env:"KEY" default:"mem://key"`
	}
	fakeTime := []struct {
		name     string
		latency  time.Duration
		opts     []driftless.Option
		ctxLimit time.Duration
		want     time.Duration
	}{
		{name: "latency 10s, WithFetchTimeout 1s", latency: 10 * time.Second, opts: []driftless.Option{driftless.WithFetchTimeout(time.Second)}, want: time.Second},
		{name: "latency 10s, caller deadline 500ms", latency: 10 * time.Second, ctxLimit: 500 * time.Millisecond, want: 500 * time.Millisecond},
		{name: "latency 1h, default boot timeout 30s", latency: time.Hour, want: 30 * time.Second},
	}
	for _, tc := range fakeTime {
		t.Run("fake time/"+tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				p := drifttest.NewProvider()
				p.Set("key", "v")
				p.SetLatency(tc.latency)
				ctx := t.Context()
				if tc.ctxLimit > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.ctxLimit)
					defer cancel()
				}
				start := time.Now()
				_, err := driftless.LoadAs[cfg](ctx, append([]driftless.Option{driftless.WithEnv(nil), driftless.WithProvider("mem", p)}, tc.opts...)...)
				assert.Equal(t, tc.want, time.Since(start))
				require.Error(t, err)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				assert.Equal(t, []string{"Key"}, fieldPaths(t, err))
			})
		})
	}

	t.Run("fake time/refresh of a Handle against a slow backend", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			p := drifttest.NewProvider()
			p.Set("key", "v1")
			h, err := driftless.NewHandle[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", p),
				driftless.WithFetchTimeout(2*time.Second), driftless.WithForceRefreshLimit(0))
			require.NoError(t, err)
			defer h.Close()
			before := h.Current()
			p.Set("key", "v2")
			p.SetLatency(time.Minute)
			start := time.Now()
			err = h.ForceRefresh(t.Context())
			assert.Equal(t, 2*time.Second, time.Since(start))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Same(t, before, h.Current(), "last good snapshot kept")
			assert.Equal(t, "v1", h.Current().Key.Value())
		})
	})

	t.Run("real server/awssm latency 5s, caller deadline 200ms", func(t *testing.T) {
		t.Parallel()
		type awscfg struct {
			Key driftless.Secret `env:"KEY" default:"awssm://prod/key"`
		}
		srv, p := newAWS(t, map[string]string{"prod/key": "v"})
		srv.SetLatency(5 * time.Second)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := driftless.LoadAs[awscfg](ctx, driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
		took := time.Since(start)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, took, 5*time.Second, "Load must not wait for the slow answer")
		t.Logf("returned after %v", took.Round(time.Millisecond))
	})
}

// TestPartialBatchFailure is the row "Partial batch failure": one secret of
// a BatchGetSecretValue call fails, the others are served.
func TestPartialBatchFailure(t *testing.T) {
	t.Parallel()
	type cfg struct {
		AUser string           `env:"A_USER" default:"awssm://prod/a#user"`
		APass driftless.Secret `env:"A_PASS" default:"awssm://prod/a#password"`
		BUser string           `env:"B_USER" default:"awssm://prod/b#user"`
		BPass driftless.Secret `env:"B_PASS" default:"awssm://prod/b#password"`
		CPass driftless.Secret `env:"C_PASS" default:"awssm://prod/c#password"`
	}
	secrets := map[string]string{
		"prod/a": `{"user":"ua","password":"pa"}`,
		"prod/b": `{"user":"ub","password":"pb"}`,
		"prod/c": `{"user":"uc","password":"pc"}`,
	}
	tests := []struct {
		name     string
		break_   func(srv *awssmtest.Server)
		sentinel error
	}{
		// A secret that exists but cannot be decrypted (KMS key disabled or
		// decrypt denied) is a permission error, not an outage.
		{name: "DecryptionFailure on one secret", break_: func(s *awssmtest.Server) { s.FailSecret("prod/b", "DecryptionFailure") }, sentinel: driftless.ErrPermission},
		{name: "AccessDeniedException on one secret", break_: func(s *awssmtest.Server) { s.FailSecret("prod/b", "AccessDeniedException") }, sentinel: driftless.ErrPermission},
	}
	for _, tc := range tests {
		t.Run("Load/"+tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newAWS(t, secrets)
			tc.break_(srv)
			var c cfg
			rep, err := driftless.Explain(t.Context(), &c, driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
			require.Error(t, err)
			assert.Equal(t, 1, srv.Count("BatchGetSecretValue"), "one batch call")
			assert.Equal(t, 0, srv.Count("GetSecretValue"), "no per-secret fallback")
			assert.ElementsMatch(t, []string{"BUser", "BPass"}, fieldPaths(t, err), "only the fields of the failing secret")
			for _, f := range []string{"BUser", "BPass"} {
				assert.ErrorIs(t, fieldErr(err, f), tc.sentinel)
			}
			assert.Equal(t, cfg{}, c, "Load applies nothing when any field fails")
			for _, f := range rep.Fields {
				if strings.HasPrefix(f.Path, "B") {
					assert.NotEmpty(t, f.Error, f.Path)
					continue
				}
				assert.Empty(t, f.Error, "%s was served by the same batch", f.Path)
				assert.NotEmpty(t, f.Version, f.Path)
			}
		})
		t.Run("Handle refresh/"+tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newAWS(t, secrets)
			h, err := driftless.NewHandle[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", p), driftless.WithForceRefreshLimit(0))
			require.NoError(t, err)
			defer h.Close()
			before := h.Current()
			_, err = srv.Rotate(t.Context(), "prod/a", []byte(`{"user":"ua2","password":"pa2"}`))
			require.NoError(t, err)
			tc.break_(srv)
			err = h.ForceRefresh(t.Context())
			require.Error(t, err)
			assert.ElementsMatch(t, []string{"BUser", "BPass"}, fieldPaths(t, err))
			assert.Same(t, before, h.Current(), "the refresh is rejected whole: A's rotation waits for B")
			assert.Equal(t, "pa", h.Current().APass.Value())

			srv.FailSecret("prod/b", "")
			require.NoError(t, h.ForceRefresh(t.Context()))
			assert.Equal(t, "pa2", h.Current().APass.Value())
			assert.Equal(t, "pb", h.Current().BPass.Value())
		})
	}

	t.Run("Load/one secret missing", func(t *testing.T) {
		t.Parallel()
		srv, p := newAWS(t, map[string]string{"prod/a": secrets["prod/a"], "prod/c": secrets["prod/c"]})
		_, err := driftless.LoadAs[cfg](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("awssm", p))
		require.Error(t, err)
		assert.Equal(t, 1, srv.Count("BatchGetSecretValue"))
		assert.ElementsMatch(t, []string{"BUser", "BPass"}, fieldPaths(t, err))
		assert.ErrorIs(t, fieldErr(err, "BPass"), driftless.ErrNotFound)
	})
}
