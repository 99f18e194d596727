package driftlessyaml

import (
	"bytes"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/driftless/driftless/configfile"
)

// Format is the YAML format of files ending in .yaml or .yml.
var Format configfile.Format = yamlFormat{}

type yamlFormat struct{}

func (yamlFormat) Name() string         { return "YAML" }
func (yamlFormat) Extensions() []string { return []string{".yaml", ".yml"} }

// parserFailed is the reason given when the YAML parser panics on a
// document instead of reporting an error: a bug of the parser, which must
// not take the service down with it.
const parserFailed = "the YAML parser failed on this document"

// Parse parses one YAML document whose root is a mapping.
func (yamlFormat) Parse(data []byte) (n *configfile.Node, err error) {
	defer func() {
		if recover() != nil {
			n, err = nil, &configfile.SyntaxError{Reason: parserFailed}
		}
	}()
	doc, err := decodeOne(data)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return &configfile.Node{Kind: configfile.Map, Line: 1, Column: 1}, nil
	}
	root := doc
	if root.Kind == yaml.AliasNode && root.Alias != nil {
		root = root.Alias
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return &configfile.Node{Kind: configfile.Map, Line: root.Line, Column: root.Column}, nil
	}
	c := converter{budget: configfile.Budget(len(data)), sizes: map[*yaml.Node]measure{}, visiting: map[*yaml.Node]bool{}}
	if _, err := c.measure(doc, 0); err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		k := configfile.List
		if root.Kind == yaml.ScalarNode {
			k = scalarKinds[root.Tag]
		}
		return nil, &configfile.SyntaxError{Line: root.Line, Column: root.Column, Reason: "the document is a " + k.String() + ", not a map"}
	}
	return c.build(doc), nil
}

// decodeOne returns the root node of the only document of data, nil for a
// file with no document (empty, or comments only).
func decodeOne(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, syntaxError(err, data)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, syntaxError(err, data)
	default:
		return nil, &configfile.SyntaxError{Line: next.Line, Column: next.Column, Reason: "more than one document in the file"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &configfile.SyntaxError{Line: doc.Line, Column: doc.Column, Reason: "malformed YAML"}
	}
	return doc.Content[0], nil
}

// measure is the size of a node once its aliases are expanded: how many
// configfile nodes it becomes, and how many levels it nests below itself.
type measure struct{ size, height int }

// converter turns a yaml.Node tree into a configfile.Node tree in two
// phases: measure checks everything that can fail (tags, keys, merges,
// cycles, depth and size with aliases expanded) without allocating the
// expansion; build then allocates a tree known to fit the budget.
type converter struct {
	budget   int
	sizes    map[*yaml.Node]measure // of anchored nodes, measured once
	visiting map[*yaml.Node]bool    // anchored nodes being measured
}

func errAt(n *yaml.Node, reason string) error {
	return &configfile.SyntaxError{Line: n.Line, Column: n.Column, Reason: reason}
}

// measure measures n, found depth levels below the root, and checks it.
func (c *converter) measure(n *yaml.Node, depth int) (measure, error) {
	if depth > configfile.MaxDepth {
		return measure{}, errAt(n, "nested deeper than "+strconv.Itoa(configfile.MaxDepth)+" levels")
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return measure{}, errAt(n, "an alias names an anchor that is not defined before it")
		}
		if c.visiting[n.Alias] {
			return measure{}, errAt(n, "an alias refers to a value that contains it")
		}
		if m, ok := c.sizes[n.Alias]; ok && depth+m.height > configfile.MaxDepth {
			return measure{}, errAt(n, "nested deeper than "+strconv.Itoa(configfile.MaxDepth)+" levels")
		}
		return c.measure(n.Alias, depth)
	}
	if c.visiting[n] { // reached again through a merge key
		return measure{}, errAt(n, "a merge key refers to the map that holds it")
	}
	if m, ok := c.sizes[n]; ok {
		if depth+m.height > configfile.MaxDepth {
			return measure{}, errAt(n, "nested deeper than "+strconv.Itoa(configfile.MaxDepth)+" levels")
		}
		return m, nil
	}
	if n.Anchor != "" {
		c.visiting[n] = true
		defer delete(c.visiting, n)
	}
	m := measure{size: 1}
	add := func(child measure, extra int) error {
		m.size += child.size + extra
		m.height = max(m.height, child.height+1)
		if m.size > c.budget {
			return errAt(n, "the document expands to more than "+strconv.Itoa(c.budget)+" values (aliases counted)")
		}
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if _, ok := scalarKinds[n.Tag]; !ok {
			return measure{}, errAt(n, "unsupported tag on a scalar")
		}
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return measure{}, errAt(n, "unsupported tag on a sequence")
		}
		for _, item := range n.Content {
			im, err := c.measure(item, depth+1)
			if err != nil {
				return measure{}, err
			}
			if err := add(im, 0); err != nil {
				return measure{}, err
			}
		}
	case yaml.MappingNode:
		if n.Tag != "!!map" {
			return measure{}, errAt(n, "unsupported tag on a mapping")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if err := c.key(k); err != nil {
				return measure{}, err
			}
			if isMerge(k) {
				maps, err := mergedMaps(v)
				if err != nil {
					return measure{}, err
				}
				for _, mm := range maps {
					// The members of a merged map count as members of n:
					// the map itself is not a node of the result.
					mmm, err := c.measure(mm, depth)
					if err != nil {
						return measure{}, err
					}
					if err := add(measure{size: mmm.size, height: mmm.height - 1}, -1); err != nil {
						return measure{}, err
					}
				}
				continue
			}
			vm, err := c.measure(v, depth+1)
			if err != nil {
				return measure{}, err
			}
			if err := add(vm, 0); err != nil {
				return measure{}, err
			}
		}
	default:
		return measure{}, errAt(n, "malformed YAML")
	}
	if n.Anchor != "" {
		c.sizes[n] = m
	}
	return m, nil
}

// key checks that k, a key of a mapping, is a scalar.
func (c *converter) key(k *yaml.Node) error {
	t := deref(k)
	if t.Kind != yaml.ScalarNode {
		return errAt(k, "a key is a "+map[yaml.Kind]string{yaml.MappingNode: "map", yaml.SequenceNode: "list"}[t.Kind]+", not a scalar")
	}
	if _, ok := scalarKinds[t.Tag]; !ok && t.Tag != "!!merge" {
		return errAt(k, "unsupported tag on a key")
	}
	return nil
}

// deref returns the node an alias refers to (n itself when it is not an
// alias, or an alias to an unknown anchor).
func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isMerge reports whether k is the merge key: a plain << (a quoted "<<"
// is an ordinary key).
func isMerge(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.Tag == "!!merge" }

// mergedMaps returns the mappings that the value of a merge key merges
// in, in order: a mapping, or a sequence of mappings (each possibly an
// alias).
func mergedMaps(v *yaml.Node) ([]*yaml.Node, error) {
	const reason = "the value of a merge key (<<) is not a map or a list of maps"
	switch t := deref(v); t.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{t}, nil
	case yaml.SequenceNode:
		maps := make([]*yaml.Node, 0, len(t.Content))
		for _, item := range t.Content {
			m := deref(item)
			if m.Kind != yaml.MappingNode {
				return nil, errAt(item, reason)
			}
			maps = append(maps, m)
		}
		return maps, nil
	}
	return nil, errAt(v, reason)
}

// scalarKinds maps the tags of the scalars Parse accepts to their kind.
var scalarKinds = map[string]configfile.Kind{
	"!!str":       configfile.String,
	"!!timestamp": configfile.String,
	"!!binary":    configfile.String,
	"!!merge":     configfile.String, // a plain << that is not a key
	"!!int":       configfile.Number,
	"!!float":     configfile.Number,
	"!!bool":      configfile.Bool,
	"!!null":      configfile.Null,
}

// build converts n, which measure accepted.
func (c *converter) build(n *yaml.Node) *configfile.Node {
	n = deref(n)
	out := &configfile.Node{Line: n.Line, Column: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		out.Kind = scalarKinds[n.Tag]
		if out.Kind != configfile.Null {
			out.Text = n.Value
		}
		if n.Tag == "!!float" {
			out.Text = goFloat(n.Value)
		}
	case yaml.SequenceNode:
		out.Kind = configfile.List
		out.Items = make([]*configfile.Node, 0, len(n.Content))
		for _, item := range n.Content {
			out.Items = append(out.Items, c.build(item))
		}
	case yaml.MappingNode:
		out.Kind = configfile.Map
		out.Members = c.members(n)
	}
	return out
}

// members returns the members of the mapping n with its merge keys
// resolved: merged members take the place of the merge key, a key of n
// wins over a merged one, and an earlier merged map over a later one.
func (c *converter) members(n *yaml.Node) []*configfile.Member {
	var own, merged map[string]bool // keys of n, and keys merged so far
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMerge(n.Content[i]) {
			own, merged = map[string]bool{}, map[string]bool{}
			break
		}
	}
	if own != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; !isMerge(k) {
				own[deref(k).Value] = true
			}
		}
	}
	members := make([]*configfile.Member, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMerge(k) {
			members = append(members, &configfile.Member{Key: deref(k).Value, Value: c.build(v), Line: k.Line, Column: k.Column})
			continue
		}
		maps, _ := mergedMaps(v) // checked by measure
		for _, mm := range maps {
			for _, m := range c.members(mm) {
				if !own[m.Key] && !merged[m.Key] {
					merged[m.Key] = true
					members = append(members, m)
				}
			}
		}
	}
	return members
}

// goFloat writes YAML's special floats (.inf, -.inf, .nan, in any of the
// letter cases YAML allows) as Go's strconv reads them; any other float is
// kept as written.
func goFloat(s string) string {
	switch s {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return "+Inf"
	case "-.inf", "-.Inf", "-.INF":
		return "-Inf"
	case ".nan", ".NaN", ".NAN":
		return "NaN"
	}
	return s
}
