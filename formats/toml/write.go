package driftlesstoml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"

	"github.com/driftless/driftless/configfile"
)

// WriteExample writes doc as a TOML document: each node's Comment is
// written as "# " lines before its key or [table] header, and the root's
// Comment at the top. The members of a map that are maps become [tables]
// ([a.b] deeper down), written after the map's other keys as TOML
// requires; lists, and maps inside lists, are written inline. TOML has no
// null: a Null member is written commented out ("# key ="), and a Null
// inside a list is an error.
func (tomlFormat) WriteExample(w io.Writer, doc *configfile.Node) error {
	if doc == nil || doc.Kind != configfile.Map {
		return errors.New("driftlesstoml: WriteExample: the document is not a map")
	}
	var b bytes.Buffer
	if doc.Comment != "" {
		writeComment(&b, doc.Comment)
		b.WriteByte('\n')
	}
	if err := writeTable(&b, doc, nil, 0); err != nil {
		return fmt.Errorf("driftlesstoml: WriteExample: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var errTooDeep = errors.New("the document nests deeper than " + strconv.Itoa(configfile.MaxDepth) + " levels")

// writeTable writes the members of m, the table at path: its key-values,
// then its sub-tables.
func writeTable(b *bytes.Buffer, m *configfile.Node, path []string, depth int) error {
	if depth > configfile.MaxDepth {
		return errTooDeep
	}
	for _, mem := range m.Members {
		v := mem.Value
		if v != nil && v.Kind == configfile.Map {
			continue
		}
		if v == nil || v.Kind == configfile.Null {
			if v != nil {
				writeComment(b, v.Comment)
			}
			k, err := key(mem.Key)
			if err != nil {
				return err
			}
			b.WriteString("# " + k + " =\n")
			continue
		}
		writeComment(b, v.Comment)
		k, err := key(mem.Key)
		if err != nil {
			return err
		}
		b.WriteString(k + " = ")
		if err := writeInline(b, v, depth+1); err != nil {
			return fmt.Errorf("key %s: %w", strconv.Quote(mem.Key), err)
		}
		b.WriteByte('\n')
	}
	for _, mem := range m.Members {
		v := mem.Value
		if v == nil || v.Kind != configfile.Map {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		writeComment(b, v.Comment)
		k, err := key(mem.Key)
		if err != nil {
			return err
		}
		sub := append(path[:len(path):len(path)], k)
		b.WriteString("[" + strings.Join(sub, ".") + "]\n")
		if err := writeTable(b, v, sub, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// writeInline writes a value on one line.
func writeInline(b *bytes.Buffer, n *configfile.Node, depth int) error {
	if depth > configfile.MaxDepth {
		return errTooDeep
	}
	switch n.Kind {
	case configfile.String:
		return writeString(b, n.Text)
	case configfile.Number:
		if isNumber(n.Text) {
			b.WriteString(n.Text)
			return nil
		}
		return writeString(b, n.Text) // driftless decodes a number from its text
	case configfile.Bool:
		if v, err := strconv.ParseBool(n.Text); err == nil {
			b.WriteString(strconv.FormatBool(v))
			return nil
		}
		return writeString(b, n.Text)
	case configfile.List:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if it == nil || it.Kind == configfile.Null {
				return errors.New("TOML has no null: a list holds a null")
			}
			if err := writeInline(b, it, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case configfile.Map:
		b.WriteByte('{')
		for i, m := range n.Members {
			if m.Value == nil || m.Value.Kind == configfile.Null {
				return errors.New("TOML has no null: a map in a list holds a null")
			}
			if i > 0 {
				b.WriteString(", ")
			}
			k, err := key(m.Key)
			if err != nil {
				return err
			}
			b.WriteString(k + " = ")
			if err := writeInline(b, m.Value, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return errors.New("TOML has no null")
	}
	return nil
}

// isNumber reports whether text is a TOML integer or float.
func isNumber(text string) bool {
	if text == "" || strings.IndexFunc(text, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("+-._", r))
	}) >= 0 {
		return false
	}
	var v map[string]any
	if toml.Unmarshal([]byte("v = "+text), &v) != nil {
		return false
	}
	switch v["v"].(type) {
	case int64, float64:
		return true
	}
	return false
}

// key returns k as a TOML key: bare when it can be, else quoted.
func key(k string) (string, error) {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-')
	}) < 0 {
		return k, nil
	}
	var b bytes.Buffer
	if err := writeString(&b, k); err != nil {
		return "", errors.New("a key is not valid UTF-8")
	}
	return b.String(), nil
}

// writeString writes s as a TOML basic string.
func writeString(b *bytes.Buffer, s string) error {
	if !utf8.ValidString(s) {
		return errors.New("a string is not valid UTF-8")
	}
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04X`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return nil
}

// writeComment writes text as "# " lines, without blank ones.
func writeComment(b *bytes.Buffer, text string) {
	for line := range strings.Lines(text) {
		if line = strings.TrimRight(line, " \t\r\n"); line != "" {
			b.WriteString("# " + line + "\n")
		}
	}
}
