package driver

import (
	"fmt"
	"net/url"
	"strings"
)

// Ref is a parsed reference to a secret held by a provider, such as
//
//	awssm://prod/database?version-stage=AWSPREVIOUS#password
//
// A Ref is comparable; its Secret form (without Key) identifies one fetch, so
// that many fields reading keys of one JSON secret share a single fetch.
type Ref struct {
	// Scheme selects the provider: "awssm", "gcpsm", "azkv", "vault", "file",
	// or any scheme registered with driftless.WithProvider.
	Scheme string
	// Name is what follows "scheme://" up to "?" or "#": a secret name or ARN,
	// a resource path, a vault mount and path, or an absolute file path.
	Name string
	// Query is the canonical (sorted, encoded) query string, the version
	// selector: "version-stage=AWSPREVIOUS", "version=3", or "".
	Query string
	// Key selects part of a JSON value: "" for the whole value, "password" for
	// a top-level key, "/a/b" for a JSON pointer (RFC 6901).
	Key string
}

// String returns the reference in its canonical text form.
func (r Ref) String() string {
	var b strings.Builder
	b.WriteString(r.Scheme)
	b.WriteString("://")
	b.WriteString(r.Name)
	if r.Query != "" {
		b.WriteByte('?')
		b.WriteString(r.Query)
	}
	if r.Key != "" {
		b.WriteByte('#')
		b.WriteString(r.Key)
	}
	return b.String()
}

// Secret returns r without its Key: the identity of one fetch.
func (r Ref) Secret() Ref {
	r.Key = ""
	return r
}

// Param returns the value of the query parameter name, or "".
func (r Ref) Param(name string) string {
	if r.Query == "" {
		return ""
	}
	v, _ := url.ParseQuery(r.Query)
	return v.Get(name)
}

// Scheme returns the scheme of s, in lower case, if s starts with
// "scheme://" (schemes are case-insensitive, RFC 3986), else "".
func Scheme(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 || !strings.HasPrefix(s[i:], "://") {
		return ""
	}
	upper := false
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case 'a' <= c && c <= 'z':
		case 'A' <= c && c <= 'Z':
			upper = true
		case j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return ""
		}
	}
	if upper {
		return strings.ToLower(s[:i])
	}
	return s[:i]
}

// ParseRef parses a reference of the generic form
//
//	scheme://name[?query][#key]
//
// The scheme is lower-cased (schemes are case-insensitive); the query is
// canonicalised; "#key" must not be empty and a JSON pointer key ("#/a/b")
// must use valid escapes. The name's grammar belongs to the provider, which
// checks it with RefChecker. Errors wrap ErrInvalidRef and never contain the
// reference text.
func ParseRef(s string) (Ref, error) {
	scheme := Scheme(s)
	if scheme == "" {
		return Ref{}, &RefError{Reason: `missing "scheme://"`}
	}
	rest := s[len(scheme)+3:]
	var r Ref
	r.Scheme = scheme
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		r.Key = rest[i+1:]
		rest = rest[:i]
		if r.Key == "" {
			return Ref{}, &RefError{Scheme: scheme, Reason: `empty key after "#"`}
		}
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		q, err := url.ParseQuery(rest[i+1:])
		if err != nil {
			return Ref{}, &RefError{Scheme: scheme, Reason: "malformed query"}
		}
		r.Query = q.Encode()
		rest = rest[:i]
	}
	r.Name = rest
	if r.Name == "" {
		return Ref{}, &RefError{Scheme: scheme, Reason: "empty name"}
	}
	for i := 0; i < len(r.Name); i++ {
		if c := r.Name[i]; c < 0x20 || c == 0x7f {
			return Ref{}, &RefError{Scheme: scheme, Reason: fmt.Sprintf("control character at byte %d of the name", i)}
		}
	}
	if err := checkKey(r); err != nil {
		return Ref{}, err
	}
	return r, nil
}

func checkKey(r Ref) error {
	if r.Key == "" || r.Key[0] != '/' {
		return nil
	}
	// JSON pointer: "~" must be followed by 0 or 1.
	for i := 0; i < len(r.Key); i++ {
		if r.Key[i] == '~' && (i+1 >= len(r.Key) || (r.Key[i+1] != '0' && r.Key[i+1] != '1')) {
			return &RefError{Scheme: r.Scheme, Reason: fmt.Sprintf(`bad JSON pointer escape at byte %d of the key (use ~0 or ~1)`, i)}
		}
	}
	return nil
}
