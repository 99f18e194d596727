package driftless

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/driver"
)

// benchSnapshot returns a snapshot store, its loader and the entries of a
// config of 40 secrets of 64 bytes.
func benchSnapshot(b *testing.B) (*snapshotStore, *loader, snapshotBinding, map[cacheKey]*entry) {
	type Config struct{ A Secret }
	s, err := newSnapshotStore(filepath.Join(b.TempDir(), "config.snap"), SnapshotKeyEnv("K"), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	l, err := newLoader(reflect.TypeFor[Config](), []Option{WithEnv(map[string]string{"K": "bench-key-material-of-at-least-32-bytes"})})
	if err != nil {
		b.Fatal(err)
	}
	fetched := map[cacheKey]*entry{}
	var keys []cacheKey
	for i := range 40 {
		k := cacheKey{ref: driver.Ref{Scheme: "awssm", Name: fmt.Sprintf("prod/service/secret-%02d", i)}}
		keys = append(keys, k)
		fetched[k] = &entry{done: closedChan, val: driver.Value{Data: fmt.Appendf(nil, "%064d", i), Version: fmt.Sprintf("v-%d", i)}}
	}
	return s, l, l.binding(keys), fetched
}

// BenchmarkSnapshotWrite measures sealing and writing (with fsync) the
// snapshot of 40 secrets.
func BenchmarkSnapshotWrite(b *testing.B) {
	s, l, bind, fetched := benchSnapshot(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.write(b.Context(), l.o, bind, fetched); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotRead measures reading, checking and opening the
// snapshot of 40 secrets.
func BenchmarkSnapshotRead(b *testing.B) {
	s, l, bind, fetched := benchSnapshot(b)
	if err := s.write(b.Context(), l.o, bind, fetched); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.read(b.Context(), l.o, bind)
		if err != nil || len(p.Entries) != 40 {
			b.Fatal("snapshot not read", err)
		}
	}
}
