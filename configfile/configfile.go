package configfile

import (
	"fmt"
	"io"
	"strconv"
)

// Kind is the kind of a Node.
type Kind uint8

// The kinds of node. A scalar (String, Number, Bool) keeps its text as
// written; Load decodes it into the field's type as it decodes an
// environment variable.
const (
	Null   Kind = iota // no value (YAML ~ or an empty value, JSON null)
	String             // a string scalar
	Number             // an integer or floating-point scalar, as written
	Bool               // true or false
	Map                // members in document order
	List               // items in document order
)

var kindNames = [...]string{Null: "null", String: "string", Number: "number", Bool: "boolean", Map: "map", List: "list"}

// String names the kind in messages: "a list where a string is expected".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Node is one value of a config file.
//
// A parsed document is a tree of nodes whose root is a Map. Line and
// Column are 1-based and locate the value in the file (0 when the format
// does not know them). Comment is used only when writing an example: it
// is written before the node's member, one "# " line per line of text.
type Node struct {
	Kind    Kind
	Text    string    // the text of a scalar; "" for Null, Map and List
	Members []*Member // the members of a Map, in document order
	Items   []*Node   // the items of a List, in document order
	Line    int
	Column  int
	Comment string
}

// Member is a key of a Map with its value.
type Member struct {
	Key    string
	Value  *Node
	Line   int // of the key
	Column int // of the key
}

// IsScalar reports whether n holds a String, Number or Bool.
func (n *Node) IsScalar() bool { return n.Kind == String || n.Kind == Number || n.Kind == Bool }

// Format reads and writes one file format. Formats are safe for concurrent
// use.
type Format interface {
	// Name names the format in messages: "YAML".
	Name() string

	// Extensions lists the file-name extensions of the format, with the
	// dot (".yaml", ".yml"). driftless refuses a file whose extension
	// belongs to another well-known format, so that a YAML file is never
	// read as TOML by mistake.
	Extensions() []string

	// Parse parses one whole document into a tree whose root is a Map (an
	// empty document is an empty Map). Keys of a map are strings (a
	// format with other key types gives their text). Parse resolves the
	// format's own indirections (YAML anchors, aliases and merge keys)
	// and never returns more than Budget(len(data)) nodes nor nests
	// deeper than MaxDepth, so that a small file cannot exhaust memory.
	//
	// A syntax error is a *SyntaxError whose Reason names the kind of
	// problem and never shows text of the document: the document may hold
	// secrets. A second document in one file is an error.
	Parse(data []byte) (*Node, error)

	// WriteExample writes doc, a Map, in the format with each node's
	// Comment before it; driftless's WriteConfigExample builds doc from a
	// config struct.
	WriteExample(w io.Writer, doc *Node) error
}

// MaxDepth is how deep a document's maps and lists may nest.
const MaxDepth = 64

// Budget is the most nodes Parse may return for a document of n bytes: a
// node per byte, and no more than 1 MiB of nodes beyond that. An alias
// expanded many times counts each time.
func Budget(n int) int { return n + 1<<20 }

// SyntaxError is a document that does not parse. It shows where, never
// what: the document may hold secrets.
type SyntaxError struct {
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Reason string // the kind of problem: "mapping values are not allowed here"
}

// Error returns "line 3, column 7: reason".
func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}
