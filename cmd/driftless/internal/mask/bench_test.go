package mask_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/driftless/driftless/cmd/driftless/internal/mask"
)

// BenchmarkWriter masks log output holding a secret every few lines, with
// 100 values (400 patterns with their encoded forms), in 4 KiB
// writes.
func BenchmarkWriter(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	var values []string
	for i := range 100 {
		values = append(values, fmt.Sprintf("secret-%03d-%016x", i, rng.Uint64()))
	}
	var log strings.Builder
	for i := 0; log.Len() < 1<<20; i++ {
		fmt.Fprintf(&log, "2026-01-02T03:04:05Z level=info msg=\"request served\" path=/api/v1/items/%d status=200 bytes=%d\n", i, rng.IntN(1<<16))
		if i%10 == 0 {
			fmt.Fprintf(&log, "debug token=%s\n", values[rng.IntN(len(values))])
		}
	}
	in := []byte(log.String())
	w := mask.NewWriter(io.Discard, values)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(in); i += 4096 {
			_, _ = w.Write(in[i:min(i+4096, len(in))])
		}
	}
	_ = w.Close()
}

// BenchmarkNewWriter builds the patterns and the automaton for 100 values.
func BenchmarkNewWriter(b *testing.B) {
	var values []string
	for i := range 100 {
		values = append(values, fmt.Sprintf("secret-%03d-%016x", i, i*7919))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = mask.NewWriter(io.Discard, values)
	}
}

// BenchmarkWriterAdversarial masks output made of short values inside the
// prefix of a long one: a scan that started again after each match would
// read each byte hundreds of times.
func BenchmarkWriterAdversarial(b *testing.B) {
	values := []string{"aaaa", strings.Repeat("a", 1000) + "b"}
	in := []byte(strings.Repeat(strings.Repeat("a", 999)+"c", 1000))
	w := mask.NewWriter(io.Discard, values)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		for i := 0; i < len(in); i += 4096 {
			_, _ = w.Write(in[i:min(i+4096, len(in))])
		}
	}
	_ = w.Close()
}
