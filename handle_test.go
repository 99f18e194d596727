package driftless_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
)

type svcConfig struct {
	Model string           `env:"MODEL" default:"gpt"`
	Key   driftless.Secret `env:"API_KEY" default:"mem://openai#key"`
	Limit int              `env:"LIMIT" default:"mem://limits#rpm"`
}

func (c *svcConfig) Validate() error {
	if c.Limit < 0 {
		return errors.New("LIMIT must not be negative")
	}
	return nil
}

func newMem() *drifttest.Provider {
	mem := drifttest.NewProvider()
	mem.Set("openai", `{"key":"k1"}`)
	mem.Set("limits", `{"rpm":100}`)
	return mem
}

func TestRotationReachesRunningService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute))
		require.NoError(t, err)
		defer h.Close()
		first := h.Current()
		assert.Equal(t, "k1", first.Key.Value())

		var changes []driftless.Change[svcConfig]
		var mu sync.Mutex
		h.OnChange(func(c driftless.Change[svcConfig]) { mu.Lock(); changes = append(changes, c); mu.Unlock() })
		require.NoError(t, h.Start(t.Context()))

		mem.Set("openai", `{"key":"k2"}`)
		time.Sleep(90 * time.Second) // fake time: every entry is due within 1.5 intervals
		synctest.Wait()
		assert.Equal(t, "k2", h.Current().Key.Value())
		assert.Equal(t, "k1", first.Key.Value(), "old snapshots are immutable")
		mu.Lock()
		require.Len(t, changes, 1)
		assert.Equal(t, []string{"Key"}, changes[0].Paths)
		assert.Same(t, first, changes[0].Old)
		mu.Unlock()
	})
}

func TestFailedRefreshKeepsLastGoodAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute),
			driftless.WithBackoff(time.Second, 8*time.Second))
		require.NoError(t, err)
		defer h.Close()
		var failures atomic.Int32
		h.OnError(func(err error) {
			assert.NotContains(t, err.Error(), "k1")
			failures.Add(1)
		})
		require.NoError(t, h.Start(t.Context()))
		good := h.Current()

		mem.FailAll(errors.New("connection refused"))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		assert.Same(t, good, h.Current(), "the last good snapshot is kept")
		n := failures.Load()
		assert.Greater(t, n, int32(1), "failures are retried")
		assert.Less(t, n, int32(40), "with backoff, not in a tight loop")

		mem.FailAll(nil)
		mem.Set("openai", `{"key":"k3"}`)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		assert.Equal(t, "k3", h.Current().Key.Value(), "recovers when the backend returns")
	})
}

func TestInvalidRefreshIsRejectedWhole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute))
		require.NoError(t, err)
		defer h.Close()
		good := h.Current()
		for name, bad := range map[string]string{
			"malformed JSON": `{"rpm":`,
			"wrong key":      `{"other":1}`,
			"undecodable":    `{"rpm":"many"}`,
			"invalid":        `{"rpm":-1}`,
		} {
			mem.Set("openai", `{"key":"k-new"}`)
			mem.Set("limits", bad)
			err := h.ForceRefresh(t.Context())
			require.Error(t, err, name)
			assert.Same(t, good, h.Current(), "%s: the whole refresh is rejected, the key too", name)
			time.Sleep(time.Minute) // past the force-refresh limit
		}
	})
}

func TestForceRefreshIsCoalescedAndRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		mem.SetLatency(100 * time.Millisecond)
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithForceRefreshLimit(10*time.Second))
		require.NoError(t, err)
		defer h.Close()
		before := mem.Calls()
		mem.Set("openai", `{"key":"rotated"}`)
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); assert.NoError(t, h.ForceRefresh(t.Context())) }()
		}
		wg.Wait()
		forcedAt := time.Now()
		assert.Equal(t, 2, mem.Calls()-before, "50 concurrent forced refreshes share one pass over 2 secrets")
		assert.Equal(t, "rotated", h.Current().Key.Value())

		// Within the limit, a caller whose deadline falls first is told when
		// to retry, at once, and nothing is fetched.
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		err = h.ForceRefresh(ctx)
		cancel()
		var rl *driftless.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.ErrorIs(t, err, driftless.ErrRateLimited)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, forcedAt.Add(10*time.Second), rl.RetryAt)
		assert.Equal(t, forcedAt, time.Now(), "returned without waiting")
		assert.Equal(t, 2, mem.Calls()-before, "within the limit, no new fetch")

		// A caller whose context is cancelled while it waits, likewise.
		ctx, cancel = context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		err = h.ForceRefresh(ctx)
		require.ErrorAs(t, err, &rl)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 2, mem.Calls()-before)

		// Callers with time wait out the window, then share one fetch.
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); assert.NoError(t, h.ForceRefresh(t.Context())) }()
		}
		wg.Wait()
		assert.Equal(t, 4, mem.Calls()-before, "20 waiting callers share one pass")
		assert.GreaterOrEqual(t, time.Since(forcedAt), 10*time.Second, "not before the window has passed")
	})
}

// TestForceRefreshInsideTheWindowSeesARotation is the 401 -> nil -> 401
// report: a key rotated 4 s after a forced refresh must be seen by the
// forced refresh asked for after it, not skipped by the rate limit.
func TestForceRefreshInsideTheWindowSeesARotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
		require.NoError(t, err)
		defer h.Close()
		var hooked atomic.Value
		h.OnChange(func(c driftless.Change[svcConfig]) { hooked.Store(c.New.Key.Value()) })
		require.NoError(t, h.ForceRefresh(t.Context()))
		time.Sleep(4 * time.Second)
		mem.Set("openai", `{"key":"k2"}`) // rotated; the upstream now answers 401 to k1
		require.NoError(t, h.ForceRefresh(t.Context()))
		assert.Equal(t, "k2", h.Current().Key.Value(), "nil means refreshed, after the call")
		assert.Equal(t, "k2", hooked.Load(), "and the change hooks have run")
	})
}

func TestLeaseIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		mem.SetLease("openai", 30*time.Second)
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Hour))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		mem.Set("openai", `{"key":"renewed"}`)
		time.Sleep(21 * time.Second) // 2/3 of the lease
		synctest.Wait()
		assert.Equal(t, "renewed", h.Current().Key.Value(), "re-read before the lease expires, not after an hour")
	})
}

func TestCloseStopsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		require.NoError(t, h.Start(ctx))
		require.Error(t, h.Start(ctx), "starting twice is an error")
		require.NoError(t, h.Close())
		require.NoError(t, h.Close())
		calls := mem.Calls()
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Equal(t, calls, mem.Calls(), "nothing runs after Close")
		assert.ErrorIs(t, h.Refresh(t.Context()), driftless.ErrHandleClosed)
		assert.NotNil(t, h.Current())
	})
}

func TestCurrentDoesNotAllocate(t *testing.T) {
	h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", newMem()))
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() { _ = h.Current().Model })
	assert.Zero(t, allocs)
}

func TestConcurrentReadersSeeWholeSnapshots(t *testing.T) {
	mem := drifttest.NewProvider()
	mem.Set("pair", `{"a":"0","b":"0"}`)
	type C struct {
		A string `env:"A" default:"mem://pair#a"`
		B string `env:"B" default:"mem://pair#b"`
	}
	h, err := driftless.NewHandle[C](t.Context(), driftless.WithEnv(nil), driftless.WithProvider("mem", mem), driftless.WithForceRefreshLimit(0))
	require.NoError(t, err)
	defer h.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var torn atomic.Int64
	for r := 0; r < 100; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := h.Current()
				if c.A != c.B {
					torn.Add(1)
				}
			}
		}()
	}
	for gen := 1; gen <= 50; gen++ {
		mem.Set("pair", fmt.Sprintf(`{"a":"%d","b":"%d"}`, gen, gen))
		require.NoError(t, h.ForceRefresh(t.Context()))
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, torn.Load(), "every read is one generation")
	assert.Equal(t, "50", h.Current().A)
}

// TestFleetRefreshIsSpread simulates 1000 replicas with 20 secrets each,
// a 5-minute interval, all started in the same second, and checks that
// after the first interval the busiest second sees at most 1.3x the mean.
func TestFleetRefreshIsSpread(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	defer driftless.SeedPhases(1)()
	synctest.Test(t, func(t *testing.T) {
		const replicas, secrets = 1000, 20
		const interval = 5 * time.Minute
		var mu sync.Mutex
		perSecond := map[int64]int{}
		start := time.Now()
		counter := countingProvider{fn: func() {
			mu.Lock()
			perSecond[int64(time.Since(start)/time.Second)]++
			mu.Unlock()
		}}
		env := map[string]string{}
		for i := 0; i < secrets; i++ {
			env[envKey(i)] = "count://" + secretName(i)
		}
		var handles []*driftless.Handle[twentyFields]
		for r := 0; r < replicas; r++ {
			h, err := driftless.NewHandle[twentyFields](t.Context(), driftless.WithEnv(env),
				driftless.WithProvider("count", counter), driftless.WithRefreshInterval(interval))
			require.NoError(t, err)
			require.NoError(t, h.Start(t.Context()))
			handles = append(handles, h)
		}
		horizon := time.Hour
		if raceEnabled {
			horizon = 3 * interval // the race detector makes the full hour slow
		}
		time.Sleep(horizon)
		synctest.Wait()
		for _, h := range handles {
			h.Close()
		}
		mu.Lock()
		defer mu.Unlock()
		var counts []int
		total := 0
		for s := int64(interval / time.Second); s < int64(horizon/time.Second); s++ {
			counts = append(counts, perSecond[s])
			total += perSecond[s]
		}
		sort.Ints(counts)
		mean := float64(total) / float64(len(counts))
		peak := float64(counts[len(counts)-1])
		intervals := float64(horizon-interval) / float64(interval)
		t.Logf("%v simulated: %d calls after the first interval (%.0f/hour); mean %.1f/s, peak %.0f/s, peak/mean %.2f",
			horizon, total, float64(total)*float64(time.Hour)/float64(horizon-interval), mean, peak, peak/mean)
		assert.InDelta(t, float64(replicas*secrets)*intervals, float64(total), float64(replicas*secrets), "one call per secret per interval")
		assert.LessOrEqual(t, peak/mean, 1.3)
	})
}

type countingProvider struct{ fn func() }

func (c countingProvider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	c.fn()
	return driver.Value{Data: []byte("v"), Version: "1"}, nil
}

type twentyFields struct {
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

func TestNameFileIsRefreshed(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/api_key"
	require.NoError(t, os.WriteFile(p, []byte("v1\n"), 0o600))
	type C struct {
		Key driftless.Secret `env:"API_KEY" required:"true"`
	}
	h, err := driftless.NewHandle[C](t.Context(), driftless.WithEnv(map[string]string{"API_KEY_FILE": p}), driftless.WithForceRefreshLimit(0))
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, "v1", h.Current().Key.Value())
	require.NoError(t, os.WriteFile(p, []byte("v2\n"), 0o600))
	require.NoError(t, h.ForceRefresh(t.Context()))
	assert.Equal(t, "v2", h.Current().Key.Value(), "a NAME_FILE file is a secret like any other: refreshed, and watched with providers/files")
}

func TestLeasesAreRenewedThenReread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		mem.SetLease("openai", 30*time.Second)
		mem.SetMaxLease("openai", 100*time.Second)
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Hour))
		require.NoError(t, err)
		defer h.Close()
		var changes atomic.Int32
		h.OnChange(func(driftless.Change[svcConfig]) { changes.Add(1) })
		require.NoError(t, h.Start(t.Context()))
		mem.Set("openai", `{"key":"new-credentials"}`)

		time.Sleep(50 * time.Second) // two renewal points (at 2/3 of each lease)
		synctest.Wait()
		assert.GreaterOrEqual(t, mem.Renewals(), 2, "renewable leases are renewed")
		assert.Equal(t, "k1", h.Current().Key.Value(), "a renewal keeps the credentials")
		assert.Zero(t, changes.Load())

		time.Sleep(60 * time.Second) // past the max lease: read anew
		synctest.Wait()
		assert.Equal(t, "new-credentials", h.Current().Key.Value(), "near the max TTL the secret is read anew")
		assert.Equal(t, int32(1), changes.Load())
	})
}

func TestBatchProvidersRefreshInOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := drifttest.NewProvider()
		env := map[string]string{}
		for i := 0; i < 20; i++ {
			mem.Set(secretName(i), "v")
			env[envKey(i)] = "mem://" + secretName(i)
		}
		h, err := driftless.NewHandle[twentyFields](t.Context(), driftless.WithEnv(env),
			driftless.WithProvider("mem", mem.Batching(20)), driftless.WithRefreshInterval(5*time.Minute))
		require.NoError(t, err)
		defer h.Close()
		require.NoError(t, h.Start(t.Context()))
		before := mem.Batches()
		time.Sleep(time.Hour)
		synctest.Wait()
		got := mem.Batches() - before
		assert.InDelta(t, 12, got, 1, "one batch call per interval for all 20 secrets, not 20 calls")
		assert.Equal(t, mem.Batches(), mem.Calls(), "no single fetches")
	})
}

func TestFailedSecretIsRetriedOnItsBackoffNotEveryPass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		h, err := driftless.NewHandle[svcConfig](t.Context(), driftless.WithEnv(nil),
			driftless.WithProvider("mem", mem), driftless.WithRefreshInterval(time.Minute),
			driftless.WithBackoff(10*time.Minute, 10*time.Minute), driftless.WithForceRefreshLimit(0))
		require.NoError(t, err)
		defer h.Close()
		mem.Fail("limits", errors.New("access denied"))
		require.Error(t, h.ForceRefresh(t.Context()))
		calls := mem.Calls()
		for i := 0; i < 5; i++ {
			// Passes for other reasons within the backoff do not re-ask the
			// failing secret.
			_ = h.Refresh(t.Context())
		}
		assert.Equal(t, calls, mem.Calls())
	})
}
