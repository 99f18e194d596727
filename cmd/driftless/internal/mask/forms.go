package mask

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinLen is the length in bytes below which a value (or a member or line
// of one) is not masked. Masking is by substring: a value of one, two or
// three bytes ("1", "on", "dev") occurs in almost every line of output, so
// masking it would destroy the output while hiding nothing an attacker
// could not guess. Encoded forms of a value at least MinLen long are
// always masked (they are never shorter).
const MinLen = 4

// Patterns returns every byte string that is masked for vals, sorted and
// without duplicates: for each value, and for each string member (at any
// depth) of a value that is a JSON object or array, and for each line of
// any of these that spans several lines, the text itself and its encoded
// forms (see Forms). Texts shorter than MinLen, or made only of white
// space, are left out.
func Patterns(vals []string) []string {
	set := map[string]bool{}
	for _, v := range vals {
		addBase(set, v, 0)
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// maxJSONDepth bounds the recursion into JSON members that are themselves
// JSON text.
const maxJSONDepth = 8

func addBase(set map[string]bool, s string, depth int) {
	if len(s) < MinLen || strings.TrimFunc(s, unicode.IsSpace) == "" {
		return
	}
	for _, f := range Forms(s) {
		set[f] = true
	}
	if strings.ContainsAny(s, "\r\n") {
		for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if line != s {
				addBase(set, line, depth)
			}
		}
	}
	if depth < maxJSONDepth {
		for _, m := range jsonMembers(s) {
			addBase(set, m, depth+1)
		}
	}
}

// jsonMembers returns the string leaves of s, at any depth, when s is a
// JSON object or array; nil otherwise.
func jsonMembers(s string) []string {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(t), &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			for _, m := range v {
				walk(m)
			}
		case []any:
			for _, m := range v {
				walk(m)
			}
		}
	}
	walk(v)
	return out
}

// Forms returns s and the forms in which a program commonly prints it,
// without duplicates:
//
//   - JSON-escaped (the text between the quotes of a JSON string), as
//     encoders write it: UTF-8 kept or escaped to \uXXXX (Python's
//     default), <, > and & kept or escaped (Go's default), / kept or
//     escaped to \/ (PHP's default);
//   - base64, standard and URL alphabets, padded and raw;
//   - hex, lower and upper case;
//   - URL-encoded: query escaping (space as +), path escaping, and every
//     byte but A-Z a-z 0-9 - . _ ~ escaped (space as %20).
func Forms(s string) []string {
	b := []byte(s)
	forms := []string{s}
	for _, o := range []jsonOpts{
		{}, {html: true}, {ascii: true}, {ascii: true, html: true},
		{slash: true}, {ascii: true, slash: true},
	} {
		forms = append(forms, jsonEscape(s, o))
	}
	forms = append(forms,
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		url.QueryEscape(s),
		url.PathEscape(s),
		escapeAll(s),
	)
	slices.Sort(forms)
	return slices.Compact(forms)
}

// jsonOpts selects a JSON string escaping dialect.
type jsonOpts struct {
	ascii bool // escape every non-ASCII rune as \uXXXX (UTF-16)
	html  bool // escape <, > and & as \u003c, \u003e, \u0026
	slash bool // escape / as \/
}

// jsonEscape returns s escaped as the inside of a JSON string. Invalid
// UTF-8 becomes \ufffd, and U+2028 and U+2029 are always escaped, as
// encoding/json does.
func jsonEscape(s string, o jsonOpts) string {
	const hexDigits = "0123456789abcdef"
	var b strings.Builder
	u := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hexDigits[r>>12&0xf])
		b.WriteByte(hexDigits[r>>8&0xf])
		b.WriteByte(hexDigits[r>>4&0xf])
		b.WriteByte(hexDigits[r&0xf])
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			u(r)
		case o.html && (r == '<' || r == '>' || r == '&'):
			u(r)
		case o.slash && r == '/':
			b.WriteString(`\/`)
		case r == utf8.RuneError && size == 1:
			u(utf8.RuneError)
		case r == '\u2028' || r == '\u2029':
			u(r)
		case o.ascii && r >= utf8.RuneSelf:
			if r > 0xffff {
				r -= 0x10000
				u(0xd800 + r>>10&0x3ff)
				u(0xdc00 + r&0x3ff)
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeAll percent-encodes every byte of s but the unreserved characters
// of RFC 3986 (A-Z a-z 0-9 - . _ ~).
func escapeAll(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}
