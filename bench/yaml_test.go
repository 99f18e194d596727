package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
	"github.com/go-viper/mapstructure/v2"
	koanfyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prodKeys are the keys that config.prod.yaml overrides: config.yaml holds
// another value for each, so that a library that ignored the overlay is
// caught.
var prodKeys = []string{
	"ENVIRONMENT", "PORT", "LOG_LEVEL", "DEBUG", "MODEL_NAME", "MAX_TOKENS", "TEMPERATURE", "TIMEOUT",
	"WORKERS", "ALLOWED_ORIGINS", "DB_HOST", "DB_PASSWORD", "DB_MAX_CONNS", "CACHE_TTL", "REGION",
}

// layeredYAML writes config.yaml (all 50 keys) and config.prod.yaml (the
// 15 prodKeys) into dir; loaded in that order they give FiftyWant.
func layeredYAML(tb testing.TB, dir string) (base, prod string) {
	tb.Helper()
	typ := reflect.TypeFor[Fifty]()
	var b, p strings.Builder
	b.WriteString("# config.yaml: the service's committed defaults\n")
	p.WriteString("# config.prod.yaml: production overrides\n")
	for i, key := range FiftyKeys {
		f := typ.Field(i)
		want := yamlValue(f.Type, FiftyEnv[key])
		if slices.Contains(prodKeys, key) {
			fmt.Fprintf(&b, "%s: %s\n", strings.ToLower(key), yamlValue(f.Type, stagingValue(f.Type, FiftyEnv[key])))
			fmt.Fprintf(&p, "%s: %s\n", strings.ToLower(key), want)
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", strings.ToLower(key), want)
	}
	base, prod = filepath.Join(dir, "config.yaml"), filepath.Join(dir, "config.prod.yaml")
	require.NoError(tb, os.WriteFile(base, []byte(b.String()), 0o600))
	require.NoError(tb, os.WriteFile(prod, []byte(p.String()), 0o600))
	return base, prod
}

// yamlValue writes the environment value s as the YAML value a person
// would write for a field of type t: a list for a slice, a plain number or
// boolean, a quoted string.
func yamlValue(t reflect.Type, s string) string {
	switch t.Kind() {
	case reflect.Slice:
		var items []string
		for _, it := range strings.Split(s, ",") {
			items = append(items, strconv.Quote(it))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case reflect.String:
		return strconv.Quote(s)
	case reflect.Int64:
		if t == reflect.TypeFor[time.Duration]() {
			return strconv.Quote(s)
		}
	}
	return s
}

// stagingValue is a value of type t other than s.
func stagingValue(t reflect.Type, s string) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return "1s"
	case t.Kind() == reflect.Bool:
		return strconv.FormatBool(s != "true")
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64:
		return "1"
	case t.Kind() == reflect.Float64:
		return "0.5"
	}
	return "staging-" + strings.ReplaceAll(s, ",", "-")
}

// yamlLoader loads the two files into the 50-field config with one
// library.
type yamlLoader struct {
	name string
	load func(ctx context.Context, base, prod string) (Fifty, error)
}

var yamlLoaders = []yamlLoader{
	{"driftless", func(ctx context.Context, base, prod string) (Fifty, error) {
		var c Fifty
		err := driftless.Load(ctx, &c, driftless.WithEnv(map[string]string{}),
			driftless.WithConfigFiles(driftlessyaml.Format, base, prod))
		return c, err
	}},
	{"koanf", func(_ context.Context, base, prod string) (Fifty, error) {
		k := koanf.New(".")
		for _, path := range []string{base, prod} {
			if err := k.Load(file.Provider(path), koanfyaml.Parser()); err != nil {
				return Fifty{}, fmt.Errorf("koanf load: %w", err)
			}
		}
		var c FiftyKoanf
		err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{DecoderConfig: &mapstructure.DecoderConfig{
			DecodeHook:       mapstructure.StringToTimeDurationHookFunc(),
			WeaklyTypedInput: true,
			Result:           &c,
		}})
		return Canon(c), err
	}},
	{"viper", func(_ context.Context, base, prod string) (Fifty, error) {
		v := viper.New()
		v.SetConfigFile(base)
		if err := v.ReadInConfig(); err != nil {
			return Fifty{}, err
		}
		v.SetConfigFile(prod)
		if err := v.MergeInConfig(); err != nil {
			return Fifty{}, err
		}
		var c FiftyViper
		err := v.Unmarshal(&c)
		return Canon(c), err
	}},
}

// TestYAMLLayered checks that every library loads config.yaml overlaid
// with config.prod.yaml into FiftyWant.
func TestYAMLLayered(t *testing.T) {
	t.Parallel()
	base, prod := layeredYAML(t, t.TempDir())
	alone, err := yamlLoaders[0].load(t.Context(), base, base)
	require.NoError(t, err)
	require.NotEqual(t, FiftyWant(), alone, "config.yaml alone must not give the result: the overlay is what is checked")
	for _, l := range yamlLoaders {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			got, err := l.load(t.Context(), base, prod)
			require.NoError(t, err)
			assert.Equal(t, FiftyWant(), got)
		})
	}
}

// BenchmarkYAMLLayered loads the 50-key config.yaml and its 15-key
// config.prod.yaml overlay from disk into a struct with each library,
// after checking its result.
func BenchmarkYAMLLayered(b *testing.B) {
	base, prod := layeredYAML(b, b.TempDir())
	for _, l := range yamlLoaders {
		b.Run(l.name, func(b *testing.B) {
			ctx := b.Context()
			if got, err := l.load(ctx, base, prod); err != nil || !assert.ObjectsAreEqual(FiftyWant(), got) {
				b.Fatalf("%s loads wrongly (err %v)", l.name, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.load(ctx, base, prod); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
