package envfile

import (
	"errors"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every *ParseError, so that
// errors.Is(err, envfile.ErrSyntax) tells a malformed file from an I/O error.
var ErrSyntax = errors.New("envfile: syntax error")

// ErrLimit is matched (errors.Is) by a *ParseError that reports a value or
// a file whose expansion exceeds a size limit (see WithMaxValueSize and
// WithMaxExpansionSize). Such an error also wraps ErrSyntax.
var ErrLimit = errors.New("envfile: expansion exceeds a size limit")

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

// Is reports whether target is ErrLimit and e reports an exceeded size
// limit.
func (e *ParseError) Is(target error) bool {
	return target == ErrLimit && (e.Reason == reasonValueTooLarge || e.Reason == reasonExpansionTooLarge)
}

// ErrorList is the error Parse and ParseFile return for a malformed file:
// every syntax error of the file, in file order, one *ParseError per
// problem. It is never empty.
//
// Its Unwrap method returns each *ParseError as a separate error, so that
// errors.Is(err, ErrSyntax) and errors.As(err, &parseErr) see them, and so
// that a caller can count and list the problems of a file one by one.
type ErrorList []*ParseError

// Error returns the message of each error, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors of the list, each a *ParseError.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// MaxErrors is the number of syntax errors after which Parse stops. When
// it stops for that reason with input left, the list ends with one more
// error, positioned where parsing stopped, that says so.
const MaxErrors = 100

// Reasons of ParseError; fixed strings, so that no input text can reach an
// error message.
const (
	reasonKeyStart          = "key must start with a letter or underscore"
	reasonKeyChar           = "invalid character in key"
	reasonMissingKey        = "missing key before '='"
	reasonMissingEq         = "missing '=' after key"
	reasonUnterminatedSQ    = "unterminated single-quoted value"
	reasonUnterminatedDQ    = "unterminated double-quoted value"
	reasonAfterQuote        = "unexpected character after closing quote"
	reasonUnterminatedEx    = "unterminated ${ expansion"
	reasonEmptyName         = "empty variable name in ${}"
	reasonBadName           = "invalid variable name in ${}"
	reasonBadOperator       = "unsupported ${} operator (only ${VAR}, ${VAR-default} and ${VAR:-default})"
	reasonTooDeep           = "${} defaults nested too deeply"
	reasonValueTooLarge     = "value exceeds the size limit after expansion"
	reasonExpansionTooLarge = "expansions of the file exceed the size limit; parsing stopped"
	reasonUnquotedPEM       = "unquoted multi-line PEM value; enclose it in double quotes (its lines were skipped)"
	reasonTooManyErrors     = "too many errors; parsing stopped"
	reasonFileTooLarge      = "file too large (4 GiB or more)"
)
