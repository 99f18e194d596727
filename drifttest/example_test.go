package drifttest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

type serviceConfig struct {
	Model string           `env:"MODEL" default:"gpt-4-turbo"`
	Key   driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
	DB    driftless.Secret `env:"DB_PASSWORD" default:"mem://prod/db#password"`
}

// A unit test of a service fills its config from a map and an in-memory
// secrets backend: no real environment, no network.
func ExampleLoad() {
	t := newExampleT() // in a test: its *testing.T
	defer t.done()

	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"password":"pw"}`)
	cfg := drifttest.Load[serviceConfig](t, map[string]string{"OPENAI_API_KEY": "test-key"},
		driftless.WithProvider("mem", mem))
	fmt.Println(cfg.Model, cfg.DB.Value() == "pw")

	err := drifttest.LoadErr[serviceConfig](t, nil) // OPENAI_API_KEY missing
	fmt.Println(errors.Is(err, driftless.ErrRequired))
	// Output:
	// gpt-4-turbo true
	// true
}

// service is code under test that takes a Handle: it rebuilds its API
// client when the key rotates, and keeps serving when a refresh fails.
type service struct {
	mu       sync.Mutex
	clients  int // API clients built
	failures int // refreshes that failed
}

func newService(h *driftless.Handle[serviceConfig]) (*service, error) {
	s := &service{clients: 1}
	_, err := h.OnChangeOf(func(driftless.Change[serviceConfig]) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.clients++ // a new client with the new key
	}, "OPENAI_API_KEY")
	h.OnError(func(error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.failures++
	})
	return s, err
}

// A test of code that takes a *driftless.Handle gets one from NewHandle,
// holding the config the test gives; Set plays a rotation and Fail an
// outage.
func ExampleNewHandle() {
	t := newExampleT() // in a test: its *testing.T
	defer t.done()

	th := drifttest.NewHandle(t, &serviceConfig{Model: "gpt-4-turbo", Key: driftless.NewSecret("key-1")})
	svc, err := newService(th.Handle)
	if err != nil {
		t.Fatalf("%v", err)
	}

	th.Set(&serviceConfig{Model: "gpt-4-turbo", Key: driftless.NewSecret("key-2")}) // a rotation
	fmt.Println("clients built:", svc.clients)

	th.Fail(errors.New("secrets backend down")) // an outage
	err = th.ForceRefresh(t.Context())
	fmt.Println("refresh failed:", err != nil, "- reported:", svc.failures, "- key kept:", th.Current().Key.Value() == "key-2")
	// Output:
	// clients built: 2
	// refresh failed: true - reported: 1 - key kept: true
}

// Faults are injected on the provider: latency, failures, rotations.
func ExampleProvider() {
	ctx := context.Background()
	mem := drifttest.NewProvider()
	mem.Set("prod/db", `{"password":"v1"}`)
	mem.SetLatency(10 * time.Millisecond)
	mem.Fail("prod/db", errors.New("connection refused"))
	err := driftless.Load(ctx, &serviceConfig{},
		driftless.WithEnv(map[string]string{"OPENAI_API_KEY": "k"}), driftless.WithProvider("mem", mem))
	fmt.Println(err)
	mem.Fail("prod/db", nil)
	mem.Set("prod/db", `{"password":"v2"}`) // a rotation: version 2
	var cfg serviceConfig
	_ = driftless.Load(ctx, &cfg, driftless.WithEnv(map[string]string{"OPENAI_API_KEY": "k"}), driftless.WithProvider("mem", mem))
	fmt.Println(cfg.DB.Value() == "v2", mem.Calls(), "calls")
	// Output:
	// driftless: loading drifttest_test.serviceConfig: 1 problem
	// 	DB (DB_PASSWORD from default): fetching mem://prod/db: drifttest: fetching prod/db: connection refused
	// true 2 calls
}

// exampleT stands in the examples for the *testing.T a test has. It prints
// what a test would report and runs the cleanups at done.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func newExampleT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper()                  {}
func (t *exampleT) Context() context.Context { return context.Background() }
func (t *exampleT) Cleanup(fn func())        { t.cleanups = append(t.cleanups, fn) }
func (t *exampleT) Errorf(format string, args ...any) {
	fmt.Printf("test error: "+format+"\n", args...)
}
func (t *exampleT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic("test failed")
}

func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "drifttest-example")
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (t *exampleT) done() {
	for _, fn := range slices.Backward(t.cleanups) {
		fn()
	}
}
