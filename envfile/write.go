package envfile

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ExampleEntry describes one key of a .env.example, typically generated
// from a struct field's tags.
type ExampleEntry struct {
	// Key is the variable name; it must match [A-Za-z_][A-Za-z0-9_.-]*.
	Key string
	// Default is written as the value, unless Secret is set.
	Default string
	// Desc is written as comment lines above the key.
	Desc string
	// Required adds the "required" marker that Check reads.
	Required bool
	// Secret leaves the value empty, whatever Default holds, and adds the
	// "secret" marker.
	Secret bool
}

// ErrInvalidKey is returned by Write for an ExampleEntry whose key is not
// a valid .env key.
var ErrInvalidKey = errors.New("envfile: invalid key")

// Write renders entries as a .env.example: for each entry, its description
// as "# " comment lines, then KEY=default, with an inline comment holding
// its markers ("required", "secret"), and a blank line between entries.
// Values are quoted where needed so that Parse (without lookup) gives back
// exactly Default; a secret's value is always left empty:
//
//	# model to serve
//	MODEL_NAME=gpt-4-turbo
//
//	OPENAI_API_KEY= # required, secret
//
// Write checks every key before writing anything and returns an error
// wrapping ErrInvalidKey (with the entry's index, never its content) for the
// first invalid one.
func Write(w io.Writer, entries []ExampleEntry) error {
	for i, e := range entries {
		if !validKey(e.Key) {
			return &WriteError{Index: i}
		}
	}
	bw := bufio.NewWriter(w)
	for i, e := range entries {
		if i > 0 {
			bw.WriteByte('\n')
		}
		writeComment(bw, e.Desc)
		bw.WriteString(e.Key)
		bw.WriteByte('=')
		if !e.Secret {
			bw.WriteString(quote(e.Default))
		}
		switch {
		case e.Required && e.Secret:
			bw.WriteString(" # required, secret")
		case e.Required:
			bw.WriteString(" # required")
		case e.Secret:
			bw.WriteString(" # secret")
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteError reports an ExampleEntry that Write cannot render. It wraps
// ErrInvalidKey.
type WriteError struct {
	// Index is the position of the entry in the slice given to Write.
	Index int
}

// Error returns a message naming the entry's index.
func (e *WriteError) Error() string {
	return "envfile: entry " + strconv.Itoa(e.Index) + ": invalid key"
}

// Unwrap returns ErrInvalidKey.
func (e *WriteError) Unwrap() error { return ErrInvalidKey }

func validKey(k string) bool {
	if k == "" || !isNameStart(k[0]) {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isKeyChar(k[i]) {
			return false
		}
	}
	return true
}

// writeComment writes desc as comment lines, one per line of desc.
func writeComment(bw *bufio.Writer, desc string) {
	if desc == "" {
		return
	}
	desc = strings.ReplaceAll(desc, "\r\n", "\n")
	desc = strings.ReplaceAll(desc, "\r", "\n")
	for line := range strings.SplitSeq(desc, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			bw.WriteString("#\n")
			continue
		}
		bw.WriteString("# ")
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
}

// quote returns v as a .env value that parses back to v: bare when that is
// safe, in single quotes when v has no single quote or line end, else in
// double quotes with escapes.
func quote(v string) string {
	if v == "" {
		return ""
	}
	bare, single := true, true
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\'', '\n', '\r':
			bare, single = false, false
		case ' ', '\t', '#', '$', '"', '\\', '`':
			bare = false
		default:
			if c < 0x20 || c == 0x7f {
				bare = false
			}
		}
	}
	switch {
	case bare:
		return v
	case single:
		return "'" + v + "'"
	}
	var b strings.Builder
	b.Grow(len(v) + 8)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', '"', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
