package bench

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// curveChildEnv marks the child process of TestCurveDecoders and holds the
// field count it checks.
const curveChildEnv = "DRIFTLESS_BENCH_CURVE_FIELDS"

// TestCurveDecoders checks every library of the load curve on generated
// configs of 10 and 500 fields, each in a child process started with
// exactly CurveEnv(n), so that this process's environment is never changed.
func TestCurveDecoders(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 500} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCurveChild$", "-test.count=1", "-test.v")
			cmd.Env = []string{curveChildEnv + "=" + strconv.Itoa(n)}
			for k, v := range CurveEnv(n) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "child process:\n%s", out)
			for _, d := range CurveDecoders {
				assert.Contains(t, string(out), "--- PASS: TestCurveChild/"+d.Name+" ")
			}
		})
	}
}

// TestCurveChild runs only as TestCurveDecoders's child.
func TestCurveChild(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(curveChildEnv))
	if err != nil {
		t.Skip("runs only in the child process of TestCurveDecoders")
	}
	for _, d := range CurveDecoders {
		t.Run(d.Name, func(t *testing.T) {
			got, err := d.New(n)(t.Context())
			require.NoError(t, err)
			assert.NoError(t, CheckCurve(got))
		})
	}
}

// TestCheckCurve checks that CheckCurve accepts the expected values and
// names a wrong field.
func TestCheckCurve(t *testing.T) {
	t.Parallel()
	v := reflect.New(CurveType(10, envTag)).Elem()
	for i := range v.NumField() {
		_, want := curveValue(i)
		v.Field(i).Set(reflect.ValueOf(want))
	}
	require.NoError(t, CheckCurve(v.Interface()))
	v.Field(6).SetInt(0) // an int
	assert.ErrorContains(t, CheckCurve(v.Addr().Interface()), "F00006")
}

// BenchmarkLoadCurve fills generated configs of 10 to 5,000 fields from
// the process environment (set here, once per size) with each library,
// after checking its result.
func BenchmarkLoadCurve(b *testing.B) {
	for _, n := range CurveSizes {
		b.Run(fmt.Sprintf("fields=%d", n), func(b *testing.B) {
			for k, v := range CurveEnv(n) {
				b.Setenv(k, v)
			}
			for _, d := range CurveDecoders {
				b.Run(d.Name, func(b *testing.B) {
					decode := d.New(n)
					ctx := b.Context()
					got, err := decode(ctx)
					if err == nil {
						err = CheckCurve(got)
					}
					if err != nil {
						b.Fatalf("%s decodes %d fields wrongly: %v", d.Name, n, err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := decode(ctx); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
