package drifttest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

type serviceConfig struct {
	Model string           `env:"MODEL" default:"gpt-4-turbo"`
	Key   driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
	DB    string           `env:"DB_PASSWORD" default:"mem://prod/db#password"`
}

// A unit test of a service fills its config from a map and an in-memory
// secrets backend: no real environment, no network. (This example is a
// test body; it is compiled, not run.)
func ExampleLoad() {
	_ = func(t *testing.T) {
		mem := drifttest.NewProvider()
		mem.Set("prod/db", `{"password":"pw"}`)
		cfg := drifttest.Load[serviceConfig](t, map[string]string{"OPENAI_API_KEY": "test-key"},
			driftless.WithProvider("mem", mem))
		if cfg.DB != "pw" {
			t.Errorf("DB password not read from the secret")
		}
		err := drifttest.LoadErr[serviceConfig](t, nil) // OPENAI_API_KEY missing
		if !errors.Is(err, driftless.ErrRequired) {
			t.Errorf("want ErrRequired, got %v", err)
		}
	}
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
	fmt.Println(cfg.DB, mem.Calls(), "calls")
	// Output:
	// driftless: loading drifttest_test.serviceConfig: 1 problem
	// 	DB (DB_PASSWORD from default): fetching mem://prod/db: drifttest: fetching prod/db: connection refused
	// v2 2 calls
}
