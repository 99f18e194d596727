package driftlesstoml_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/configfile"
	driftlesstoml "github.com/driftless/driftless/formats/toml"
)

// FuzzParse checks that Parse never panics, that every error is a
// *configfile.SyntaxError, and that a tree is a map within the budget and
// the depth, with the keys and the lists that go-toml's own decoder
// finds. More seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"a = 1\nb = [\"x\", {c = 1979-05-27}]\n",
		"[a.b]\nc = 'd'\n[[e]]\nf = 1.5\n[[e]]\n[e.g]\nh = true\n",
		"a.b.c = 0x1F\n\"q\".r = inf\n",
		"a = 1\na = 2\n",
		"[a]\n[a]\n",
		"a = \"\"\"\nmulti\\\n  line\"\"\"\n",
		"t = {x = [1, [2]], y.z = 'w'}\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := driftlesstoml.Format.Parse(data)
		if err != nil {
			var se *configfile.SyntaxError
			require.ErrorAs(t, err, &se)
			return
		}
		require.Equal(t, configfile.Map, n.Kind)
		nodes, depth := size(n)
		require.LessOrEqual(t, nodes, configfile.Budget(len(data)))
		require.LessOrEqual(t, depth, configfile.MaxDepth)
		var want map[string]any
		require.NoError(t, toml.Unmarshal(data, &want))
		require.Equal(t, shapeOf(want), shape(n))
	})
}

// shapeOf describes the keys and lists of a value that go-toml decoded.
func shapeOf(v any) string {
	switch v := v.(type) {
	case map[string]any:
		var parts []string
		for k, e := range v {
			parts = append(parts, fmt.Sprintf("%q:%s", k, shapeOf(e)))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		var parts []string
		for _, e := range v {
			parts = append(parts, shapeOf(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return "_"
}

// shape describes the keys and lists of a node as shapeOf does.
func shape(n *configfile.Node) string {
	switch n.Kind {
	case configfile.Map:
		var parts []string
		for _, m := range n.Members {
			parts = append(parts, fmt.Sprintf("%q:%s", m.Key, shape(m.Value)))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case configfile.List:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, shape(it))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return "_"
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
