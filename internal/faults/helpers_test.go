package faults_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canary is the first of the canaries: letters, digits and a dash, long
// and random-looking so that none of its pieces appears in output by
// chance. Rows that need one secret value use it.
const canary = "cnry-Q7vX2mK9pL4wZ8rT1yB6nH3jF5dS0gA"

// canaryValue is one secret value the canary suite sends through every
// path that can print.
type canaryValue struct {
	name  string
	value string
}

// canaries are the secret values every canary case runs with. Beyond the
// plain canary, each holds characters that a quoting or escaping printer
// rewrites (so that a quoted, JSON-escaped or URL-escaped copy is not the
// value as is), that a decoder trims, or that a format string would
// interpret. None holds "," or "=" (the separators of the list and map
// fields that carry them), and every piece of window bytes of every form
// holds some of its random letters, so that no piece occurs by chance.
var canaries = []canaryValue{
	{"plain", canary},
	{"quotes", `cnry"Qv7'Xm2"Kp9'Lw4` + "`Ty1\"Gh8"},
	{"backslashes", `cnry\Bn6\\Hj3\nFd5\x53\u0067Aq\Ze2`},
	{"newlines and blanks", "\n\t cnry\nWe4Rt8\r\nYu2\tIo6Pa3 \n"},
	{"percent", "cnry%Sd7%s%v%!Fg1%%Hj5%zzKl9%2FVb4"},
	{"unicode", "cnry-\u00dcn\u00ef\u20acZx3\U0001F600Cv8\u0436\u0411\u043d\u65e5\u672cBn4\u2028Mq6\u00a0"},
	{"JSON", `cnry{"Wk2":["Ep6"]}{"Rt9":{"Yu3":7}}<Kq&Wz>'Mx5`},
}

// window is the length of the pieces of each form of a secret value that
// must not appear either: a truncated or partly quoted value still leaks.
// Hex pieces are twice as long, so that they too stand for window bytes of
// the value (8 hex digits of a numeric secret are only 4 of its digits,
// which a temporary directory's name may hold by chance).
const window = 8

// leakForm is one printable form of a secret value.
type leakForm struct {
	name  string
	text  string
	piece int // the length of its pieces; 0 means window
}

// pieceLen is the length of f's pieces.
func (f leakForm) pieceLen() int {
	if f.piece > 0 {
		return f.piece
	}
	return window
}

// jsonEscape returns s as the body of a JSON string, with or without
// encoding/json's HTML escapes (slog's JSON handler does not use them).
func jsonEscape(s string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// unquote strips the quotes strconv.Quote adds.
func unquote(q string) string { return q[1 : len(q)-1] }

// leakFormsOf returns the forms in which a printer may show v: as is,
// trimmed, quoted by %q and %+q, JSON-escaped (with and without HTML
// escapes), quoted twice (%q of a JSON string and JSON of %q, as a JSON
// member's UnmarshalJSON error quoting its input does), URL-escaped (query
// and path), hex (lower and upper case) and base64 (standard and URL
// alphabets, padded and raw, at the three byte alignments).
func leakFormsOf(v string) []leakForm {
	hx := hex.EncodeToString([]byte(v))
	forms := []leakForm{
		{name: "as is", text: v},
		{name: "trimmed", text: strings.TrimSpace(v)},
		{name: "%q", text: unquote(strconv.Quote(v))},
		{name: "%+q", text: unquote(strconv.QuoteToASCII(v))},
		{name: "JSON", text: jsonEscape(v, true)},
		{name: "JSON without HTML escapes", text: jsonEscape(v, false)},
		{name: "%q of JSON", text: unquote(strconv.Quote(`"` + jsonEscape(v, true) + `"`))},
		{name: "JSON of %q", text: jsonEscape(strconv.Quote(v), false)},
		{name: "URL query escape", text: url.QueryEscape(v)},
		{name: "URL path escape", text: url.PathEscape(v)},
		{name: "hex", text: hx, piece: 2 * window},
		{name: "HEX", text: strings.ToUpper(hx), piece: 2 * window},
	}
	encs := []struct {
		name string
		enc  *base64.Encoding
	}{
		{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding},
		{"raw base64", base64.RawStdEncoding}, {"raw base64url", base64.RawURLEncoding},
	}
	for _, e := range encs {
		for align := 0; align < 3 && align < len(v); align++ {
			b := e.enc.EncodeToString([]byte(v[align:]))
			// The last 4 characters depend on what follows; the rest is
			// what any encoding of a text holding v contains.
			if len(b) > 4+window {
				b = b[:len(b)-4]
			}
			forms = append(forms, leakForm{name: fmt.Sprintf("%s at byte alignment %d", e.name, align), text: b})
		}
	}
	return forms
}

// leakDetector finds a secret value in output in any of its forms
// (leakFormsOf) or any piece of one of them (window bytes long, 2*window
// for hex).
type leakDetector struct {
	pieces map[int]map[string]string // piece length -> piece -> the form it comes from
	short  []leakForm                // forms shorter than their pieces, matched whole
}

func newLeakDetector(values ...string) *leakDetector {
	d := &leakDetector{pieces: map[int]map[string]string{}}
	for _, v := range values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		for _, f := range leakFormsOf(v) {
			n := f.pieceLen()
			if len(f.text) < n {
				d.short = append(d.short, f)
				continue
			}
			if d.pieces[n] == nil {
				d.pieces[n] = map[string]string{}
			}
			for i := 0; i+n <= len(f.text); i++ {
				if _, ok := d.pieces[n][f.text[i:i+n]]; !ok {
					d.pieces[n][f.text[i:i+n]] = fmt.Sprintf("%s (bytes %d to %d of %d)", f.name, i, i+n, len(f.text))
				}
			}
		}
	}
	return d
}

// find returns the form of the first leak in out.
func (d *leakDetector) find(out []byte) (form string, leaked bool) {
	for n, pieces := range d.pieces {
		for i := 0; i+n <= len(out); i++ {
			if f, ok := pieces[string(out[i:i+n])]; ok {
				return f, true
			}
		}
	}
	for _, f := range d.short {
		if bytes.Contains(out, []byte(f.text)) {
			return f.name, true
		}
	}
	return "", false
}

// detectors caches a leakDetector per secret value.
var detectors sync.Map // string -> *leakDetector

func detectorFor(value string) *leakDetector {
	if d, ok := detectors.Load(value); ok {
		return d.(*leakDetector)
	}
	d, _ := detectors.LoadOrStore(value, newLeakDetector(value))
	return d.(*leakDetector)
}

// assertNoLeak fails the test when out holds value in any form. The
// failure message names the form and the path, never the output or the
// piece that matched.
func assertNoLeak(t *testing.T, value, path string, out []byte) {
	t.Helper()
	if form, ok := detectorFor(value).find(out); ok {
		t.Errorf("LEAK: %s of the secret value appears in %s (%d bytes of output)", form, path, len(out))
	}
}

// assertNoLeakString is assertNoLeak for a string.
func assertNoLeakString(t *testing.T, value, path, out string) {
	t.Helper()
	assertNoLeak(t, value, path, []byte(out))
}

// forEachCanary runs f as a subtest for each canary, in parallel.
func forEachCanary(t *testing.T, f func(t *testing.T, canary string)) {
	t.Helper()
	for _, c := range canaries {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f(t, c.value)
		})
	}
}

// js returns s as a JSON string, quotes included, for building JSON
// secrets that hold a canary.
func js(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// envQuote returns s as a .env value that envfile parses back to exactly
// s: single-quoted when it holds no single quote and no carriage return
// (which quoted values turn into a newline), else double-quoted with the
// escapes envfile decodes.
func envQuote(s string) string {
	if !strings.ContainsAny(s, "'\r") {
		return "'" + s + "'"
	}
	r := strings.NewReplacer("\\", "\\\\", `"`, `\"`, "$", `\$`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}

// fieldPaths returns the Field of each *FieldError in err.
func fieldPaths(t *testing.T, err error) []string {
	t.Helper()
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	var out []string
	for _, fe := range le.Fields() {
		out = append(out, fe.Field)
	}
	return out
}

// fieldErr returns the *FieldError for path in err, or nil.
func fieldErr(err error, path string) *driftless.FieldError {
	var le *driftless.LoadError
	if !errors.As(err, &le) {
		return nil
	}
	for _, fe := range le.Fields() {
		if fe.Field == path {
			return fe
		}
	}
	return nil
}

// newAWS starts an awssmtest server for t and returns it with a provider
// that uses the official SDK client pointed at it.
func newAWS(t *testing.T, secrets map[string]string) (*awssmtest.Server, *awssm.Provider) {
	t.Helper()
	srv := awssmtest.NewServer()
	t.Cleanup(srv.Close)
	for name, v := range secrets {
		require.NoError(t, srv.Put(context.Background(), name, []byte(v)))
	}
	srv.ResetCounts()
	return srv, awssm.New(srv.Client())
}

// TestLeakDetector is the control of the canary suite: for each canary,
// each of its forms is caught whole, as a piece of window bytes at its
// start, middle and end, and inside other text (base64 and hex of a text
// that holds the value at each byte offset); output that holds none of it
// passes.
func TestLeakDetector(t *testing.T) {
	t.Parallel()
	forEachCanary(t, func(t *testing.T, canary string) {
		d := newLeakDetector(canary)
		leaks := map[string]string{}
		for _, f := range leakFormsOf(canary) {
			leaks[f.name] = "value: " + f.text + ";"
			n := len(f.text)
			w := f.pieceLen()
			leaks[f.name+", first piece"] = "x" + f.text[:w] + "..."
			leaks[f.name+", middle piece"] = "…" + f.text[n/2-w/2:n/2-w/2+w] + "…"
			leaks[f.name+", last piece"] = f.text[n-w:]
		}
		for pre := range 3 {
			text := []byte(strings.Repeat("k", pre) + "=" + canary + "&next")
			leaks[fmt.Sprintf("base64 of a text holding it at offset %d", pre)] = base64.StdEncoding.EncodeToString(text)
			leaks[fmt.Sprintf("raw base64url in JSON at offset %d", pre)] = `{"b":"` + base64.RawURLEncoding.EncodeToString(text) + `"}`
			leaks[fmt.Sprintf("hex of a text holding it at offset %d", pre)] = "0x" + hex.EncodeToString(text)
		}
		leaks["%q of the value cut to 10 bytes"] = fmt.Sprintf("%q", canary[:10])
		leaks["%q of the value in a struct"] = fmt.Sprintf("%#v", struct{ S string }{canary})
		leaks["JSON of a map holding it"] = func() string { b, _ := json.Marshal(map[string]string{"k": canary}); return string(b) }()
		leaks["a trimmed copy"] = "[" + strings.TrimSpace(canary) + "]"
		leaks["%x of it"] = fmt.Sprintf("%x", canary)
		leaks["%X of it"] = fmt.Sprintf("%X", canary)
		for name, out := range leaks {
			_, found := d.find([]byte(out))
			assert.True(t, found, "not detected: %s", name)
		}
		clean := map[string]string{
			"a redaction":                 driftless.Redacted + " hmac:0123456789ab",
			"an error text":               "driftless: loading faults_test.cfg: 1 problem\n\tN (N from env): cannot decode as int",
			"%x of a redaction":           fmt.Sprintf("%x %X % x", driftless.Redacted, driftless.Redacted, driftless.Redacted),
			"base64 of a redaction":       base64.StdEncoding.EncodeToString([]byte("[REDACTED] [REDACTED]")),
			"a JSON report":               `{"path":"Token","key":"TOKEN","source":"env","secret":true,"display":"[REDACTED] hmac:4f1a2b3c4d5e"}`,
			"the other canaries' letters": "cnry cnry- cnry\\ \\u0067 %s%v %%",
		}
		for name, out := range clean {
			form, found := d.find([]byte(out))
			assert.False(t, found, "false positive (%s) in %s", form, name)
		}
	})
	t.Run("numeric secret", func(t *testing.T) {
		t.Parallel()
		const number = "9182736450918273645091827364"
		d := newLeakDetector(number)
		_, found := d.find(fmt.Appendf(nil, "%x", "id="+number[3:11]+";"))
		assert.True(t, found, "hex of 8 of its digits")
		form, found := d.find(fmt.Appendf(nil, "%x", "/tmp/TestX1827364/001"))
		assert.False(t, found, "false positive (%s): hex of 7 of its digits in a path", form)
	})
}
