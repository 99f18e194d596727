// Package envfile parses .env files, checks them against a .env.example,
// and writes .env.example files. It depends on the standard library only
// and never reads the process environment by itself.
//
// # Grammar
//
// A .env file is a sequence of lines ending in \n, \r\n or \r. A UTF-8
// byte order mark at the start is skipped. Each line is one of:
//
//	# a comment line                    (leading spaces and tabs allowed)
//	                                    (a blank line)
//	KEY=value                           (an assignment)
//	export KEY=value                    ("export " is accepted and ignored)
//
// Keys match [A-Za-z_][A-Za-z0-9_.-]*. Spaces and tabs may surround '='.
// The value is one of:
//
//   - Unquoted: the rest of the line. A '#' preceded by a space or tab
//     starts a comment (so does a '#' right after "= "); a '#' inside a
//     word (KEY=a#b) is part of the value. Trailing spaces and tabs are
//     trimmed. Backslashes and quotes inside the value are literal.
//     Variables are expanded.
//   - Single-quoted: everything up to the next single quote, literally:
//     no escapes, no expansion; it may span lines.
//   - Double-quoted: everything up to the next unescaped double quote; it
//     may span lines. The escapes \n \t \r \" \\ \$ \' \a \b \f \v are
//     decoded; any other backslash is kept as is (so "C:\dir" stays
//     C:\dir). Variables are expanded, except after \$.
//
// After a closing quote only spaces, tabs and a comment may follow.
// Inside quoted values, \r\n and a lone \r become \n, so a file saved with
// Windows line ends gives the same values.
//
// An empty value (KEY=, KEY="" or KEY= followed by two single quotes) is
// the empty string; the key is set. A line with a key and no '=' is an error (see below).
//
// # Variable expansion
//
// Unquoted and double-quoted values expand:
//
//	$NAME              NAME is [A-Za-z_][A-Za-z0-9_]* (so "$HOST.local" reads HOST)
//	${NAME}            NAME may also contain '.'
//	${NAME-default}    default when NAME is unset
//	${NAME:-default}   default when NAME is unset or empty
//
// A default is itself expanded, and may nest: ${A:-${B:-none}}; in double
// quotes, \} in a default is a literal '}'. A '$' not
// followed by a name or '{' is literal (KEY=$5 gives $5). A variable is
// looked up first among the keys set earlier in the same file (the last
// earlier occurrence), then through the function given with WithLookup
// (WithLookupFirst reverses that order); an unknown variable expands to the
// empty string. Keys set later in the file are never seen. Keys containing
// '-' cannot be referenced.
//
// # Precedence
//
// Within one file the last occurrence of a key wins (File.Lookup, File.Map);
// File.Duplicates and Check report the earlier ones being overridden. A .env
// file never overrides a variable the process environment already has: a
// value from a .env file is used only for keys the environment does not set.
// Applying that rule is the job of the caller (driftless.Load); this package
// only parses. Check follows the same rule.
//
// # Errors
//
// A malformed line gives a *ParseError with the file name, the line (from
// 1) and the column (1-based byte offset) of the offending byte, and a fixed
// reason; it wraps ErrSyntax. An error never contains any text of the
// input: not the line, not the key, not the value. Parse keeps going after
// a bad line, skipping it, and returns every error together with the
// entries that did parse, as an ErrorList: its Unwrap() []error gives each
// *ParseError as a separate error, so that a caller can count and list
// them one by one, and errors.Is and errors.As see each of them. Even a
// single error comes as an ErrorList. Parse stops at an unterminated quote
// (the rest of the input cannot be told apart from the value), when
// expansion exceeds the per-file limit, and after MaxErrors errors (the
// list then ends with one more error, where parsing stopped, saying so).
// Errors are:
//
//   - a key that does not start with a letter or '_', or holds another
//     character, or is missing before '=';
//   - a key with no '=' (python-dotenv maps it to None);
//   - an unterminated single- or double-quoted value;
//   - anything but spaces and a comment after a closing quote;
//   - a malformed ${...}: unterminated, empty or invalid name, or an
//     operator other than - and :- (such as ${VAR:=x} or ${VAR:?msg}), or
//     defaults nested more than 16 deep;
//   - an unquoted value that opens a PEM block ("-----BEGIN ...") without
//     closing it on the same line: its other lines would otherwise parse
//     as keys made of key material. The lines up to and including the one
//     starting with "-----END " (or to the end of the file) are skipped;
//     enclose the value in double quotes;
//   - a value or a file whose expansion exceeds a size limit (see below);
//     such an error also matches ErrLimit.
//
// # Limits
//
// Expansion is bounded, so that a small hostile file cannot take much
// memory: a value that holds a variable reference may be at most 64 KiB
// long after expansion (WithMaxValueSize), and the references of one file
// may insert at most 4 MiB in all (WithMaxExpansionSize). Without them, 549
// bytes of V1=${V0}${V0}, V2=${V1}${V1}, ... would expand to tens of
// gigabytes. A value without references is bounded by the input only.
//
// A File keeps the input and about 24 bytes per entry, and builds each
// Entry when asked (File.Entry, File.All, File.Lookup): parsing allocates
// about 7 bytes per byte of input for 16 MiB of K=v lines (the input with
// the most entries per byte) and under 4 for a typical file, the copy of
// the input included, plus what expansion produces. Inputs must be smaller
// than 4 GiB.
//
// # Schema check and .env.example
//
// A committed .env.example declares every key the service reads. Check
// compares the environment and the .env files with it: keys it declares
// but nothing sets (Missing), keys marked required that are set to the
// empty string (Empty), keys a .env file sets that it does not declare
// (Unknown), and keys set twice in a file (Duplicate), each with its file
// and line. A key is marked required by an inline comment starting with the
// word "required" (KEY= # required); the word "secret" may follow or come
// first (KEY= # required, secret). Write renders a .env.example from a list
// of ExampleEntry values with exactly these markers, the description as
// comment lines above the key, the default as value, and secrets left
// empty.
//
// # Differences from python-dotenv
//
// The test suite compares Parse with python-dotenv's
// dotenv_values(path, interpolate=True) on every file in testdata/dotenv.
// They agree except where this package deliberately differs; each such case
// is marked by a NAME.differs.json file beside NAME.env, and the test also
// checks that python-dotenv really does differ there:
//
//  1. $NAME is expanded; python-dotenv expands only ${...} forms.
//  2. ${NAME-default} is supported; python-dotenv reads "NAME-default" as a
//     variable name and gives the empty string.
//  3. ${NAME:-default} uses the default when NAME is set but empty (as POSIX
//     shells do); python-dotenv uses it only when NAME is unset.
//  4. Nested defaults ${A:-${B}} are expanded; python-dotenv ends the
//     default at the first '}'.
//  5. Single-quoted values are literal: nothing is expanded and backslashes
//     are kept; python-dotenv expands ${...} in them and decodes \' and \\.
//  6. In double quotes, \$ gives a literal $ and prevents expansion;
//     python-dotenv keeps the backslash and expands.
//  7. KEY= # comment gives the empty string; python-dotenv gives "# comment".
//  8. A UTF-8 byte order mark is skipped; python-dotenv (reading with the
//     utf-8 codec) makes it part of the first key.
//  9. A malformed line is an error with its position (see Errors);
//     python-dotenv logs a warning, skips the line and goes on, after an
//     unterminated quote even reading the lines of the would-be value as
//     entries. This covers keys python-dotenv accepts but this package does
//     not: keys starting with a digit or holding characters such as '/' or
//     ':', and single-quoted keys ('KEY'=v).
//  10. Only spaces and tabs are trimmed around unquoted values and count
//     as the space before an inline '#'; python-dotenv uses every Unicode
//     space (vertical tab, form feed, no-break space).
//  11. Input is bytes: invalid UTF-8 is kept as is in values;
//     python-dotenv fails on the whole file.
//  12. An unquoted value that opens a PEM block is an error and the
//     block's lines are skipped; python-dotenv keeps the first line as the
//     value and reads the block's lines as keys (or skips them).
//
// # Concurrency
//
// Parse and ParseFile may be called concurrently. A File is not modified by
// its methods, so it may be read concurrently.
package envfile
