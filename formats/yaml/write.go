package driftlessyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/driftless/driftless/configfile"
)

// WriteExample writes doc as a YAML document: each node's Comment is
// written as "# " lines before its key (or list item), and the root's
// Comment at the top. Strings are quoted where YAML would read them as
// another kind ("true", "8080", "a: b"); a null is an empty value.
func (yamlFormat) WriteExample(w io.Writer, doc *configfile.Node) error {
	if doc == nil || doc.Kind != configfile.Map {
		return errors.New("driftlessyaml: WriteExample: the document is not a map")
	}
	y, err := toYAML(doc, 0)
	if err != nil {
		return err
	}
	root := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: comment(doc.Comment), Content: []*yaml.Node{y}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("driftlessyaml: WriteExample: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("driftlessyaml: WriteExample: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// toYAML converts n; its Comment is left to the caller, which puts it on
// the key.
func toYAML(n *configfile.Node, depth int) (*yaml.Node, error) {
	if depth > configfile.MaxDepth {
		return nil, errors.New("driftlessyaml: WriteExample: the document nests deeper than " + strconv.Itoa(configfile.MaxDepth) + " levels")
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, nil
	}
	switch n.Kind {
	case configfile.Map:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, m := range n.Members {
			v, err := toYAML(m.Value, depth+1)
			if err != nil {
				return nil, err
			}
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m.Key}
			if m.Value != nil {
				k.HeadComment = comment(m.Value.Comment)
			}
			y.Content = append(y.Content, k, v)
		}
		return y, nil
	case configfile.List:
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range n.Items {
			yi, err := toYAML(item, depth+1)
			if err != nil {
				return nil, err
			}
			if item != nil {
				yi.HeadComment = comment(item.Comment)
			}
			y.Content = append(y.Content, yi)
		}
		return y, nil
	case configfile.String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.Text}, nil
	case configfile.Number:
		// The tag is written only when YAML would not read the text as
		// this kind of number (a Number is kept as written).
		tag := "!!float"
		if _, err := strconv.ParseInt(n.Text, 0, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.Text}, nil
	case configfile.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.Text}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, nil
}

// comment returns text as the encoder writes it, one "# " line per line,
// without the blank lines that would detach it from its key.
func comment(text string) string {
	var lines []string
	for line := range strings.Lines(text) {
		if line = strings.TrimRight(line, " \t\r\n"); line != "" {
			lines = append(lines, "# "+line)
		}
	}
	return strings.Join(lines, "\n")
}
