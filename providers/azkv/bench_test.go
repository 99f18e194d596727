package azkv_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
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
	refs := make([]driftless.Ref, secrets)
	for i := range refs {
		name := fmt.Sprintf("secret-%02d", i)
		srv.Set(name, "value-"+name)
		refs[i] = driftless.Ref{Scheme: azkv.Scheme, Name: azkvtest.DefaultVault + "/" + name}
	}
	srv.SetLatency(latency)

	newProvider := func(b *testing.B) *azkv.Provider {
		opts := srv.ClientOptions()
		tr := srv.HTTPClient().Transport.(*http.Transport).Clone()
		b.Cleanup(tr.CloseIdleConnections)
		opts.Transport = &http.Client{Transport: tr}
		p, err := azkv.NewDefault(azkv.WithVaultURL(srv.VaultURL), azkv.WithCredential(srv.Credential()), azkv.WithClientOptions(opts))
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	run := func(b *testing.B, p *azkv.Provider) {
		res, err := p.FetchBatch(b.Context(), refs)
		if err != nil {
			b.Fatal(err)
		}
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
