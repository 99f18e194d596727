package bench

import (
	"context"
	"os"
	"testing"

	"github.com/driftless/driftless"
	"github.com/sethvargo/go-envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appPrefix is the prefix every key of the environment carries in the
// prefix benchmarks.
const appPrefix = "APP_"

// prefixDecoder decodes the 50-field config from an environment whose
// keys all carry appPrefix, given the lookup of that environment.
type prefixDecoder struct {
	name   string
	decode func(ctx context.Context, lookup func(string) (string, bool)) (Fifty, error)
}

// prefixDecoders are the ways to read a prefixed environment: driftless's
// WithEnvPrefix, the WithLookup wrapper it replaces (which builds each
// prefixed name), and go-envconfig's PrefixLookuper.
var prefixDecoders = []prefixDecoder{
	{"driftless-WithEnvPrefix", func(ctx context.Context, lookup func(string) (string, bool)) (Fifty, error) {
		var c Fifty
		err := driftless.Load(ctx, &c, driftless.WithLookup(lookup), driftless.WithEnvPrefix(appPrefix))
		return c, err
	}},
	{"driftless-WithLookup-wrapper", func(ctx context.Context, lookup func(string) (string, bool)) (Fifty, error) {
		var c Fifty
		err := driftless.Load(ctx, &c, driftless.WithLookup(func(k string) (string, bool) { return lookup(appPrefix + k) }))
		return c, err
	}},
	{"sethvargo-go-envconfig-PrefixLookuper", func(ctx context.Context, lookup func(string) (string, bool)) (Fifty, error) {
		var c FiftySethvargo
		err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &c, Lookuper: envconfig.PrefixLookuper(appPrefix, lookuperFunc(lookup))})
		return Canon(c), err
	}},
}

// lookuperFunc adapts a lookup function to go-envconfig's Lookuper.
type lookuperFunc func(string) (string, bool)

func (f lookuperFunc) Lookup(key string) (string, bool) { return f(key) }

// prefixedFiftyEnv is FiftyEnv with appPrefix before every key.
func prefixedFiftyEnv() map[string]string {
	out := make(map[string]string, len(FiftyEnv))
	for k, v := range FiftyEnv {
		out[appPrefix+k] = v
	}
	return out
}

// TestPrefixDecoders checks that every way of reading the prefixed
// environment produces FiftyWant, and reads nothing without the prefix.
func TestPrefixDecoders(t *testing.T) {
	t.Parallel()
	env := prefixedFiftyEnv()
	for k, v := range FiftyEnv {
		env[k] = v + "-unprefixed"
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, d := range prefixDecoders {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			got, err := d.decode(t.Context(), lookup)
			require.NoError(t, err)
			assert.Equal(t, FiftyWant(), got)
		})
	}
}

// BenchmarkPrefix decodes the 50-field config from the process
// environment, where every key carries APP_, with each prefixDecoder.
// Rerun: go test -run '^$' -bench '^BenchmarkPrefix$' -benchmem .
func BenchmarkPrefix(b *testing.B) {
	for k, v := range prefixedFiftyEnv() {
		b.Setenv(k, v)
	}
	for _, d := range prefixDecoders {
		b.Run(d.name, func(b *testing.B) {
			ctx := b.Context()
			if got, err := d.decode(ctx, os.LookupEnv); err != nil || !assert.ObjectsAreEqual(FiftyWant(), got) {
				b.Fatalf("%s decodes wrongly (err %v)", d.name, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.decode(ctx, os.LookupEnv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
