package driftless

import (
	"fmt"
	"net/url"
	"strconv"
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
	// or any scheme registered with WithProvider.
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

// Well-known schemes. A value is treated as a reference only when its scheme
// is one of these or one registered with a provider, so ordinary URLs
// (https://, postgres://) are never mistaken for references.
var knownSchemes = map[string]bool{"awssm": true, "gcpsm": true, "azkv": true, "vault": true, "file": true}

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

// schemeOf returns the scheme of s, in lower case, if s starts with
// "scheme://" (schemes are case-insensitive, RFC 3986), else "".
func schemeOf(s string) string {
	i := strings.Index(s, "://")
	if i <= 0 {
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

// IsKnownRef reports whether s starts with one of the five well-known schemes.
func IsKnownRef(s string) bool { return knownSchemes[schemeOf(s)] }

// ParseRef parses a reference such as "vault://secret/app?version=2#api_key".
// The forms of the five well-known schemes are checked:
//
//	awssm://<name or ARN>[?version-stage=STAGE | ?version-id=ID][#key]
//	gcpsm://projects/<p>/secrets/<s>[/versions/<v>][#key]   (or locations/<l>/ for regional secrets)
//	gcpsm://<p>/<s>[/<v>][#key]
//	azkv://<vault>/<secret>[/<version>][#key]
//	vault://<mount>/<path>[?version=N][#key]
//	file:///<absolute path>[#key]
//
// Other schemes are parsed generically and checked by their provider.
// Errors wrap ErrInvalidRef and never contain the reference text.
func ParseRef(s string) (Ref, error) {
	scheme := schemeOf(s)
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
	if err := checkScheme(r); err != nil {
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

func onlyParams(r Ref, allowed ...string) error {
	if r.Query == "" {
		return nil
	}
	q, _ := url.ParseQuery(r.Query)
	for k, v := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			// The parameter's name is not shown: a mistyped value could be a secret.
			return &RefError{Scheme: r.Scheme, Reason: "unknown query parameter (allowed: " + strings.Join(allowed, ", ") + ")"}
		}
		if len(v) != 1 || v[0] == "" {
			return &RefError{Scheme: r.Scheme, Reason: "parameter " + k + " needs exactly one non-empty value"}
		}
	}
	return nil
}

func segments(name string) []string { return strings.Split(name, "/") }

func nonEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	return true
}

func checkScheme(r Ref) error {
	bad := func(reason string) error { return &RefError{Scheme: r.Scheme, Reason: reason} }
	switch r.Scheme {
	case "awssm":
		if err := onlyParams(r, "version-stage", "version-id"); err != nil {
			return err
		}
		if r.Param("version-stage") != "" && r.Param("version-id") != "" {
			return bad("version-stage and version-id are exclusive")
		}
	case "gcpsm":
		if err := onlyParams(r); err != nil {
			return err
		}
		p := segments(r.Name)
		if !nonEmpty(p) {
			return bad("empty path segment")
		}
		if p[0] != "projects" {
			if len(p) != 2 && len(p) != 3 {
				return bad("want projects/<p>/secrets/<s>[/versions/<v>] or <project>/<secret>[/<version>]")
			}
			return nil
		}
		if len(p) >= 4 && p[2] == "locations" {
			p = append(p[:2], p[4:]...)
		}
		if !(len(p) == 4 && p[2] == "secrets") && !(len(p) == 6 && p[2] == "secrets" && p[4] == "versions") {
			return bad("want projects/<p>/[locations/<l>/]secrets/<s>[/versions/<v>]")
		}
	case "azkv":
		if err := onlyParams(r); err != nil {
			return err
		}
		p := segments(r.Name)
		if (len(p) != 2 && len(p) != 3) || !nonEmpty(p) {
			return bad("want <vault-name>/<secret>[/<version>]")
		}
	case "vault":
		if err := onlyParams(r, "version"); err != nil {
			return err
		}
		p := segments(r.Name)
		if len(p) < 2 || !nonEmpty(p) {
			return bad("want <mount>/<path>")
		}
		if v := r.Param("version"); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return bad("version must be a non-negative integer")
			}
		}
	case "file":
		if err := onlyParams(r); err != nil {
			return err
		}
		if !strings.HasPrefix(r.Name, "/") {
			return bad("want an absolute path: file:///path")
		}
	}
	return nil
}
