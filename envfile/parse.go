package envfile

import (
	"io"
	"iter"
	"math"
	"os"
	"slices"
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
	// Vars names the variables whose values were expanded into Value
	// (from earlier entries or the lookup), in order of first use; nil
	// when the value expanded none. A loader uses it to treat a value that
	// interpolated a secret as secret.
	Vars []string
}

// Required reports whether the entry's inline comment carries the
// "required" marker (see Check).
func (e Entry) Required() bool { return hasMarker(e.Comment, "required") }

// Secret reports whether the entry's inline comment carries the "secret"
// marker (see Write).
func (e Entry) Secret() bool { return hasMarker(e.Comment, "secret") }

// File is a parsed .env file.
//
// A File holds its input and, per entry, a few offsets into it; its
// entries are built on demand by Entry, All and Lookup, so that the memory
// a File takes stays a small multiple of the input's size.
//
// A File is not modified by its methods; it is safe for concurrent reads.
type File struct {
	// Name is the name given to Parse (the path for ParseFile).
	Name string

	src   string           // the input, without a leading byte order mark
	arena string           // values that escapes or expansion rewrote, back to back
	recs  []rec            // one per entry, in file order
	vars  map[int][]string // Entry.Vars by entry index, for the entries that have some
}

// rec locates one entry of a File. Offsets are 32 bits (inputs are smaller
// than 4 GiB); the key, its column and the inline comment's end are found
// again by scanning the input.
type rec struct {
	key   uint32 // offset of the key in src
	line  uint32 // line of the key
	val   uint32 // offset of the value in src, or in arena when inArena
	n     uint32 // length of the value
	cmt   uint32 // offset in src of the text after the comment's '#'; 0 for none
	quote byte
	// inArena is set for a value that escapes, line-end normalization or
	// expansion rewrote.
	inArena bool
}

// Len returns the number of entries: the file's assignments, a repeated key
// counted once per occurrence.
func (f *File) Len() int { return len(f.recs) }

// Entry returns the i-th entry, in file order (0 <= i < Len()).
func (f *File) Entry(i int) Entry {
	r := &f.recs[i]
	src := f.src
	e := Entry{Key: f.key(r), File: f.Name, Line: int(r.line), Quote: r.quote, Vars: f.vars[i]}
	start := int(r.key)
	for start > 0 && !isEOL(src[start-1]) {
		start--
	}
	e.Col = int(r.key) - start + 1
	e.Value = f.value(r)
	if r.cmt > 0 {
		end := int(r.cmt)
		for end < len(src) && !isEOL(src[end]) {
			end++
		}
		e.Comment = strings.Trim(src[r.cmt:end], " \t")
	}
	return e
}

// value returns the value of r.
func (f *File) value(r *rec) string {
	if r.inArena {
		return f.arena[r.val : r.val+r.n]
	}
	return f.src[r.val : r.val+r.n]
}

// key returns the key of r.
func (f *File) key(r *rec) string {
	end := int(r.key)
	for end < len(f.src) && isKeyChar(f.src[end]) {
		end++
	}
	return f.src[r.key:end]
}

// hasKey reports whether the key of r is key.
func (f *File) hasKey(r *rec, key string) bool {
	rest := f.src[r.key:]
	return strings.HasPrefix(rest, key) && (len(rest) == len(key) || !isKeyChar(rest[len(key)]))
}

// All returns the entries with their indexes, in file order; a repeated
// key appears once per occurrence.
func (f *File) All() iter.Seq2[int, Entry] {
	return func(yield func(int, Entry) bool) {
		for i := range f.recs {
			if !yield(i, f.Entry(i)) {
				return
			}
		}
	}
}

// Lookup returns the last entry for key: within a file, the last
// occurrence of a key wins. It scans the entries, so callers that look up
// many keys in a large file should use Map.
func (f *File) Lookup(key string) (Entry, bool) {
	for i := len(f.recs) - 1; i >= 0; i-- {
		if f.hasKey(&f.recs[i], key) {
			return f.Entry(i), true
		}
	}
	return Entry{}, false
}

// Map returns the file's keys and values, the last occurrence of a
// repeated key winning.
func (f *File) Map() map[string]string {
	m := make(map[string]string)
	for _, e := range f.All() {
		m[e.Key] = e.Value
	}
	return m
}

// Duplicates returns the later occurrences of repeated keys, in file order:
// for a key set three times, the second and third entries.
func (f *File) Duplicates() []Entry {
	var dups []Entry
	seen := make(map[string]struct{})
	for i := range f.recs {
		k := f.key(&f.recs[i])
		if _, ok := seen[k]; ok {
			dups = append(dups, f.Entry(i))
			continue
		}
		seen[k] = struct{}{}
	}
	return dups
}

// maxDepth bounds the nesting of ${VAR:-${OTHER:-...}} defaults.
const maxDepth = 16

// Default size limits of expansion (see WithMaxValueSize and
// WithMaxExpansionSize).
const (
	defaultMaxValueSize     = 64 << 10
	defaultMaxExpansionSize = 4 << 20
)

// Option configures Parse and ParseFile.
type Option func(*options)

type options struct {
	lookup       func(string) (string, bool)
	lookupFirst  bool
	maxValue     int // < 0: no limit
	maxExpansion int // < 0: no limit
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

// WithMaxValueSize bounds the size, in bytes, of a value that holds a
// variable reference, after expansion: a longer value is an error (which
// matches ErrLimit) at the reference that crossed the limit, and the line
// is skipped. The default is 64 KiB; n < 0 removes the limit. Values
// without a reference are bounded only by the input.
func WithMaxValueSize(n int) Option {
	return func(o *options) { o.maxValue = n }
}

// WithMaxExpansionSize bounds the total size, in bytes, of what variable
// references insert into the values of one file: past it, Parse reports an
// error (which matches ErrLimit) at the reference that crossed the limit
// and stops. Together with WithMaxValueSize it keeps a small file of
// references to references (A=${B}${B}, B=${C}${C}, ...) from taking
// memory exponential in its size. The default is 4 MiB; n < 0 removes the
// limit.
func WithMaxExpansionSize(n int) Option {
	return func(o *options) { o.maxExpansion = n }
}

// ParseFile reads and parses the file at path, as Parse does. Entries and
// errors carry path as their file name. An I/O error is returned as the os
// package returned it (a *fs.PathError, which holds no file content).
func ParseFile(path string, opts ...Option) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	var sb strings.Builder
	if st, err := fd.Stat(); err == nil && st.Mode().IsRegular() && st.Size() < math.MaxInt32 {
		sb.Grow(int(st.Size()) + 1)
	}
	if _, err := io.Copy(&sb, fd); err != nil {
		return nil, err
	}
	return parse(sb.String(), path, opts)
}

// Parse reads r to the end and parses it as a .env file named name (used
// in entries and error messages).
//
// On syntax errors Parse returns the File of the lines that did parse
// together with an ErrorList holding every error (at most MaxErrors, then
// one saying that parsing stopped), each a *ParseError. Parse stops at an
// unterminated quote, since the rest of the input cannot be told apart
// from the value, and when the expansions of the file exceed their limit.
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
	p.opts = options{maxValue: defaultMaxValueSize, maxExpansion: defaultMaxExpansionSize}
	for _, o := range opts {
		o(&p.opts)
	}
	src = strings.TrimPrefix(src, "\ufeff")
	p.src = src
	if uint64(len(src)) >= math.MaxUint32 {
		p.fail(0, reasonFileTooLarge)
		return &File{Name: name}, p.errs
	}
	n := min(strings.Count(src, "\n")+1, strings.Count(src, "="))
	p.recs = make([]rec, 0, n)
	for p.i < len(p.src) && !p.stop {
		if len(p.errs) >= MaxErrors {
			p.skipBlank()
			if p.i < len(p.src) {
				p.fail(p.i, reasonTooManyErrors)
			}
			break
		}
		p.parseLine()
	}
	f := &File{Name: name, src: src, arena: p.arena.String(), recs: p.recs, vars: p.varsOf}
	if len(p.errs) == 0 {
		return f, nil
	}
	return f, p.errs
}

type parser struct {
	src       string
	name      string
	opts      options
	i         int // read offset
	line      int // line of offset i
	lineStart int // offset of the first byte of that line
	recs      []rec
	arena     strings.Builder // rewritten values, see File.arena
	// index maps a key to the index of its last entry so far; it is built
	// on the first expansion in a file of more than linearScan entries.
	index   map[string]int
	indexed int    // entries already in index
	buf     []byte // scratch for values that need rewriting
	errs    ErrorList
	stop    bool // a limit was exceeded: parse no further

	// expanded counts the bytes that variable references inserted into
	// the values of the file; substituted records whether the value being
	// parsed has a reference.
	expanded    int
	substituted bool
	vars        []string         // variables expanded into the value being parsed
	varsOf      map[int][]string // File.vars

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
	keyEnd := p.i
	r := rec{key: uint32(keyStart), line: uint32(p.line)}
	p.skipSpace()
	if p.i >= len(src) || src[p.i] != '=' {
		if p.i >= len(src) || isEOL(src[p.i]) || p.i > keyEnd {
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
	p.substituted = false
	p.vars = p.vars[:0]
	ok := false
	if p.i < len(src) {
		switch src[p.i] {
		case '\'':
			ok = p.singleQuoted(&r)
		case '"':
			ok = p.doubleQuoted(&r)
		default:
			ok = p.unquoted(&r, p.i > eq)
		}
	} else {
		r.val = uint32(p.i)
		ok = true
	}
	if ok {
		if len(p.vars) > 0 {
			if p.varsOf == nil {
				p.varsOf = map[int][]string{}
			}
			p.varsOf[len(p.recs)] = slices.Clone(p.vars)
		}
		p.recs = append(p.recs, r)
	}
}

// setValue records src[start:end] as the value of r.
func (p *parser) setValue(r *rec, start, end int) {
	r.val, r.n = uint32(start), uint32(end-start)
}

// setBuilt records b, a rewritten value, as the value of r. It reports
// false, having recorded an error at offset off of the value, when the
// values of the file no longer fit 32-bit offsets.
func (p *parser) setBuilt(r *rec, b []byte, off int) bool {
	if uint64(p.arena.Len())+uint64(len(b)) >= math.MaxUint32 {
		p.failAt(off, reasonExpansionTooLarge)
		p.stop = true
		return false
	}
	r.val, r.n, r.inArena = uint32(p.arena.Len()), uint32(len(b)), true
	p.arena.Write(b)
	return true
}

// expandValue expands s, the value at offset off of the source, into
// p.buf, checking the size of the result; it reports false, with an
// error recorded, when expansion failed.
func (p *parser) expandValue(s string, off int, dq bool) bool {
	b, ok := p.expand(p.buf[:0], s, off, dq, 0)
	p.buf = b
	if ok && p.substituted && p.opts.maxValue >= 0 && len(b) > p.opts.maxValue {
		p.failAt(off, reasonValueTooLarge)
		return false
	}
	return ok
}

// unquoted reads a value up to the end of the line. A '#' preceded by a
// space or tab (or by the spaces after '=') starts a comment.
func (p *parser) unquoted(r *rec, spaced bool) bool {
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
		r.cmt = uint32(end + 1)
	} else {
		end = j
	}
	for end > start && isSpace(src[end-1]) {
		end--
	}
	p.i = j
	v := src[start:end]
	if strings.HasPrefix(v, "-----BEGIN ") && !strings.Contains(v, "-----END ") {
		// The first line of a PEM block whose other lines follow
		// unquoted: they would parse as keys holding key material.
		p.fail(start, reasonUnquotedPEM)
		p.skipPEM()
		return false
	}
	if dollar && strings.IndexByte(v, '$') >= 0 {
		if !p.expandValue(v, start, false) {
			p.skipLine()
			return false
		}
		if !p.setBuilt(r, p.buf, start) {
			return false
		}
	} else {
		p.setValue(r, start, end)
	}
	p.newline()
	return true
}

// skipPEM skips the lines after the first line of an unquoted PEM block,
// up to and including the line that starts with "-----END ", or to the end
// of the input when there is none.
func (p *parser) skipPEM() {
	p.skipLine()
	for p.i < len(p.src) {
		p.skipSpace()
		end := strings.HasPrefix(p.src[p.i:], "-----END ")
		p.skipLine()
		if end {
			return
		}
	}
}

// skipBlank moves past blank lines, comment lines and spaces.
func (p *parser) skipBlank() {
	for p.i < len(p.src) {
		p.skipSpace()
		if p.i >= len(p.src) {
			return
		}
		switch p.src[p.i] {
		case '\n', '\r':
			p.newline()
		case '#':
			p.skipLine()
		default:
			return
		}
	}
}

// singleQuoted reads a literal value up to the next single quote.
func (p *parser) singleQuoted(r *rec) bool {
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
	r.quote = '\''
	if strings.IndexByte(v, '\r') >= 0 {
		b := appendNormalized(p.buf[:0], v)
		p.buf = b
		if !p.setBuilt(r, b, q+1) {
			return false
		}
		p.countLines(q+1, end)
	} else {
		p.setValue(r, q+1, end)
		if strings.IndexByte(v, '\n') >= 0 {
			p.countLines(q+1, end)
		}
	}
	p.i = end + 1
	return p.afterQuote(r)
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
func (p *parser) doubleQuoted(r *rec) bool {
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
	r.quote = '"'
	if special {
		if !p.expandValue(src[q+1:j], q+1, true) {
			if multi {
				p.countLines(q+1, j)
			}
			p.i = j + 1
			p.skipLine()
			return false
		}
		if !p.setBuilt(r, p.buf, q+1) {
			return false
		}
	} else {
		p.setValue(r, q+1, j)
	}
	if multi {
		p.countLines(q+1, j)
	}
	p.i = j + 1
	return p.afterQuote(r)
}

// afterQuote accepts spaces and a comment after a closing quote.
func (p *parser) afterQuote(r *rec) bool {
	src := p.src
	p.skipSpace()
	if p.i < len(src) && src[p.i] == '#' {
		r.cmt = uint32(p.i + 1)
		for p.i < len(src) && !isEOL(src[p.i]) {
			p.i++
		}
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
		b, ok := p.insert(b, v, off+k)
		return b, n, ok
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
		b, ok := p.insert(b, v, off+k)
		return b, n + 1, ok
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
		b, ok = p.insert(b, v, off+k)
		return b, end + 1, ok
	}
	b, ok = p.expand(b, s[n:end], off+n, dq, depth+1)
	return b, end + 1, ok
}

// resolve finds a variable among the earlier keys and the lookup function,
// in the configured order.
func (p *parser) resolve(name string) (v string, ok bool) {
	defer func() {
		if ok && !slices.Contains(p.vars, name) {
			p.vars = append(p.vars, name)
		}
	}()
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

// insert appends v, the value of a variable referenced at offset off of
// the source, to b, the value being built, within the size limits.
func (p *parser) insert(b []byte, v string, off int) ([]byte, bool) {
	p.substituted = true
	if p.opts.maxValue >= 0 && len(b)+len(v) > p.opts.maxValue {
		p.failAt(off, reasonValueTooLarge)
		return b, false
	}
	p.expanded += len(v)
	if p.opts.maxExpansion >= 0 && p.expanded > p.opts.maxExpansion {
		p.failAt(off, reasonExpansionTooLarge)
		p.stop = true
		return b, false
	}
	return append(b, v...), true
}

// linearScan is the number of entries up to which earlier keys are
// searched by a backward scan rather than through a map; it covers the
// .env files of most services without building one.
const linearScan = 64

// earlier returns the value of the last entry so far with key name.
func (p *parser) earlier(name string) (string, bool) {
	f := File{src: p.src, arena: p.arena.String(), recs: p.recs}
	if p.index == nil && len(p.recs) <= linearScan {
		for i := len(p.recs) - 1; i >= 0; i-- {
			if f.hasKey(&p.recs[i], name) {
				return f.value(&p.recs[i]), true
			}
		}
		return "", false
	}
	if p.index == nil {
		p.index = make(map[string]int)
	}
	for ; p.indexed < len(p.recs); p.indexed++ {
		p.index[f.key(&p.recs[p.indexed])] = p.indexed
	}
	i, ok := p.index[name]
	if !ok {
		return "", false
	}
	return f.value(&p.recs[i]), true
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
