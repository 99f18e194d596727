package configfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
)

// JSON is the JSON format (RFC 8259) of files ending in .json. A document
// is one object. JSON has no comments: WriteExample writes the values
// only (WriteNestedSchema gives editors the descriptions).
var JSON Format = jsonFormat{}

type jsonFormat struct{}

func (jsonFormat) Name() string         { return "JSON" }
func (jsonFormat) Extensions() []string { return []string{".json"} }

// Parse parses one JSON object with the position of every value.
func (jsonFormat) Parse(data []byte) (*Node, error) {
	p := jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data)), lines: lineStarts(data)}
	p.dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 {
		return &Node{Kind: Map, Line: 1, Column: 1}, nil
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if n.Kind != Map {
		return nil, &SyntaxError{Line: n.Line, Column: n.Column, Reason: "the document is a " + n.Kind.String() + ", not an object"}
	}
	if _, err := p.dec.Token(); err != io.EOF {
		line, col := p.pos(p.start())
		return nil, &SyntaxError{Line: line, Column: col, Reason: "more than one JSON value in the file"}
	}
	return n, nil
}

// jsonParser walks the tokens of a document.
type jsonParser struct {
	data  []byte
	dec   *json.Decoder
	lines []int // the offset at which each line starts
}

// start is the offset of the next token: after the end of the last one,
// past blanks and the separators the decoder consumes silently.
func (p *jsonParser) start() int {
	i := int(p.dec.InputOffset())
	for i < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[i]) >= 0 {
		i++
	}
	return i
}

// pos turns an offset into a 1-based line and column.
func (p *jsonParser) pos(off int) (line, col int) {
	i := sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off }) - 1
	return i + 1, off - p.lines[i] + 1
}

func (p *jsonParser) token() (json.Token, int, int, error) {
	line, col := p.pos(p.start())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, line, col, jsonSyntax(err, p, line, col)
	}
	return tok, line, col, nil
}

func (p *jsonParser) value(depth int) (*Node, error) {
	tok, line, col, err := p.token()
	if err != nil {
		return nil, err
	}
	n := &Node{Line: line, Column: col}
	if depth > MaxDepth {
		return nil, &SyntaxError{Line: line, Column: col, Reason: "nested deeper than " + strconv.Itoa(MaxDepth) + " levels"}
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind = Map
			for p.dec.More() {
				kt, kl, kc, err := p.token()
				if err != nil {
					return nil, err
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Members = append(n.Members, &Member{Key: kt.(string), Value: v, Line: kl, Column: kc})
			}
		case '[':
			n.Kind = List
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, v)
			}
		}
		if _, _, _, err := p.token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Text = String, t
	case json.Number:
		n.Kind, n.Text = Number, string(t)
	case bool:
		n.Kind, n.Text = Bool, strconv.FormatBool(t)
	case nil:
		n.Kind = Null
	}
	return n, nil
}

// jsonSyntax turns a decoder error into a *SyntaxError without the
// character the decoder quotes.
// The position is that of the token that failed.
func jsonSyntax(err error, p *jsonParser, line, col int) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &SyntaxError{Line: line, Column: col, Reason: "malformed JSON"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		line, col := p.pos(max(len(p.data)-1, 0))
		return &SyntaxError{Line: line, Column: col, Reason: "unexpected end of the document"}
	}
	return &SyntaxError{Reason: "malformed JSON"}
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

// WriteExample writes doc as indented JSON; comments are dropped.
func (jsonFormat) WriteExample(w io.Writer, doc *Node) error {
	var b bytes.Buffer
	encode(&b, doc, "\n")
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// ToJSON returns the JSON text of n: a struct field filled from a JSON
// value takes a map of a config file this way. A Number is written as
// written when it is a JSON number, else as a string.
func ToJSON(n *Node) []byte {
	var b bytes.Buffer
	encode(&b, n, "")
	return b.Bytes()
}

// encode writes n as JSON: compact when nl is "", else indented by two
// spaces per level, nl being the newline and the indent of n's level.
func encode(b *bytes.Buffer, n *Node, nl string) {
	inner := ""
	if nl != "" {
		inner = nl + "  "
	}
	switch n.Kind {
	case Map:
		b.WriteByte('{')
		for i, m := range n.Members {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(inner)
			k, _ := json.Marshal(m.Key)
			b.Write(k)
			b.WriteByte(':')
			if nl != "" {
				b.WriteByte(' ')
			}
			encode(b, m.Value, inner)
		}
		if len(n.Members) > 0 {
			b.WriteString(nl)
		}
		b.WriteByte('}')
	case List:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(inner)
			encode(b, it, inner)
		}
		if len(n.Items) > 0 {
			b.WriteString(nl)
		}
		b.WriteByte(']')
	case Bool:
		b.WriteString(n.Text)
	case Number:
		if json.Valid([]byte(n.Text)) {
			b.WriteString(n.Text)
			return
		}
		s, _ := json.Marshal(n.Text)
		b.Write(s)
	case String:
		s, _ := json.Marshal(n.Text)
		b.Write(s)
	default:
		b.WriteString("null")
	}
}
