package drifttest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless"
)

// EnvFile writes content to a .env file in a temporary directory of t and
// returns the option that adds it to the chain.
func EnvFile(t testing.TB, content string) driftless.Option {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatalf("drifttest: writing .env: %v", err)
	}
	return driftless.WithEnvFiles(p)
}

// Load fills a new *T from env (the whole process environment, as a map)
// and opts. It fails the test with the error (which never holds a value)
// when the config does not load.
func Load[T any](t testing.TB, env map[string]string, opts ...driftless.Option) *T {
	t.Helper()
	cfg, err := driftless.LoadAs[T](t.Context(), append([]driftless.Option{driftless.WithEnv(env)}, opts...)...)
	if err != nil {
		t.Fatalf("drifttest: %v", err)
	}
	return cfg
}

// LoadErr is Load for tests that expect a failure: it returns the error.
func LoadErr[T any](t testing.TB, env map[string]string, opts ...driftless.Option) error {
	t.Helper()
	_, err := driftless.LoadAs[T](t.Context(), append([]driftless.Option{driftless.WithEnv(env)}, opts...)...)
	return err
}
