package driftlesstoml

import (
	"errors"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/driftless/driftless/configfile"
)

// fixedMessages are the problems that go-toml reports in fixed words
// (unstable/parser.go, decode.go, localtime.go): none of them holds text
// of the document, so they are shown as they are.
var fixedMessages = map[string]bool{
	"expected ']' to close table name":                                                  true,
	"expected ']]' to close array table name":                                           true,
	"expected '=' after key":                                                            true,
	"expected key but reached end of input":                                             true,
	"expected value, not end of input":                                                  true,
	"array is incomplete":                                                               true,
	"expected ',' or ']' after array value":                                             true,
	"inline table is incomplete":                                                        true,
	"unexpected comma in inline table":                                                  true,
	"expected ',' or '}' after inline table key-value":                                  true,
	"number must have at least one digit between underscores":                           true,
	"expected number after sign":                                                        true,
	"sign is not allowed on numbers with a radix prefix":                                true,
	"radix prefix must be followed by at least one digit":                               true,
	"integers cannot have leading zeroes":                                               true,
	"decimal point must be followed by a digit":                                         true,
	"exponent must contain at least one digit":                                          true,
	"strings must be quoted":                                                            true,
	"invalid UTF-8 character in comment":                                                true,
	"carriage returns are not allowed in comments":                                      true,
	"control characters are not allowed in comments":                                    true,
	"unterminated literal string":                                                       true,
	"literal strings cannot have new lines":                                             true,
	"literal strings cannot have control characters":                                    true,
	"invalid UTF-8 character in literal string":                                         true,
	"too many quotes at the end of a multiline literal string":                          true,
	"carriage returns must be followed by a newline character":                          true,
	"multiline literal strings cannot have control characters":                          true,
	"invalid UTF-8 character in multiline literal string":                               true,
	"multiline literal string not terminated by '''":                                    true,
	"unterminated basic string":                                                         true,
	"basic strings cannot have new lines":                                               true,
	"basic strings cannot have control characters":                                      true,
	"invalid UTF-8 character in basic string":                                           true,
	`need a character after \`:                                                          true,
	"unicode escape sequence is too short":                                              true,
	"invalid hexadecimal digit in unicode escape sequence":                              true,
	"escape sequence is not a valid unicode code point":                                 true,
	"too many quotes at the end of a multiline basic string":                            true,
	"multiline basic strings cannot have control characters":                            true,
	"invalid UTF-8 character in multiline basic string":                                 true,
	`multiline basic string not terminated by """`:                                      true,
	"hexadecimal number is too large to fit in a 64-bit signed integer":                 true,
	"octal number is too large to fit in a 64-bit signed integer":                       true,
	"binary number is too large to fit in a 64-bit signed integer":                      true,
	"decimal number is too large to fit in a 64-bit signed integer":                     true,
	"dates are expected to have the format YYYY-MM-DD":                                  true,
	"impossible date":                                                                   true,
	"expected digit (0-9)":                                                              true,
	"times are expected to have the format HH:MM[:SS[.NNNNNN]]":                         true,
	"hour cannot be greater 23":                                                         true,
	"expecting colon between hours and minutes":                                         true,
	"minutes cannot be greater 59":                                                      true,
	"incomplete seconds":                                                                true,
	"seconds cannot be greater than 59":                                                 true,
	"need at least one digit after fraction point":                                      true,
	"local datetimes are expected to have the format YYYY-MM-DDTHH:MM[:SS[.NNNNNNNNN]]": true,
	"datetime separator is expected to be T or a space":                                 true,
	"date-time is missing timezone":                                                     true,
	"invalid date-time timezone":                                                        true,
	"invalid timezone offset character":                                                 true,
	"expected a : separator":                                                            true,
	"invalid timezone offset hours":                                                     true,
	"invalid timezone offset minutes":                                                   true,
	"extra bytes at the end of the timezone":                                            true,
	"extra characters at the end of a local date time":                                  true,
	"extra characters at the end of a local time":                                       true,
}

// patterns turn go-toml's messages that quote the document (a character,
// a key) into fixed reasons: a message that starts with prefix and ends
// with suffix gets reason, whatever is between.
var patterns = []struct{ prefix, suffix, reason string }{
	{"expected newline but got ", "", "expected the end of the line"},
	{"invalid character at start of key: ", "", "invalid character at the start of a key"},
	{"unexpected character ", " at start of value", "unexpected character at the start of a value"},
	{"expected value but got ", "", "expected a value"},
	{"expected keyword ", "", "malformed true, false, inf or nan"},
	{`expected "`, `"`, "malformed number"},
	{"expected digit but got ", "", "expected a digit"},
	{"invalid escape character ", "", "invalid escape character"},
	{"unable to parse float: ", "", "malformed number"},
	{"arrays and inline tables are nested more than the maximum of ", "", "arrays and inline tables nested too deep"},
	// The seen-tracker's messages name the key.
	{"table ", " already exists as defined by a dotted key", "a table header names a table that dotted keys defined"},
	{"table ", " already exists as an array of tables", "a table header names an array of tables"},
	{"table ", " already exists", "a table is defined twice"},
	{"key ", ", but should be an array table", "an array of tables has the name of another key"},
	{"key ", " already exists as a value", "a key is used as a table but holds a value"},
	{"key ", " is already defined", "a key is defined twice"},
	{"key ", "", "a key is used as a table but holds a value"}, // "key %s should be a table, not a %s"
}

// reason returns the reason to show for a message of go-toml.
func reason(msg string) string {
	if fixedMessages[msg] {
		return msg
	}
	for _, p := range patterns {
		if len(msg) >= len(p.prefix)+len(p.suffix) && strings.HasPrefix(msg, p.prefix) && strings.HasSuffix(msg, p.suffix) {
			return p.reason
		}
	}
	return "malformed TOML"
}

// syntaxError turns an error of go-toml into a *configfile.SyntaxError
// that shows no text of the document.
func syntaxError(err error, data []byte) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &configfile.SyntaxError{Line: line, Column: col, Reason: reason(strings.TrimPrefix(de.Error(), "toml: "))}
	}
	var pe *unstable.ParserError
	if errors.As(err, &pe) {
		se := &configfile.SyntaxError{Reason: reason(pe.Message)}
		// The highlight is a slice of data: its capacity tells where.
		if off := cap(data) - cap(pe.Highlight); off >= 0 && off <= len(data) && pe.Highlight != nil {
			se.Line, se.Column = position(lineStarts(data), off)
		}
		return se
	}
	return &configfile.SyntaxError{Reason: "malformed TOML"}
}
