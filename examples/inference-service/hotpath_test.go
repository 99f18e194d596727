package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The request path's read of the config stays one atomic load with the
// metrics and the snapshot on: no allocation.
func TestCurrentAllocatesNothing(t *testing.T) {
	f := newOutageFixture(t, true)
	s := f.boot(t)
	allocs := testing.AllocsPerRun(1000, func() { _ = s.cfg.Current().Timeout })
	assert.Zero(t, allocs, "Handle.Current allocates")
}

// BenchmarkServiceCurrent measures the request path's read of the config
// with the metrics and the snapshot on.
// Rerun: go test -run '^$' -bench ServiceCurrent -benchmem ./inference-service
func BenchmarkServiceCurrent(b *testing.B) {
	f := newOutageFixture(b, true)
	s := f.boot(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			n += int64(s.cfg.Current().Timeout)
		}
		_ = n
	})
}
