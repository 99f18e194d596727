package bench

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/driftless/driftless"
	"github.com/go-viper/mapstructure/v2"
	koanfenv "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
	"github.com/sethvargo/go-envconfig"
	"github.com/spf13/viper"
)

// CurveSizes are the field counts of the load curve.
var CurveSizes = []int{10, 50, 500, 5000}

// curveTypes are the field types of a generated config, in turn.
var curveTypes = []reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[bool](),
	reflect.TypeFor[time.Duration](), reflect.TypeFor[float64](),
}

// CurveKey is the environment key of field i of a generated config.
func CurveKey(i int) string { return fmt.Sprintf("CFG_K%05d", i) }

// curveValue is the environment value of field i and the value it decodes to.
func curveValue(i int) (string, any) {
	switch i % len(curveTypes) {
	case 0:
		return "value-" + strconv.Itoa(i), "value-" + strconv.Itoa(i)
	case 1:
		return strconv.Itoa(i + 1), i + 1
	case 2:
		return strconv.FormatBool(i%2 == 1), i%2 == 1
	case 3:
		return strconv.Itoa(i+1) + "s", time.Duration(i+1) * time.Second
	default:
		return strconv.Itoa(i) + ".5", float64(i) + 0.5
	}
}

// CurveEnv is the environment of a generated config of n fields: every key set.
func CurveEnv(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[CurveKey(i)], _ = curveValue(i)
	}
	return m
}

// CurveType returns a struct type of n fields (string, int, bool,
// time.Duration and float64 in turn), field i tagged tag(CurveKey(i)).
func CurveType(n int, tag func(key string) string) reflect.Type {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{
			Name: fmt.Sprintf("F%05d", i),
			Type: curveTypes[i%len(curveTypes)],
			Tag:  reflect.StructTag(tag(CurveKey(i))),
		}
	}
	return reflect.StructOf(fields)
}

// CheckCurve reports the first field of the generated config v (a struct or
// a pointer to one) that does not hold the value CurveEnv gives it.
func CheckCurve(v any) error {
	rv := reflect.Indirect(reflect.ValueOf(v))
	for i := range rv.NumField() {
		if _, want := curveValue(i); rv.Field(i).Interface() != want {
			return fmt.Errorf("field %s (key %s) does not hold the expected value", rv.Type().Field(i).Name, CurveKey(i))
		}
	}
	return nil
}

// CurveDecoder fills a generated config of n fields from the process
// environment with one library.
type CurveDecoder struct {
	// Name is the library.
	Name string
	// New returns a decode function for configs of n fields; each call
	// fills a new value and returns a pointer to it.
	New func(n int) func(ctx context.Context) (any, error)
}

// curveDecoder builds a CurveDecoder from the library's tag and its decode
// call on a pointer to the struct.
func curveDecoder(name string, tag func(string) string, decode func(ctx context.Context, n int, ptr any) error) CurveDecoder {
	return CurveDecoder{Name: name, New: func(n int) func(context.Context) (any, error) {
		t := CurveType(n, tag)
		return func(ctx context.Context) (any, error) {
			ptr := reflect.New(t).Interface()
			return ptr, decode(ctx, n, ptr)
		}
	}}
}

// CurveDecoders lists driftless first, then the alternatives that can read
// a config of any size from the process environment.
var CurveDecoders = []CurveDecoder{
	curveDecoder("driftless", envTag, func(ctx context.Context, _ int, ptr any) error {
		return driftless.Load(ctx, ptr)
	}),
	curveDecoder("caarlos0-env", envTag, func(_ context.Context, _ int, ptr any) error {
		return env.Parse(ptr)
	}),
	curveDecoder("sethvargo-go-envconfig", envTag, func(ctx context.Context, _ int, ptr any) error {
		return envconfig.Process(ctx, ptr)
	}),
	curveDecoder("koanf", func(k string) string { return `koanf:"` + k + `"` }, func(_ context.Context, _ int, ptr any) error {
		k := koanf.New(".")
		if err := k.Load(koanfenv.Provider(".", koanfenv.Opt{}), nil); err != nil {
			return err
		}
		return k.UnmarshalWithConf("", ptr, koanf.UnmarshalConf{DecoderConfig: &mapstructure.DecoderConfig{
			DecodeHook:       mapstructure.StringToTimeDurationHookFunc(),
			WeaklyTypedInput: true,
			Result:           ptr,
		}})
	}),
	curveDecoder("viper", func(k string) string { return `mapstructure:"` + strings.ToLower(k) + `"` }, func(_ context.Context, n int, ptr any) error {
		v := viper.New()
		v.AutomaticEnv()
		for i := range n {
			if err := v.BindEnv(CurveKey(i)); err != nil {
				return err
			}
		}
		return v.Unmarshal(ptr)
	}),
	curveDecoder("konf", func(k string) string { return `konf:"` + k + `"` }, func(_ context.Context, _ int, ptr any) error {
		return konfLoad(ptr)
	}),
}

func envTag(k string) string { return `env:"` + k + `"` }
