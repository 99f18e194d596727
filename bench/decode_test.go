package bench

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv marks the child process of TestDecodersProcessEnv.
const childEnv = "DRIFTLESS_BENCH_CHILD"

// TestDecodersMap checks every library that can be given an environment
// map: each must produce FiftyWant from FiftyEnv.
func TestDecodersMap(t *testing.T) {
	t.Parallel()
	for _, d := range Decoders {
		if d.Map == nil {
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			got, err := d.Map(t.Context(), FiftyEnv)
			require.NoError(t, err)
			assert.Equal(t, FiftyWant(), got)
		})
	}
}

// TestDecodersProcessEnv checks every library on the process environment,
// in a child process started with exactly FiftyEnv, so that this process's
// environment is never changed.
func TestDecodersProcessEnv(t *testing.T) {
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChildProcessEnv$", "-test.count=1")
	cmd.Env = []string{childEnv + "=1"}
	for k, v := range FiftyEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child process:\n%s", out)
	assert.Contains(t, string(out), "PASS")
}

// TestChildProcessEnv runs only as TestDecodersProcessEnv's child.
func TestChildProcessEnv(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only in the child process of TestDecodersProcessEnv")
	}
	for _, d := range Decoders {
		t.Run(d.Name, func(t *testing.T) {
			got, err := d.Process(t.Context())
			require.NoError(t, err)
			assert.Equal(t, FiftyWant(), got)
		})
	}
}

// BenchmarkDecode50 decodes the 50-field config with each library. The
// "process" group reads the real process environment (set once here, as a
// service's would be); the "map" group gives each library that accepts one
// an in-memory environment.
func BenchmarkDecode50(b *testing.B) {
	b.Run("process", func(b *testing.B) {
		for k, v := range FiftyEnv {
			b.Setenv(k, v)
		}
		for _, d := range Decoders {
			b.Run(d.Name, func(b *testing.B) {
				ctx := b.Context()
				if got, err := d.Process(ctx); err != nil || !assert.ObjectsAreEqual(FiftyWant(), got) {
					b.Fatalf("%s decodes wrongly (err %v)", d.Name, err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Process(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
	b.Run("map", func(b *testing.B) {
		for _, d := range Decoders {
			if d.Map == nil {
				continue
			}
			b.Run(d.Name, func(b *testing.B) {
				ctx := b.Context()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Map(ctx, FiftyEnv); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}
