package azkv_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkColdStart fetches 20 secrets concurrently through the official
// client from a fake vault that delays every response by 20 ms. "cold"
// builds a new provider, client and connection pool per iteration (so each
// iteration pays the bearer-token challenge and TLS handshakes); "warm"
// reuses one provider. requests/op counts every HTTP request the vault
// received, challenges included.
func BenchmarkColdStart(b *testing.B) {
	const secrets, latency = 20, 20 * time.Millisecond
	srv := azkvtest.NewServer(b)
	refs := make([]driver.Ref, secrets)
	for i := range refs {
		name := fmt.Sprintf("secret-%02d", i)
		srv.Set(name, "value-"+name)
		refs[i] = driver.Ref{Scheme: azkv.Scheme, Name: azkvtest.DefaultVault + "/" + name}
	}
	srv.SetLatency(latency)

	newProvider := func(b *testing.B) *azkv.Provider {
		opts := srv.ClientOptions()
		tr := srv.HTTPClient().Transport.(*http.Transport).Clone()
		b.Cleanup(tr.CloseIdleConnections)
		opts.Transport = &http.Client{Transport: tr}
		p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(srv.Credential()), azkv.WithClientOptions(opts))
		require.NoError(b, err)
		return p
	}
	run := func(b *testing.B, p *azkv.Provider) {
		res, err := p.FetchBatch(b.Context(), refs)
		require.NoError(b, err)
		for i, r := range res {
			if r.Err != nil {
				b.Fatalf("ref %d: %v", i, r.Err)
			}
		}
	}
	report := func(b *testing.B, n int) {
		st := srv.Stats()
		b.ReportMetric(float64(st.Requests)/float64(n), "requests/op")
		b.ReportMetric(float64(st.Challenges)/float64(n), "challenges/op")
	}

	b.Run("cold", func(b *testing.B) {
		srv.ResetStats()
		n := 0
		for b.Loop() {
			run(b, newProvider(b))
			n++
		}
		report(b, n)
	})
	b.Run("warm", func(b *testing.B) {
		p := newProvider(b)
		run(b, p)
		srv.ResetStats()
		n := 0
		for b.Loop() {
			run(b, p)
			n++
		}
		report(b, n)
	})
}

// BenchmarkLoadColdStart is the runtime issue's cold-start case end to end:
// driftless.Load of 40 fields over 20 distinct secrets (two JSON keys each),
// 20 ms per response, through the official client over TLS, provider warm.
// Rerun: go test -run '^$' -bench LoadColdStart -benchmem ./providers/azkv
func BenchmarkLoadColdStart(b *testing.B) {
	srv := azkvtest.NewServer(b)
	env := map[string]string{}
	var fields []reflect.StructField
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("secret-%02d", i)
		srv.Set(name, `{"user":"u","password":"p"}`)
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "azkv://" + azkvtest.DefaultVault + "/" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	typ := reflect.StructOf(fields)
	p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(srv.Credential()), azkv.WithClientOptions(srv.ClientOptions()))
	require.NoError(b, err)
	opts := []driftless.Option{driftless.WithEnv(env), driftless.WithProvider(azkv.Scheme, p)}
	if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...); err != nil { // challenge, TLS
		b.Fatal(err)
	}
	srv.SetLatency(20 * time.Millisecond)
	srv.ResetStats()
	for b.Loop() {
		if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), opts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(srv.Stats().Requests)/float64(b.N), "requests/op")
}
