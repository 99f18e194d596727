package awsps_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
)

// BenchmarkLoadColdStart is the cold-start case: driftless.Load of
// 40 fields, each a parameter of its own, 20 ms per call injected by
// awspstest, through the official SDK client: 4 GetParameters calls sent
// at once, about one round trip. It reports the requests per Load.
// Rerun: go test -run '^$' -bench LoadColdStart ./providers/awsps
func BenchmarkLoadColdStart(b *testing.B) {
	srv := fake(b)
	env := map[string]string{}
	var fields []reflect.StructField
	for i := range 40 {
		name := fmt.Sprintf("/prod/svc/param-%02d", i)
		srv.PutParameter(name, "value", awspstest.SecureString)
		k := fmt.Sprintf("F%02d", i)
		env[k] = "awsps://" + name
		fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
	}
	typ := reflect.StructOf(fields)
	opts := []driftless.Option{driftless.WithEnv(env), driftless.WithProvider(awsps.Scheme, awsps.New(srv.Client()))}
	require.NoError(b, driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...)) // warm the connections
	srv.SetLatency(20 * time.Millisecond)
	srv.ResetCounts()
	for b.Loop() {
		if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(srv.Count("GetParameters")+srv.Count("GetParameter"))/float64(b.N), "requests/op")
}
