package gcpsm_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkColdStart fetches 20 secrets concurrently, as driftless does at
// startup, through the official client against a server that answers
// every call after 20 ms. It reports the wall time of one cold start
// (ns/op) and the calls it cost (requests/op): "conn" with the client
// already connected, "new-client" including NewFromDefault and the dial.
func BenchmarkColdStart(b *testing.B) {
	const secrets = 20
	srv := gcpsmtest.NewServer(b)
	ctx := b.Context()
	refs := make([]driver.Ref, secrets)
	for i := range refs {
		name := fmt.Sprintf("secret-%02d", i)
		require.NoError(b, srv.Put(ctx, name, []byte(`{"user":"u","password":"p"}`)))
		refs[i] = driver.Ref{Scheme: gcpsm.Scheme, Name: gcpsmtest.DefaultProject + "/" + name}
	}
	fetchAll := func(b *testing.B, p *gcpsm.Provider) {
		var wg sync.WaitGroup
		errs := make([]error, secrets)
		for i, r := range refs {
			wg.Go(func() { _, errs[i] = p.Fetch(ctx, r) })
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(b, err)
		}
	}
	b.Run("conn", func(b *testing.B) {
		p, err := gcpsm.NewFromDefault(ctx, gcpsm.WithEndpoint(srv.Addr()))
		require.NoError(b, err)
		defer p.Close()
		srv.SetLatency(0)
		fetchAll(b, p) // connect once, so that the loop measures fetches
		srv.SetLatency(20 * time.Millisecond)
		srv.ResetRequests()
		for b.Loop() {
			fetchAll(b, p)
		}
		b.ReportMetric(float64(srv.Requests(""))/float64(b.N), "requests/op")
	})
	b.Run("new-client", func(b *testing.B) {
		srv.SetLatency(20 * time.Millisecond)
		srv.ResetRequests()
		for b.Loop() {
			p, err := gcpsm.NewFromDefault(ctx, gcpsm.WithEndpoint(srv.Addr()))
			if err != nil {
				b.Fatal(err)
			}
			fetchAll(b, p)
			p.Close()
		}
		b.ReportMetric(float64(srv.Requests(""))/float64(b.N), "requests/op")
	})
}

// BenchmarkLoadColdStart is the runtime issue's cold-start case end to end:
// driftless.Load of 40 fields over 20 distinct secrets (two JSON keys each),
// 20 ms per call, through a provider that is already connected. Rerun:
// go test -run '^$' -bench LoadColdStart -benchmem ./providers/gcpsm
func BenchmarkLoadColdStart(b *testing.B) {
	srv := gcpsmtest.NewServer(b)
	ctx := b.Context()
	env := map[string]string{}
	var fields []reflect.StructField
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("secret-%02d", i)
		require.NoError(b, srv.Put(ctx, name, []byte(`{"user":"u","password":"p"}`)))
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "gcpsm://" + gcpsmtest.DefaultProject + "/" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	typ := reflect.StructOf(fields)
	p, err := gcpsm.NewFromDefault(ctx, gcpsm.WithEndpoint(srv.Addr()))
	require.NoError(b, err)
	defer p.Close()
	opts := []driftless.Option{driftless.WithEnv(env), driftless.WithProvider(gcpsm.Scheme, p)}
	if err := driftless.Load(ctx, reflect.New(typ).Interface(), opts...); err != nil { // connect
		b.Fatal(err)
	}
	srv.SetLatency(20 * time.Millisecond)
	srv.ResetRequests()
	for b.Loop() {
		if err := driftless.Load(ctx, reflect.New(typ).Interface(), opts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(srv.Requests(""))/float64(b.N), "requests/op")
}
