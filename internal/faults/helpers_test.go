package faults_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canary is the one secret value the canary suite sends through every
// path that can print. It is long and random-looking so that none of its
// 12-byte pieces can appear in output by chance.
const canary = "cnry-Q7vX2mK9pL4wZ8rT1yB6nH3jF5dS0gA"

// window is the length of the pieces of the canary (and of its encodings)
// that must not appear either: a truncated value ("s[:57]...") still leaks.
const window = 12

// leakForms returns every byte sequence whose presence in output means the
// canary leaked: the canary, each piece of it of window bytes, its hex
// (lower and upper case) and pieces of that, and its standard and URL-safe
// base64 forms at the three byte alignments.
func leakForms(secret string) map[string]string {
	forms := map[string]string{"canary": secret}
	for i := 0; i+window <= len(secret); i++ {
		forms["canary piece "+secret[i:i+window]] = secret[i : i+window]
	}
	hx := hex.EncodeToString([]byte(secret))
	forms["hex"] = hx
	forms["HEX"] = strings.ToUpper(hx)
	for i := 0; i+2*window <= len(hx); i += 2 {
		forms["hex piece at "+hx[i:i+4]] = hx[i : i+2*window]
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		for align := 0; align < 3; align++ {
			b := enc.EncodeToString([]byte(secret[align:]))
			// The last 4 characters depend on what follows; the rest is
			// what any encoding of a text holding the canary contains.
			if len(b) > 4 {
				b = b[:len(b)-4]
			}
			forms["base64 at "+string(rune('0'+align))+" "+b[:6]] = b
		}
	}
	return forms
}

var canaryForms = leakForms(canary)

// assertNoCanary fails the test when out holds the canary in any form. The
// failure message names the form and the path, never the output itself.
func assertNoCanary(t *testing.T, path string, out []byte) {
	t.Helper()
	for name, form := range canaryForms {
		// Not assert.NotContains: it would print the output and the canary.
		assert.Falsef(t, bytes.Contains(out, []byte(form)), "LEAK: %s of the canary appears in %s (%d bytes of output)", name, path, len(out))
	}
	// The canary has no character that JSON, %q or a Go escape would
	// rewrite, so a plain match also covers quoted output.
}

// assertNoCanaryString is assertNoCanary for a string.
func assertNoCanaryString(t *testing.T, path, out string) {
	t.Helper()
	assertNoCanary(t, path, []byte(out))
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

// TestLeakDetector is the positive control of the canary suite: each form
// of a leak is caught, and output without the canary passes.
func TestLeakDetector(t *testing.T) {
	t.Parallel()
	detects := func(out string) bool {
		for _, form := range canaryForms {
			if strings.Contains(out, form) {
				return true
			}
		}
		return false
	}
	tests := []struct {
		name string
		out  string
		leak bool
	}{
		{"the canary", "password=" + canary + ";", true},
		{"a truncated canary", "value: " + canary[:window] + "...", true},
		{"the tail of the canary", "…" + canary[len(canary)-window:], true},
		{"hex", "0x" + hex.EncodeToString([]byte("k="+canary)), true},
		{"upper hex", strings.ToUpper(hex.EncodeToString([]byte(canary))), true},
		{"base64 at offset 0", base64.StdEncoding.EncodeToString([]byte(canary)), true},
		{"base64 at offset 1", base64.StdEncoding.EncodeToString([]byte("x" + canary + "y")), true},
		{"base64 at offset 2", base64.URLEncoding.EncodeToString([]byte("xy" + canary)), true},
		{"raw base64 in JSON bytes", `{"b":"` + base64.RawStdEncoding.EncodeToString([]byte("abc"+canary+"abc")) + `"}`, true},
		{"a redaction", driftless.Redacted + " hmac:0123456789ab", false},
		{"an unrelated text", "driftless: loading faults_test.cfg: 1 problem\n\tN (N from env): cannot decode as int", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.leak, detects(tc.out))
		})
	}
}
