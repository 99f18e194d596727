package awssm_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/stretchr/testify/require"
)

// BenchmarkColdStart fetches 20 distinct secrets, each named by two
// references (40 fields reading two keys of 20 JSON secrets), through the
// real SDK client against awssmtest with 20 ms of latency per request, with
// a new Provider each time (a cold start). It reports the requests sent
// per cold start; ns/op is the wall time.
func BenchmarkColdStart(b *testing.B) {
	for _, bc := range []struct {
		name string
		deny bool
		opts []awssm.Option
	}{
		{"batch", false, nil},
		{"batch-denied-fallback", true, nil},
		{"get-secret-value", false, []awssm.Option{awssm.WithBatch(false)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := fake(b)
			var refs []driver.Ref
			for i := range 20 {
				name := fmt.Sprintf("prod/svc/secret-%02d", i)
				require.NoError(b, srv.Put(b.Context(), name, []byte(`{"user":"u","password":"p"}`)))
				refs = append(refs, ref(name), ref(name))
			}
			srv.SetLatency(20 * time.Millisecond)
			srv.DenyBatch(bc.deny)
			client := srv.Client()
			srv.ResetCounts()
			b.ResetTimer()
			for b.Loop() {
				res, err := awssm.New(client, bc.opts...).FetchBatch(b.Context(), refs)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
			}
			b.ReportMetric(float64(srv.Total())/float64(b.N), "requests/op")
		})
	}
}

// BenchmarkLoadColdStart is the runtime issue's cold-start case end to end:
// driftless.Load of 40 fields over 20 distinct secrets (two JSON keys each),
// 20 ms per call injected by awssmtest, through the official SDK client.
// Rerun: go test -run '^$' -bench LoadColdStart -benchmem ./providers/awssm
func BenchmarkLoadColdStart(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []awssm.Option
	}{{"batch", nil}, {"get-secret-value", []awssm.Option{awssm.WithBatch(false)}}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := fake(b)
			env := map[string]string{}
			var fields []reflect.StructField
			for i := range 20 {
				name := fmt.Sprintf("prod/svc/secret-%02d", i)
				require.NoError(b, srv.Put(b.Context(), name, []byte(`{"user":"u","password":"p"}`)))
				for _, key := range []string{"user", "password"} {
					k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
					env[k] = "awssm://" + name + "#" + key
					fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
				}
			}
			typ := reflect.StructOf(fields)
			opts := []driftless.Option{driftless.WithEnv(env), driftless.WithProvider("awssm", awssm.New(srv.Client(), bc.opts...))}
			if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...); err != nil { // warm the connection
				b.Fatal(err)
			}
			srv.SetLatency(20 * time.Millisecond)
			srv.ResetCounts()
			for b.Loop() {
				if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(srv.Total())/float64(b.N), "requests/op")
		})
	}
}
