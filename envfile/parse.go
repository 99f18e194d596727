package envfile

import (
	"errors"
	"hash/maphash"
	"io"
	"os"
	"strconv"
	"strings"
)

// Entry is one KEY=value assignment of a .env file.
type Entry struct {
	// Key is the variable name.
	Key string
	// Value is the value after quote removal, escape processing and
	// variable expansion.
	Value string
	// File is the name given to Parse (the path for ParseFile).
	File string
	// Line and Col locate the first byte of the key: Line counts from 1,
	// Col is the 1-based byte offset within the line (a leading UTF-8 BOM
	// is not counted).
	Line, Col int
	// Quote is the quote character that enclosed the value: 0 for an
	// unquoted value, '\'' or '"'.
	Quote byte
	// Comment is the inline comment after the value (the text after '#',
	// trimmed), empty when there is none. Check reads the markers
	// "required" and "secret" from it.
	Comment string
}

// Required reports whether the entry's inline comment carries the
// "required" marker (see Check).
func (e Entry) Required() bool { return hasMarker(e.Comment, "required") }

// Secret reports whether the entry's inline comment carries the "secret"
// marker (see Write).
func (e Entry) Secret() bool { return hasMarker(e.Comment, "secret") }

// File is a parsed .env file.
//
// A File is not modified by its methods; it is safe for concurrent reads.
type File struct {
	// Name is the name given to Parse (the path for ParseFile).
	Name string
	// Entries are the assignments in file order; a repeated key appears
	// once per occurrence.
	Entries []Entry
}

// Lookup returns the last entry for key: within a file, the last
// occurrence of a key wins. It scans the entries, so callers that look up
// many keys in a large file should use Map.
func (f *File) Lookup(key string) (Entry, bool) {
	for i := len(f.Entries) - 1; i >= 0; i-- {
		if f.Entries[i].Key == key {
			return f.Entries[i], true
		}
	}
	return Entry{}, false
}

// Map returns the file's keys and values, the last occurrence of a
// repeated key winning.
func (f *File) Map() map[string]string {
	m := make(map[string]string, len(f.Entries))
	for _, e := range f.Entries {
		m[e.Key] = e.Value
	}
	return m
}

// Duplicates returns the later occurrences of repeated keys, in file order:
// for a key set three times, the second and third entries.
func (f *File) Duplicates() []Entry {
	var dups []Entry
	seen := make(map[string]struct{}, len(f.Entries))
	for _, e := range f.Entries {
		if _, ok := seen[e.Key]; ok {
			dups = append(dups, e)
			continue
		}
		seen[e.Key] = struct{}{}
	}
	return dups
}

// ErrSyntax is wrapped by every *ParseError, so that
// errors.Is(err, envfile.ErrSyntax) tells a malformed file from an I/O error.
var ErrSyntax = errors.New("envfile: syntax error")

// ParseError reports a malformed line. It never holds any text of the
// input, only its position and a fixed description.
type ParseError struct {
	// File is the name given to Parse.
	File string
	// Line (from 1) and Col (1-based byte offset in the line) locate the
	// offending byte.
	Line, Col int
	// Reason is a fixed description of the problem.
	Reason string
}

// Error returns "file:line:col: reason".
func (e *ParseError) Error() string {
	pos := strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Reason
	if e.File == "" {
		return pos
	}
	return e.File + ":" + pos
}

// Unwrap returns ErrSyntax.
func (e *ParseError) Unwrap() error { return ErrSyntax }

// MaxErrors is the number of syntax errors after which Parse stops.
const MaxErrors = 10

// Reasons of ParseError; fixed strings, so that no input text can reach an
// error message.
const (
	reasonKeyStart       = "key must start with a letter or underscore"
	reasonKeyChar        = "invalid character in key"
	reasonMissingKey     = "missing key before '='"
	reasonMissingEq      = "missing '=' after key"
	reasonUnterminatedSQ = "unterminated single-quoted value"
	reasonUnterminatedDQ = "unterminated double-quoted value"
	reasonAfterQuote     = "unexpected character after closing quote"
	reasonUnterminatedEx = "unterminated ${ expansion"
	reasonEmptyName      = "empty variable name in ${}"
	reasonBadName        = "invalid variable name in ${}"
	reasonBadOperator    = "unsupported ${} operator (only ${VAR}, ${VAR-default} and ${VAR:-default})"
	reasonTooDeep        = "${} defaults nested too deeply"
)

// maxDepth bounds the nesting of ${VAR:-${OTHER:-...}} defaults.
const maxDepth = 16

// Option configures Parse and ParseFile.
type Option func(*options)

type options struct {
	lookup      func(string) (string, bool)
	lookupFirst bool
}

// WithLookup sets where $VAR and ${VAR} find variables that no earlier key
// of the file sets, typically os.LookupEnv. By default there is none: the
// package never reads the process environment by itself, and an unknown
// variable expands to the empty string (or to its default).
func WithLookup(fn func(key string) (string, bool)) Option {
	return func(o *options) { o.lookup = fn }
}

// WithLookupFirst makes expansion consult the lookup function before the
// earlier keys of the file, so that ${VAR} sees the same value the Loader
// uses when the process environment has VAR (the process environment wins
// over a .env file), as python-dotenv's load_dotenv(override=False) does.
// By default earlier keys come first, as in python-dotenv's dotenv_values.
func WithLookupFirst() Option {
	return func(o *options) { o.lookupFirst = true }
}

// ParseFile reads and parses the file at path, as Parse does. Entries and
// errors carry path as their file name. An I/O error is returned as the os
// package returned it (a *fs.PathError, which holds no file content).
func ParseFile(path string, opts ...Option) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(string(data), path, opts)
}

// Parse reads r to the end and parses it as a .env file named name (used
// in entries and error messages).
//
// On syntax errors Parse returns the File of the lines that did parse
// together with the error: a *ParseError, or for several lines an
// errors.Join of them (at most MaxErrors). Parse stops at an unterminated
// quote, since the rest of the input cannot be told apart from the value.
// An error reading r is returned as is, with a nil File.
func Parse(r io.Reader, name string, opts ...Option) (*File, error) {
	var sb strings.Builder
	if l, ok := r.(interface{ Len() int }); ok {
		sb.Grow(l.Len())
	}
	if _, err := io.Copy(&sb, r); err != nil {
		return nil, err
	}
	return parse(sb.String(), name, opts)
}

func parse(src, name string, opts []Option) (*File, error) {
	p := parser{name: name, line: 1}
	for _, o := range opts {
		o(&p.opts)
	}
	src = strings.TrimPrefix(src, "\ufeff")
	p.src = src
	n := min(strings.Count(src, "\n")+1, strings.Count(src, "="))
	p.entries = make([]Entry, 0, n)
	for p.i < len(p.src) && len(p.errs) < MaxErrors {
		p.parseLine()
	}
	f := &File{Name: name, Entries: p.entries}
	switch len(p.errs) {
	case 0:
		return f, nil
	case 1:
		return f, p.errs[0]
	default:
		return f, errors.Join(p.errs...)
	}
}

type parser struct {
	src       string
	name      string
	opts      options
	i         int // read offset
	line      int // line of offset i
	lineStart int // offset of the first byte of that line
	entries   []Entry
	// index is an open-addressing hash table of entry index+1 by key (0 is
	// empty), built on the first expansion in a file of more than
	// linearScan entries; it holds the last occurrence of each key.
	index []int32
	seed  maphash.Seed
	nvars int    // entries already in index
	buf   []byte // scratch for values that need rewriting
	errs  []error

	// anchor of the value being parsed, for positions inside multi-line values
	anchorLine, anchorStart int
}

func isSpace(c byte) bool     { return c == ' ' || c == '\t' }
func isEOL(c byte) bool       { return c == '\n' || c == '\r' }
func isNameStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isNameChar(c byte) bool  { return isNameStart(c) || (c >= '0' && c <= '9') }
func isKeyChar(c byte) bool   { return isNameChar(c) || c == '.' || c == '-' }

func (p *parser) skipSpace() {
	for p.i < len(p.src) && isSpace(p.src[p.i]) {
		p.i++
	}
}

// newline consumes a line terminator (\n, \r\n or \r) at p.i, if any.
func (p *parser) newline() {
	if p.i >= len(p.src) {
		return
	}
	switch p.src[p.i] {
	case '\r':
		p.i++
		if p.i < len(p.src) && p.src[p.i] == '\n' {
			p.i++
		}
	case '\n':
		p.i++
	default:
		return
	}
	p.line++
	p.lineStart = p.i
}

// skipLine moves past the end of the current line.
func (p *parser) skipLine() {
	for p.i < len(p.src) && !isEOL(p.src[p.i]) {
		p.i++
	}
	p.newline()
}

// fail records an error at offset off of the current line.
func (p *parser) fail(off int, reason string) {
	p.errs = append(p.errs, &ParseError{File: p.name, Line: p.line, Col: off - p.lineStart + 1, Reason: reason})
}

// failAt records an error at an offset inside the value being parsed,
// which may span lines.
func (p *parser) failAt(off int, reason string) {
	line, start := p.anchorLine, p.anchorStart
	for j := start; j < off; j++ {
		switch p.src[j] {
		case '\r':
			if j+1 < len(p.src) && p.src[j+1] == '\n' {
				j++
			}
		case '\n':
		default:
			continue
		}
		line++
		start = j + 1
	}
	p.errs = append(p.errs, &ParseError{File: p.name, Line: line, Col: off - start + 1, Reason: reason})
}

// countLines advances the line counters over src[from:to], a quoted value.
func (p *parser) countLines(from, to int) {
	for j := from; j < to; j++ {
		switch p.src[j] {
		case '\r':
			if j+1 < to && p.src[j+1] == '\n' {
				j++
			}
		case '\n':
		default:
			continue
		}
		p.line++
		p.lineStart = j + 1
	}
}

func (p *parser) parseLine() {
	src := p.src
	p.skipSpace()
	if p.i >= len(src) {
		return
	}
	c := src[p.i]
	if isEOL(c) {
		p.newline()
		return
	}
	if c == '#' {
		p.skipLine()
		return
	}
	if strings.HasPrefix(src[p.i:], "export") && p.i+6 < len(src) && isSpace(src[p.i+6]) {
		p.i += 6
		p.skipSpace()
	}
	keyStart := p.i
	if p.i >= len(src) || !isNameStart(src[p.i]) {
		if p.i < len(src) && src[p.i] == '=' {
			p.fail(p.i, reasonMissingKey)
		} else {
			p.fail(p.i, reasonKeyStart)
		}
		p.skipLine()
		return
	}
	for p.i < len(src) && isKeyChar(src[p.i]) {
		p.i++
	}
	e := Entry{Key: src[keyStart:p.i], File: p.name, Line: p.line, Col: keyStart - p.lineStart + 1}
	p.skipSpace()
	if p.i >= len(src) || src[p.i] != '=' {
		if p.i >= len(src) || isEOL(src[p.i]) || p.i > keyStart+len(e.Key) {
			p.fail(p.i, reasonMissingEq)
		} else {
			p.fail(p.i, reasonKeyChar)
		}
		p.skipLine()
		return
	}
	p.i++
	eq := p.i
	p.skipSpace()
	p.anchorLine, p.anchorStart = p.line, p.lineStart
	ok := false
	if p.i < len(src) {
		switch src[p.i] {
		case '\'':
			ok = p.singleQuoted(&e)
		case '"':
			ok = p.doubleQuoted(&e)
		default:
			ok = p.unquoted(&e, p.i > eq)
		}
	} else {
		ok = true
	}
	if ok {
		p.entries = append(p.entries, e)
	}
}

// unquoted reads a value up to the end of the line. A '#' preceded by a
// space or tab (or by the spaces after '=') starts a comment.
func (p *parser) unquoted(e *Entry, spaced bool) bool {
	src := p.src
	start := p.i
	end := -1
	dollar := false
	j := start
	for ; j < len(src); j++ {
		c := src[j]
		if isEOL(c) {
			break
		}
		if end < 0 {
			if c == '$' {
				dollar = true
			} else if c == '#' && ((j == start && spaced) || (j > start && isSpace(src[j-1]))) {
				end = j
			}
		}
	}
	if end >= 0 {
		e.Comment = strings.Trim(src[end+1:j], " \t")
	} else {
		end = j
	}
	for end > start && isSpace(src[end-1]) {
		end--
	}
	p.i = j
	v := src[start:end]
	if dollar && strings.IndexByte(v, '$') >= 0 {
		b, ok := p.expand(p.buf[:0], v, start, false, 0)
		p.buf = b
		if !ok {
			p.skipLine()
			return false
		}
		v = string(b)
	}
	e.Value = v
	p.newline()
	return true
}

// singleQuoted reads a literal value up to the next single quote.
func (p *parser) singleQuoted(e *Entry) bool {
	src := p.src
	q := p.i
	k := strings.IndexByte(src[q+1:], '\'')
	if k < 0 {
		p.fail(q, reasonUnterminatedSQ)
		p.i = len(src)
		return false
	}
	end := q + 1 + k
	v := src[q+1 : end]
	if strings.IndexByte(v, '\r') >= 0 {
		b := p.buf[:0]
		b = appendNormalized(b, v)
		p.buf = b
		p.countLines(q+1, end)
		v = string(b)
	} else if strings.IndexByte(v, '\n') >= 0 {
		p.countLines(q+1, end)
	}
	e.Value, e.Quote = v, '\''
	p.i = end + 1
	return p.afterQuote(e)
}

// appendNormalized appends s with \r\n and lone \r turned into \n.
func appendNormalized(b []byte, s string) []byte {
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c == '\r' {
			c = '\n'
			if k+1 < len(s) && s[k+1] == '\n' {
				k++
			}
		}
		b = append(b, c)
	}
	return b
}

// doubleQuoted reads a value up to the next unescaped double quote,
// processing escapes and expansions.
func (p *parser) doubleQuoted(e *Entry) bool {
	src := p.src
	q := p.i
	special, multi := false, false
	j := q + 1
	for j < len(src) {
		c := src[j]
		if c == '"' {
			break
		}
		switch c {
		case '\\':
			special = true
			if j+1 < len(src) && isEOL(src[j+1]) {
				multi = true
			}
			j += 2
			continue
		case '$', '\r':
			special = true
			multi = multi || c == '\r'
		case '\n':
			multi = true
		}
		j++
	}
	if j >= len(src) {
		p.fail(q, reasonUnterminatedDQ)
		p.i = len(src)
		return false
	}
	v := src[q+1 : j]
	if special {
		b, ok := p.expand(p.buf[:0], v, q+1, true, 0)
		p.buf = b
		if !ok {
			if multi {
				p.countLines(q+1, j)
			}
			p.i = j + 1
			p.skipLine()
			return false
		}
		v = string(b)
	}
	if multi {
		p.countLines(q+1, j)
	}
	e.Value, e.Quote = v, '"'
	p.i = j + 1
	return p.afterQuote(e)
}

// afterQuote accepts spaces and a comment after a closing quote.
func (p *parser) afterQuote(e *Entry) bool {
	src := p.src
	p.skipSpace()
	if p.i < len(src) && src[p.i] == '#' {
		start := p.i + 1
		for p.i < len(src) && !isEOL(src[p.i]) {
			p.i++
		}
		e.Comment = strings.Trim(src[start:p.i], " \t")
	}
	if p.i < len(src) && !isEOL(src[p.i]) {
		p.fail(p.i, reasonAfterQuote)
		p.skipLine()
		return false
	}
	p.newline()
	return true
}

// expand appends s to b, expanding $VAR, ${VAR}, ${VAR-default} and
// ${VAR:-default}; with dq it also processes backslash escapes and
// normalizes line ends. off is the offset of s in the source, for errors.
func (p *parser) expand(b []byte, s string, off int, dq bool, depth int) ([]byte, bool) {
	if depth > maxDepth {
		p.failAt(off, reasonTooDeep)
		return b, false
	}
	for k := 0; k < len(s); {
		c := s[k]
		switch {
		case c == '$':
			var ok bool
			b, k, ok = p.variable(b, s, k, off, dq, depth)
			if !ok {
				return b, false
			}
		case c == '\\' && dq:
			if k+1 >= len(s) {
				b = append(b, '\\')
				k++
				continue
			}
			r := s[k+1]
			switch r {
			case 'n':
				r = '\n'
			case 't':
				r = '\t'
			case 'r':
				r = '\r'
			case 'a':
				r = '\a'
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'v':
				r = '\v'
			case '"', '\\', '\'', '$':
			case '}':
				if depth == 0 {
					b = append(b, '\\')
					k++
					continue
				}
			default:
				// Unknown escape: keep the backslash, process the next
				// byte on its own.
				b = append(b, '\\')
				k++
				continue
			}
			b = append(b, r)
			k += 2
		case c == '\r':
			b = append(b, '\n')
			k++
			if k < len(s) && s[k] == '\n' {
				k++
			}
		default:
			// Copy the run of plain bytes at once.
			n := k + 1
			for n < len(s) && s[n] != '$' && s[n] != '\\' && s[n] != '\r' {
				n++
			}
			b = append(b, s[k:n]...)
			k = n
		}
	}
	return b, true
}

// variable expands the reference starting with the '$' at s[k]; it returns
// the offset after it.
func (p *parser) variable(b []byte, s string, k, off int, dq bool, depth int) ([]byte, int, bool) {
	if k+1 >= len(s) {
		return append(b, '$'), k + 1, true
	}
	if s[k+1] != '{' {
		if !isNameStart(s[k+1]) {
			return append(b, '$'), k + 1, true
		}
		n := k + 2
		for n < len(s) && isNameChar(s[n]) {
			n++
		}
		v, _ := p.resolve(s[k+1 : n])
		return append(b, v...), n, true
	}
	nameStart := k + 2
	n := nameStart
	if n < len(s) && isNameStart(s[n]) {
		n++
		for n < len(s) && (isNameChar(s[n]) || s[n] == '.') {
			n++
		}
	}
	name := s[nameStart:n]
	if n >= len(s) {
		p.failAt(off+k, reasonUnterminatedEx)
		return b, 0, false
	}
	if name == "" {
		if s[n] == '}' {
			p.failAt(off+k, reasonEmptyName)
		} else {
			p.failAt(off+n, reasonBadName)
		}
		return b, 0, false
	}
	var colon bool
	switch {
	case s[n] == '}':
		v, _ := p.resolve(name)
		return append(b, v...), n + 1, true
	case s[n] == '-':
		n++
	case s[n] == ':' && n+1 < len(s) && s[n+1] == '-':
		colon = true
		n += 2
	case s[n] == ':':
		p.failAt(off+n, reasonBadOperator)
		return b, 0, false
	default:
		p.failAt(off+n, reasonBadName)
		return b, 0, false
	}
	// Find the closing brace of the default, allowing nested ${...}.
	end, nest := -1, 0
	for m := n; m < len(s); m++ {
		switch s[m] {
		case '\\':
			if dq {
				m++
			}
		case '$':
			if m+1 < len(s) && s[m+1] == '{' {
				nest++
				m++
			}
		case '}':
			if nest == 0 {
				end = m
			}
			nest--
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 {
		p.failAt(off+k, reasonUnterminatedEx)
		return b, 0, false
	}
	v, ok := p.resolve(name)
	if ok && (!colon || v != "") {
		return append(b, v...), end + 1, true
	}
	b, ok = p.expand(b, s[n:end], off+n, dq, depth+1)
	return b, end + 1, ok
}

// resolve finds a variable among the earlier keys and the lookup function,
// in the configured order.
func (p *parser) resolve(name string) (string, bool) {
	lookup := p.opts.lookup
	if lookup != nil && p.opts.lookupFirst {
		if v, ok := lookup(name); ok {
			return v, true
		}
	}
	if v, ok := p.earlier(name); ok {
		return v, true
	}
	if lookup != nil && !p.opts.lookupFirst {
		return lookup(name)
	}
	return "", false
}

// linearScan is the number of entries up to which earlier keys are
// searched by a backward scan rather than through a hash index; it covers the .env
// files of most services without building a map.
const linearScan = 64

// earlier returns the value of the last entry so far with key name.
func (p *parser) earlier(name string) (string, bool) {
	if p.index == nil && len(p.entries) <= linearScan {
		for i := len(p.entries) - 1; i >= 0; i-- {
			if p.entries[i].Key == name {
				return p.entries[i].Value, true
			}
		}
		return "", false
	}
	if len(p.index) < 2*len(p.entries) {
		// First use, or the entries outgrew the estimate made from the
		// input (lone-CR line ends): (re)build at most half full.
		n := 64
		for n < 2*cap(p.entries) {
			n <<= 1
		}
		if p.index == nil {
			p.seed = maphash.MakeSeed()
		}
		p.index = make([]int32, n)
		p.nvars = 0
	}
	mask := uint64(len(p.index) - 1)
	for ; p.nvars < len(p.entries); p.nvars++ {
		key := p.entries[p.nvars].Key
		for h := maphash.String(p.seed, key) & mask; ; h = (h + 1) & mask {
			if s := p.index[h]; s == 0 || p.entries[s-1].Key == key {
				p.index[h] = int32(p.nvars + 1)
				break
			}
		}
	}
	for h := maphash.String(p.seed, name) & mask; ; h = (h + 1) & mask {
		s := p.index[h]
		if s == 0 {
			return "", false
		}
		if e := &p.entries[s-1]; e.Key == name {
			return e.Value, true
		}
	}
}

// hasMarker reports whether comment starts with a list of markers that
// includes marker. Markers are the leading words "required" and "secret"
// (any case), separated by spaces, commas, colons or semicolons.
func hasMarker(comment, marker string) bool {
	for comment != "" {
		comment = strings.TrimLeft(comment, " \t,;:")
		n := strings.IndexAny(comment, " \t,;:")
		if n < 0 {
			n = len(comment)
		}
		w := comment[:n]
		switch {
		case strings.EqualFold(w, marker):
			return true
		case strings.EqualFold(w, "required"), strings.EqualFold(w, "secret"):
			comment = comment[n:]
		default:
			return false
		}
	}
	return false
}
