package driftless

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dumped returns the bytes a reflection dump (spew in a testify diff, a
// debugger) shows for s: everything reachable from the Secret.
func dumped(s Secret) []byte { return append(append([]byte(nil), s.p.iv[:]...), s.p.ct...) }

func ciphertext(s Secret) []byte { return s.p.ct }

// TestMaskKnownLiteralRevealsNothingElse is the first attack on the old pad:
// one known value in the same dump gave the pad, then every other value.
func TestMaskKnownLiteralRevealsNothingElse(t *testing.T) {
	known := strings.Repeat("known-literal-", 20)
	other := strings.Repeat("the-other-secret-value-", 10)
	a, b := NewSecret(known), NewSecret(other)
	// Keystream recovered from the known value...
	ks := make([]byte, len(known))
	for i := range ks {
		ks[i] = ciphertext(a)[i] ^ known[i]
	}
	// ...applied to the other value's dump.
	guess := make([]byte, len(other))
	for i := range guess {
		guess[i] = ciphertext(b)[i] ^ ks[i]
	}
	matches := 0
	for i := range guess {
		if guess[i] == other[i] {
			matches++
		}
	}
	// A random guess matches about 1 byte in 256.
	assert.Less(t, matches, 8, "bytes of the other secret recovered from a known one")
	assert.Equal(t, other, b.Value())
}

// TestMaskLongValueHasNoPeriod is the second attack: a PEM key longer than
// the old 64-byte pad was rebuilt alone from its periodic masked bytes.
func TestMaskLongValueHasNoPeriod(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n", 40) + "-----END PRIVATE KEY-----\n"
	s := NewSecret(pem)
	ct := ciphertext(s)
	for period := 1; period <= 1024; period++ {
		same := 0
		for i := period; i < len(ct); i++ {
			// c[i]^c[i-p] == m[i]^m[i-p] under a periodic pad.
			if ct[i]^ct[i-period] == pem[i]^pem[i-period] {
				same++
			}
		}
		require.Less(t, float64(same), 0.05*float64(len(ct)-period), "masked bytes repeat with period %d", period)
	}
	assert.Equal(t, pem, s.Value())
}

func TestMaskEqualValuesDiffer(t *testing.T) {
	a, b := NewSecret("same value"), NewSecret("same value")
	assert.NotEqual(t, dumped(a), dumped(b))
	assert.True(t, a.Equal(b))
	assert.False(t, a.Equal(NewSecret("same valuf")))
	assert.True(t, NewSecret("").Equal(NewSecret("")))
	assert.False(t, NewSecret("").Equal(Secret{}))
}

// TestMaskDiffShowsNoValue runs a failing testify comparison (the diff
// prints go-spew dumps of unexported fields) and checks the output holds
// no value in clear or in hex.
func TestMaskDiffShowsNoValue(t *testing.T) {
	type cfg struct {
		Known, Key Secret
	}
	const known, key = "known-literal-value", "sk-live-0123456789abcdef"
	rec := &recorder{}
	assert.Equal(rec, cfg{NewSecret(known), NewSecret(key)}, cfg{NewSecret(known), NewSecret(key + "x")})
	require.NotEmpty(t, rec.out.String(), "the comparison should fail and print a diff")
	out := rec.out.String()
	for _, v := range []string{known, key} {
		assert.NotContains(t, out, v)
		assert.NotContains(t, out, hex.EncodeToString([]byte(v))[:16])
	}
}

type recorder struct{ out bytes.Buffer }

func (r *recorder) Errorf(format string, args ...any) { fmt.Fprintf(&r.out, format, args...) }

// BenchmarkSecretValue measures the cost of reading a Secret's value: one
// AES-CTR decryption and one allocation. Rerun with
// go test -run '^$' -bench SecretValue -benchmem .
func BenchmarkSecretValue(b *testing.B) {
	s := NewSecret("sk-live-0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		if s.Value() == "" {
			b.Fatal("empty")
		}
	}
}
