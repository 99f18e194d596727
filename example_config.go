package driftless

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/driftless/driftless/configfile"
)

// WriteConfigExample writes an example config file in format for the
// config struct that cfg points to (or is): every field under the key
// WithConfigFiles reads it from (model_name, db: password), set to its
// default, with its desc tag, its env key and the required and secret
// markers as a comment (JSON has no comments: its example holds the values
// only). A field without a default is null, as is a secret field whatever
// its default, unless that default is a reference: a secret belongs in a
// secrets manager or NAME_FILE, never in a config file. The example loads
// as it is, and commits safely.
func WriteConfigExample(w io.Writer, cfg any, format configfile.Format) error {
	if format == nil {
		return fmt.Errorf("driftless: WriteConfigExample: nil format")
	}
	p, _, err := schemaPlan("WriteConfigExample", cfg)
	if err != nil {
		return err
	}
	shape, errs := p.confShape()
	if len(errs) > 0 {
		return &LoadError{Type: p.typ.String(), Errors: slices.Clone(errs)}
	}
	return format.WriteExample(w, exampleNode(p, shape))
}

// exampleNode is the example document of a group of the shape.
func exampleNode(p *plan, g *confNode) *configfile.Node {
	n := &configfile.Node{Kind: configfile.Map}
	for _, kid := range g.list {
		var v *configfile.Node
		if kid.field < 0 {
			v = exampleNode(p, kid)
		} else {
			f := &p.fields[kid.field]
			v = exampleValue(f)
			v.Comment = exampleComment(f)
		}
		n.Members = append(n.Members, &configfile.Member{Key: kid.name.canon, Value: v})
	}
	return n
}

// exampleValue is the default of f as a node, or null.
func exampleValue(f *field) *configfile.Node {
	def, ok := schemaDefault(f)
	if !ok {
		return &configfile.Node{Kind: configfile.Null}
	}
	if f.kind != leafValue {
		return &configfile.Node{Kind: configfile.String, Text: def}
	}
	return toNode(nativeDefault(def, indirect(f.typ), f))
}

func toNode(v any) *configfile.Node {
	switch v := v.(type) {
	case bool:
		return &configfile.Node{Kind: configfile.Bool, Text: strconv.FormatBool(v)}
	case int64:
		return &configfile.Node{Kind: configfile.Number, Text: strconv.FormatInt(v, 10)}
	case uint64:
		return &configfile.Node{Kind: configfile.Number, Text: strconv.FormatUint(v, 10)}
	case float64:
		return &configfile.Node{Kind: configfile.Number, Text: strconv.FormatFloat(v, 'g', -1, 64)}
	case []any:
		n := &configfile.Node{Kind: configfile.List}
		for _, it := range v {
			n.Items = append(n.Items, toNode(it))
		}
		return n
	case map[string]any:
		n := &configfile.Node{Kind: configfile.Map}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			n.Members = append(n.Members, &configfile.Member{Key: k, Value: toNode(v[k])})
		}
		return n
	}
	return &configfile.Node{Kind: configfile.String, Text: fmt.Sprint(v)}
}

// exampleComment is the comment of f in an example file.
func exampleComment(f *field) string {
	var b strings.Builder
	if f.desc != "" {
		b.WriteString(f.desc)
		b.WriteString("\n")
	}
	b.WriteString(indirect(f.typ).String())
	b.WriteString("; env " + f.key)
	if f.flag != "" {
		b.WriteString("; flag --" + f.flag)
	}
	if f.required {
		b.WriteString("; required")
	}
	if f.secret {
		b.WriteString("; secret: give a reference (awssm://..., vault://...) or set " + f.keyFile + ", never the value")
	}
	return b.String()
}

// confKeys returns the canonical names of the levels of f in a config
// file: db, password.
func (f *field) confKeys() []string {
	names := make([]string, len(f.conf))
	for i, n := range f.conf {
		names[i] = n.canon
	}
	return names
}
