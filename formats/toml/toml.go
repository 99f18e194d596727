package driftlesstoml

import (
	"sort"
	"strconv"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/driftless/driftless/configfile"
)

// Format is the TOML format of files ending in .toml.
var Format configfile.Format = tomlFormat{}

type tomlFormat struct{}

func (tomlFormat) Name() string         { return "TOML" }
func (tomlFormat) Extensions() []string { return []string{".toml"} }

// Parse parses a TOML document. It runs go-toml's decoder first, which
// checks everything TOML forbids (a key or a table defined twice, a date
// that does not exist, an integer out of range), then walks go-toml's
// syntax tree, which has the positions, to build the tree.
func (tomlFormat) Parse(data []byte) (*configfile.Node, error) {
	var check map[string]any
	if err := toml.Unmarshal(data, &check); err != nil {
		return nil, syntaxError(err, data)
	}
	b := builder{data: data, lines: lineStarts(data), budget: configfile.Budget(len(data)), members: map[*configfile.Node]map[string]*configfile.Member{}}
	return b.document()
}

// builder builds the tree of a document that go-toml's decoder accepted.
type builder struct {
	p       unstable.Parser
	data    []byte
	lines   []int // the offset at which each line starts
	budget  int   // nodes left
	members map[*configfile.Node]map[string]*configfile.Member
}

func (b *builder) document() (*configfile.Node, error) {
	root := b.newNode(configfile.Map, 0)
	b.budget-- // the root, which the budget always allows
	b.p.Reset(b.data)
	cur, depth := root, 0
	for b.p.NextExpression() {
		var err error
		switch e := b.p.Expression(); e.Kind {
		case unstable.KeyValue:
			err = b.keyValue(cur, depth, e)
		case unstable.Table, unstable.ArrayTable:
			cur, depth, err = b.table(root, e)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := b.p.Error(); err != nil {
		return nil, syntaxError(err, b.data)
	}
	return root, nil
}

// newNode returns a node of kind at the offset off of the document.
func (b *builder) newNode(kind configfile.Kind, off int) *configfile.Node {
	line, col := b.pos(off)
	return &configfile.Node{Kind: kind, Line: line, Column: col}
}

func (b *builder) pos(off int) (line, col int) { return position(b.lines, off) }

// position turns an offset into a 1-based line and column (in bytes, as
// go-toml's errors count them), given where each line starts.
func position(lines []int, off int) (line, col int) {
	i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	return i + 1, off - lines[i] + 1
}

// add adds a member key (the key node k) with value v to the map m.
func (b *builder) add(m *configfile.Node, k *unstable.Node, v *configfile.Node) *configfile.Member {
	line, col := b.pos(int(k.Raw.Offset))
	mem := &configfile.Member{Key: string(k.Data), Value: v, Line: line, Column: col}
	m.Members = append(m.Members, mem)
	if b.members[m] == nil {
		b.members[m] = map[string]*configfile.Member{}
	}
	b.members[m][mem.Key] = mem
	return mem
}

// count takes a node at offset off from the budget, and checks its depth.
func (b *builder) count(off, depth int) error {
	if depth > configfile.MaxDepth {
		return b.errAt(off, "nested deeper than "+strconv.Itoa(configfile.MaxDepth)+" levels")
	}
	if b.budget--; b.budget < 0 {
		return b.errAt(off, "the document has too many values")
	}
	return nil
}

func (b *builder) errAt(off int, reason string) error {
	line, col := b.pos(off)
	return &configfile.SyntaxError{Line: line, Column: col, Reason: reason}
}

// descend returns the map that the key part k names in m (at depth),
// made when it does not exist yet (a table that a dotted key or a deeper
// table header defines implicitly). An array of tables stands for its
// last table.
func (b *builder) descend(m *configfile.Node, depth int, k *unstable.Node) (*configfile.Node, int, error) {
	if mem := b.members[m][string(k.Data)]; mem != nil {
		v, d := mem.Value, depth+1
		if v.Kind == configfile.List && len(v.Items) > 0 {
			v, d = v.Items[len(v.Items)-1], d+1
		}
		if v.Kind != configfile.Map { // the decoder refuses such a document
			return nil, 0, b.errAt(int(k.Raw.Offset), "a key is used as a table but holds a value")
		}
		return v, d, nil
	}
	if err := b.count(int(k.Raw.Offset), depth+1); err != nil {
		return nil, 0, err
	}
	sub := b.newNode(configfile.Map, int(k.Raw.Offset))
	b.add(m, k, sub)
	return sub, depth + 1, nil
}

// keyParts returns the parts of the key of a KeyValue, Table or
// ArrayTable expression.
func keyParts(e *unstable.Node) []*unstable.Node {
	var parts []*unstable.Node
	for it := e.Key(); it.Next(); {
		parts = append(parts, it.Node())
	}
	return parts
}

// table handles a [table] or [[array of tables]] header and returns the
// map that the key-values after it go to.
func (b *builder) table(root *configfile.Node, e *unstable.Node) (*configfile.Node, int, error) {
	parts := keyParts(e)
	m, depth := root, 0
	for _, k := range parts[:len(parts)-1] {
		var err error
		if m, depth, err = b.descend(m, depth, k); err != nil {
			return nil, 0, err
		}
	}
	last := parts[len(parts)-1]
	if e.Kind == unstable.Table {
		return b.descend(m, depth, last)
	}
	list := b.members[m][string(last.Data)]
	if list == nil {
		if err := b.count(int(last.Raw.Offset), depth+1); err != nil {
			return nil, 0, err
		}
		list = b.add(m, last, b.newNode(configfile.List, int(last.Raw.Offset)))
	}
	if list.Value.Kind != configfile.List { // the decoder refuses such a document
		return nil, 0, b.errAt(int(last.Raw.Offset), "an array of tables has the name of another key")
	}
	if err := b.count(int(last.Raw.Offset), depth+2); err != nil {
		return nil, 0, err
	}
	item := b.newNode(configfile.Map, int(last.Raw.Offset))
	list.Value.Items = append(list.Value.Items, item)
	return item, depth + 2, nil
}

// keyValue adds the key-value expression e to the map m (at depth).
func (b *builder) keyValue(m *configfile.Node, depth int, e *unstable.Node) error {
	parts := keyParts(e)
	for _, k := range parts[:len(parts)-1] {
		var err error
		if m, depth, err = b.descend(m, depth, k); err != nil {
			return err
		}
	}
	last := parts[len(parts)-1]
	// The value starts after the last part of the key and the '='.
	v, _, err := b.value(e.Value(), depth+1, int(last.Raw.Offset+last.Raw.Length))
	if err != nil {
		return err
	}
	b.add(m, last, v)
	return nil
}

// value converts the value v found depth levels below the root. from is
// an offset before it with only blanks, '=', ',' or comments between:
// go-toml gives no range for an array. value returns the offset after it.
func (b *builder) value(v *unstable.Node, depth int, from int) (*configfile.Node, int, error) {
	start := int(v.Raw.Offset)
	if v.Kind == unstable.Array {
		start = b.skip(from)
	}
	if err := b.count(start, depth); err != nil {
		return nil, 0, err
	}
	switch v.Kind {
	case unstable.Array:
		n := b.newNode(configfile.List, start)
		end := start + 1
		for it := v.Children(); it.Next(); {
			item := it.Node()
			if item.Kind == unstable.Comment {
				continue
			}
			in, e, err := b.value(item, depth+1, end)
			if err != nil {
				return nil, 0, err
			}
			n.Items = append(n.Items, in)
			end = e
		}
		return n, b.skip(end) + 1, nil // past the ']'
	case unstable.InlineTable:
		n := b.newNode(configfile.Map, start)
		end := start + 1
		for it := v.Children(); it.Next(); {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			if err := b.keyValue(n, depth, kv); err != nil {
				return nil, 0, err
			}
			end = int(kv.Raw.Offset + kv.Raw.Length)
		}
		return n, b.skip(end) + 1, nil // past the '}'
	}
	kind, ok := scalarKinds[v.Kind]
	if !ok {
		return nil, 0, b.errAt(start, "malformed TOML")
	}
	// Data is a string's value, and the text of anything else as written.
	n := b.newNode(kind, start)
	n.Text = string(v.Data)
	return n, start + int(v.Raw.Length), nil
}

// scalarKinds maps go-toml's kinds of scalar to configfile's.
var scalarKinds = map[unstable.Kind]configfile.Kind{
	unstable.String:        configfile.String,
	unstable.Integer:       configfile.Number,
	unstable.Float:         configfile.Number,
	unstable.Bool:          configfile.Bool,
	unstable.DateTime:      configfile.String,
	unstable.LocalDateTime: configfile.String,
	unstable.LocalDate:     configfile.String,
	unstable.LocalTime:     configfile.String,
}

// skip returns the offset of the first byte at or after off that is not
// a blank, a line break, '=', ',' or part of a comment.
func (b *builder) skip(off int) int {
	for off < len(b.data) {
		switch b.data[off] {
		case ' ', '\t', '\r', '\n', '=', ',':
			off++
		case '#':
			for off < len(b.data) && b.data[off] != '\n' {
				off++
			}
		default:
			return off
		}
	}
	return off
}

// lineStarts returns the offset at which each line of data starts.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}
