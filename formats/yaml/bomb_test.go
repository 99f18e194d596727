package driftlessyaml_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
)

// laughs returns a billion-laughs document: levels anchors, each a list
// (or a map) of ten aliases of the one before, 10^levels values in all.
func laughs(levels int, maps bool) string {
	var b strings.Builder
	b.WriteString("l0: &l0 lol\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d ", i, i)
		if maps {
			b.WriteString("{")
			for j := range 10 {
				fmt.Fprintf(&b, "k%d: *l%d, ", j, i-1)
			}
			b.WriteString("}\n")
			continue
		}
		b.WriteString("[" + strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10) + "]\n")
	}
	return b.String()
}

// mergeLaughs is the same with merge keys: each level merges the level
// before ten times under new keys.
func mergeLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("m0: &m0 {a: lol, b: lol}\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {", i, i)
		for j := range 10 {
			fmt.Fprintf(&b, "k%d: {<<: *m%d}, ", j, i-1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// TestParseRefusesAliasBombs checks that a document whose aliases expand
// beyond the budget is refused without building its expansion: the
// allocations are those of parsing the small document, not of a million
// nodes.
func TestParseRefusesAliasBombs(t *testing.T) {
	for name, doc := range map[string]string{
		"lists":  laughs(9, false),
		"maps":   laughs(9, true),
		"merges": mergeLaughs(9),
	} {
		t.Run(name, func(t *testing.T) {
			data := []byte(doc)
			require.Less(t, len(data), 2000)
			parse := func() error {
				_, err := driftlessyaml.Format.Parse(data)
				return err
			}
			err := parse()
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, se.Reason, "the document expands to more than")
			assert.Positive(t, se.Line)

			allocs := testing.AllocsPerRun(3, func() { _ = parse() })
			assert.Less(t, allocs, 5000.0, "allocations per Parse")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_ = parse()
			runtime.ReadMemStats(&after)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated by Parse")
		})
	}
}

// TestParseAliasBombReturns is a guard against a regression that would
// expand a bomb (10^30 values): it fails in seconds rather than hanging the
// test binary until its timeout.
func TestParseAliasBombReturns(t *testing.T) {
	t.Parallel()
	done := make(chan error, 1)
	go func() {
		_, err := driftlessyaml.Format.Parse([]byte(laughs(30, false)))
		done <- err
	}()
	select {
	case err := <-done:
		var se *configfile.SyntaxError
		assert.ErrorAs(t, err, &se)
	case <-time.After(30 * time.Second): // a correct Parse takes microseconds
		t.Fatal("Parse is expanding an alias bomb")
	}
}

// TestParseExpandsWithinBudget checks that aliases within the budget are
// expanded in full, each expansion a node of its own.
func TestParseExpandsWithinBudget(t *testing.T) {
	t.Parallel()
	n, err := driftlessyaml.Format.Parse([]byte(laughs(4, false))) // 10^4 values
	require.NoError(t, err)
	l4 := n.Members[4].Value
	count := 0
	var walk func(*configfile.Node)
	walk = func(n *configfile.Node) {
		count++
		for _, it := range n.Items {
			walk(it)
		}
	}
	walk(l4)
	assert.Equal(t, 1+10+100+1000+10000, count)
}

func BenchmarkParseAliasBomb(b *testing.B) {
	data := []byte(laughs(9, false))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = driftlessyaml.Format.Parse(data)
	}
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, "key_%d: value %d\n", i, i)
	}
	sb.WriteString("db:\n  host: localhost\n  port: 5432\n  hosts: [a, b, c]\n")
	data := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		_, _ = driftlessyaml.Format.Parse(data)
	}
}
