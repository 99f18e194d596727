package driftlessyaml_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
)

// FuzzParse checks that Parse never panics (nor lets the parser's own
// panic through as the backstop's error), that every error is a
// *configfile.SyntaxError, and that a tree fits the budget and the depth.
// More seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb: [x, {c: ~}]\n",
		"base: &b {x: 1}\nm:\n  <<: [*b, {y: 2}]\n  z: 3\n",
		"a: &a [*a]\n",
		"a: &x {<<: *x}\n",
		"? [a]\n: 1\n",
		"a: !Ref x\n",
		"a: 1\n---\nb: 2\n",
		"a: |\n  text\n  more\nb: >-\n  folded\n",
		"%YAML 1.1\n---\na: 0x1F\n",
		"a: b: c\n",
		"- a\n- b\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Add([]byte(laughs(6, false)))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := driftlessyaml.Format.Parse(data)
		if err != nil {
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			require.NotEqual(t, "the YAML parser failed on this document", se.Reason)
			return
		}
		require.Equal(t, configfile.Map, n.Kind)
		nodes, depth := size(n)
		require.LessOrEqual(t, nodes, configfile.Budget(len(data)))
		require.LessOrEqual(t, depth, configfile.MaxDepth)
	})
}

// size returns how many nodes n holds and how deep it nests.
func size(n *configfile.Node) (nodes, depth int) {
	nodes = 1
	for _, m := range n.Members {
		c, d := size(m.Value)
		nodes += c
		depth = max(depth, d+1)
	}
	for _, it := range n.Items {
		c, d := size(it)
		nodes += c
		depth = max(depth, d+1)
	}
	return nodes, depth
}
