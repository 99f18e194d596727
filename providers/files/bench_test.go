package files_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
)

// BenchmarkFetch reads a small secret through a kubelet volume's per-key
// symlink.
func BenchmarkFetch(b *testing.B) {
	vol := newVolume(b, map[string][]byte{"api-key": []byte("sk-0123456789abcdef0123456789abcdef")})
	p := files.New()
	defer p.Close()
	ref := fileRef(vol.path("api-key"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Fetch(context.Background(), ref); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSwapToReport measures the time from the start of a kubelet
// swap to Watch reporting it, for the default debounce and for none.
func BenchmarkSwapToReport(b *testing.B) {
	for _, debounce := range []time.Duration{files.DefaultDebounce, 0} {
		b.Run(fmt.Sprintf("debounce=%v", debounce), func(b *testing.B) {
			vol := newVolume(b, map[string][]byte{"api-key": []byte("v0")})
			p := files.New(files.WithDebounce(debounce))
			defer p.Close()
			ref := fileRef(vol.path("api-key"))
			if _, err := p.Fetch(context.Background(), ref); err != nil {
				b.Fatal(err)
			}
			ch := make(chan driver.Ref, 16)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = p.Watch(ctx, []driver.Ref{ref}, func(r driver.Ref) { ch <- r })
			}()
			defer func() { cancel(); <-done }()
			i := 0
			for b.Loop() {
				i++
				vol.set("api-key", fmt.Appendf(nil, "v%d", i))
				select {
				case <-ch:
				case <-time.After(time.Minute):
					b.Fatal("no report")
				}
			}
		})
	}
}
