package drifttest_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

var errDown = errors.New("secrets backend down")

// The rotation and outage paths of code that takes a Handle, each two
// lines of a table.
func TestTestHandleDrivesRotationAndOutage(t *testing.T) {
	for _, tc := range []struct {
		name        string
		act         func(th *drifttest.TestHandle[serviceConfig])
		wantClients int
		wantFails   int
		wantKey     string
	}{
		{"rotation", func(th *drifttest.TestHandle[serviceConfig]) {
			th.Set(&serviceConfig{Model: "m", Key: driftless.NewSecret("key-2")})
		}, 2, 0, "key-2"},
		{"model change only", func(th *drifttest.TestHandle[serviceConfig]) {
			th.Set(&serviceConfig{Model: "m2", Key: driftless.NewSecret("key-1")})
		}, 1, 0, "key-1"},
		{"outage", func(th *drifttest.TestHandle[serviceConfig]) {
			th.Fail(errDown)
			assert.ErrorIs(t, th.ForceRefresh(t.Context()), errDown)
		}, 1, 1, "key-1"},
		{"outage then recovery", func(th *drifttest.TestHandle[serviceConfig]) {
			th.Fail(errDown)
			assert.Error(t, th.Refresh(t.Context()))
			th.Set(&serviceConfig{Model: "m", Key: driftless.NewSecret("key-3")})
		}, 2, 1, "key-3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			th := drifttest.NewHandle(t, &serviceConfig{Model: "m", Key: driftless.NewSecret("key-1")})
			svc, err := newService(th.Handle)
			require.NoError(t, err)
			tc.act(th)
			assert.Equal(t, tc.wantClients, svc.clients)
			assert.Equal(t, tc.wantFails, svc.failures)
			assert.Equal(t, tc.wantKey, th.Current().Key.Value())
		})
	}
}

// The TestHandle holds copies: the test's struct can be reused.
func TestTestHandleCopiesConfigs(t *testing.T) {
	cfg := serviceConfig{Model: "m1"}
	th := drifttest.NewHandle(t, &cfg)
	cfg.Model = "m2"
	assert.Equal(t, "m1", th.Current().Model)
	th.Set(&cfg)
	cfg.Model = "m3"
	assert.Equal(t, "m2", th.Current().Model)
}

// A Started TestHandle retries a failing refresh in the background, with
// backoff, and recovers when the failure ends.
func TestTestHandleInTheBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th := drifttest.NewHandle(t, &serviceConfig{Model: "m1"},
			driftless.WithRefreshInterval(time.Minute), driftless.WithBackoff(time.Second, 10*time.Second))
		var fails int
		th.OnError(func(err error) {
			assert.ErrorIs(t, err, errDown)
			fails++
		})
		require.NoError(t, th.Start(t.Context()))
		th.Fail(errDown)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		assert.Greater(t, fails, 2, "retried")
		assert.Less(t, fails, 20, "with backoff")
		assert.Equal(t, "m1", th.Current().Model, "the last good config is kept")
		th.Fail(nil)
		time.Sleep(11 * time.Second)
		synctest.Wait()
		n := fails
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		assert.Equal(t, n, fails, "recovered")
	})
}

// validatedConfig rejects an empty Model.
type validatedConfig struct {
	Model string `env:"MODEL"`
}

func (c *validatedConfig) Validate() error {
	if c.Model == "" {
		return errors.New("MODEL is empty")
	}
	return nil
}

// A config the Handle would reject fails the test that gives it.
func TestTestHandleValidates(t *testing.T) {
	rec := &recordingT{}
	func() {
		defer func() { _ = recover() }() // recordingT.Fatalf stops the function, as t.Fatalf does
		drifttest.NewHandle(rec, &validatedConfig{})
	}()
	require.Len(t, rec.errors, 1)
	assert.Contains(t, rec.errors[0], "MODEL is empty")

	rec = &recordingT{}
	th := drifttest.NewHandle(rec, &validatedConfig{Model: "m"})
	th.Set(&validatedConfig{})
	require.Len(t, rec.errors, 1)
	assert.Contains(t, rec.errors[0], "MODEL is empty")
	assert.Equal(t, "m", th.Current().Model, "the rejected config is not served")
	rec.done()
}

// recordingT records what a test would report.
type recordingT struct {
	exampleT
	errors []string
}

func (t *recordingT) Errorf(format string, args ...any) {
	t.errors = append(t.errors, fmt.Sprintf(format, args...))
}

func (t *recordingT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic("test failed")
}
