package driftlessyaml

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/driftless/driftless/configfile"
)

// stage is the part of yaml.v3 that reports a problem: it tells how to
// read the line number of the message.
type stage uint8

const (
	fromScanner stage = iota + 1 // scannerc.go: a 1-based line, none for line 1
	fromParser                   // parserc.go: a 0-based line, none for 0
	fromReader                   // readerc.go: no line; Parse finds the byte
)

// fixedMessages are the problems that yaml.v3's reader, scanner and
// parser report (readerc.go, scannerc.go, parserc.go) in fixed words:
// none of them holds text of the document, so they are shown as they are.
// Any other message is replaced, so that a change of the parser that
// starts quoting the document shows nothing.
var fixedMessages = map[string]stage{
	"block sequence entries are not allowed in this context":       fromScanner,
	"control characters are not allowed":                           fromReader,
	"could not find expected ':'":                                  fromScanner,
	"could not find expected directive name":                       fromScanner,
	"did not find URI escaped octet":                               fromScanner,
	"did not find expected '!'":                                    fromScanner,
	"did not find expected ',' or ']'":                             fromParser,
	"did not find expected ',' or '}'":                             fromParser,
	"did not find expected '-' indicator":                          fromParser,
	"did not find expected <document start>":                       fromParser,
	"did not find expected <stream-start>":                         fromParser,
	"did not find expected alphabetic or numeric character":        fromScanner,
	"did not find expected comment or line break":                  fromScanner,
	"did not find expected digit or '.' character":                 fromScanner,
	"did not find expected hexdecimal number":                      fromScanner,
	"did not find expected key":                                    fromParser,
	"did not find expected node content":                           fromParser,
	"did not find expected tag URI":                                fromScanner,
	"did not find expected version number":                         fromScanner,
	"did not find expected whitespace or line break":               fromScanner,
	"did not find expected whitespace":                             fromScanner,
	"did not find the expected '>'":                                fromScanner,
	"expected low surrogate area":                                  fromReader,
	"found a tab character that violates indentation":              fromScanner,
	"found a tab character where an indentation space is expected": fromScanner,
	"found an incorrect leading UTF-8 octet":                       fromScanner,
	"found an incorrect trailing UTF-8 octet":                      fromScanner,
	"found an indentation indicator equal to 0":                    fromScanner,
	"found character that cannot start any token":                  fromScanner,
	"found duplicate %TAG directive":                               fromParser,
	"found duplicate %YAML directive":                              fromParser,
	"found extremely long version number":                          fromScanner,
	"found incompatible YAML document":                             fromParser,
	"found invalid Unicode character escape code":                  fromScanner,
	"found undefined tag handle":                                   fromParser,
	"found unexpected document indicator":                          fromScanner,
	"found unexpected end of stream":                               fromScanner,
	"found unexpected non-alphabetical character":                  fromScanner,
	"found unknown directive name":                                 fromScanner,
	"found unknown escape character":                               fromScanner,
	"incomplete UTF-16 character":                                  fromReader,
	"incomplete UTF-16 surrogate pair":                             fromReader,
	"incomplete UTF-8 octet sequence":                              fromReader,
	"invalid Unicode character":                                    fromReader,
	"invalid leading UTF-8 octet":                                  fromReader,
	"invalid length of a UTF-8 sequence":                           fromReader,
	"invalid trailing UTF-8 octet":                                 fromReader,
	"mapping keys are not allowed in this context":                 fromScanner,
	"mapping values are not allowed in this context":               fromScanner,
	"unexpected low surrogate area":                                fromReader,
}

// syntaxError turns an error of yaml.v3, "yaml: line 3: mapping values
// are not allowed in this context", into a *configfile.SyntaxError that
// shows no text of the document.
func syntaxError(err error, data []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, problem, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil && l > 0 {
				line, msg = l, problem
			}
		}
	}
	switch fixedMessages[msg] {
	case fromScanner:
		// yaml.v3 numbers no line when the problem is on the first one
		// (its marks count from 0, and 0 reads as "no mark").
		return &configfile.SyntaxError{Line: min(max(line, 1), lines(data)), Reason: msg}
	case fromParser:
		// The parser's marks are 0-based and printed as they are; the end
		// of the stream is on a line after the last.
		return &configfile.SyntaxError{Line: min(line+1, lines(data)), Reason: msg}
	case fromReader:
		line, col := badCharacter(data)
		return &configfile.SyntaxError{Line: line, Column: col, Reason: msg}
	}
	switch {
	case strings.HasPrefix(msg, "exceeded max depth of "):
		return &configfile.SyntaxError{Line: line, Reason: "nested too deep"}
	case strings.HasPrefix(msg, "unknown anchor '") && strings.HasSuffix(msg, "' referenced"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		l, col := aliasPosition(data, name)
		return &configfile.SyntaxError{Line: l, Column: col, Reason: "an alias names an anchor that is not defined before it"}
	}
	return &configfile.SyntaxError{Line: line, Reason: "malformed YAML"}
}

// lines returns how many lines data has (at least 1).
func lines(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) == 0 || data[len(data)-1] != '\n' {
		n++
	}
	return max(n, 1)
}

// badCharacter returns the line and column of the first byte of data that
// is not valid UTF-8 or is a character YAML does not allow in a document
// (a control character), 0, 0 when there is none.
func badCharacter(data []byte) (line, col int) {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		bad := r == utf8.RuneError && size == 1 ||
			r < 0x20 && r != '\t' && r != '\n' && r != '\r' ||
			r >= 0x7f && r < 0xa0 && r != 0x85 ||
			r == 0xfffe || r == 0xffff
		if bad {
			return position(data, off)
		}
		off += size
	}
	return 0, 0
}

// position returns the 1-based line and column (in characters) of the
// byte at off.
func position(data []byte, off int) (line, col int) {
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:off], []byte("\n")) + 1, utf8.RuneCount(data[start:off]) + 1
}

// aliasPosition returns the line and column of the first alias *name in
// data, 0, 0 when there is none.
func aliasPosition(data []byte, name string) (line, col int) {
	alias := []byte("*" + name)
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], alias)
		if i < 0 {
			return 0, 0
		}
		at, end := off+i, off+i+len(alias)
		if end == len(data) || bytes.IndexByte([]byte(" \t\r\n,[]{}"), data[end]) >= 0 {
			return position(data, at)
		}
		off = end
	}
	return 0, 0
}
