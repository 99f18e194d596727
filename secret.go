package driftless

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"unsafe"
)

// Redacted is what a Secret shows in place of its value, everywhere.
const Redacted = "[REDACTED]"

// Secret holds a sensitive value. It never shows the value in fmt (every
// verb, including %v, %+v, %#v, %s, %q and %x), in JSON or text marshalling,
// in slog, in errors, in explain output or in diffs. The value is reached
// only by the explicit Value or Bytes methods.
//
// The zero Secret is unset and empty. A Secret is immutable and safe to copy
// and to share between goroutines.
type Secret struct {
	// The value is kept encrypted under a random per-process key with a
	// fresh random IV per value (AES-CTR), behind a pointer, so that
	// reflection-based printers (fmt on an unexported field, spew in test
	// failure diffs, debuggers' struct dumps) show an address or
	// ciphertext. The key is not reachable from a Secret, each value has its
	// own keystream, and equal values encrypt differently: a dump of any
	// number of Secrets, with some of their plaintexts known, tells nothing
	// about the others.
	p *sealed
}

// sealed holds a value encrypted with the process key under iv.
type sealed struct {
	iv [aes.BlockSize]byte
	ct []byte
}

// sealKey encrypts sealed values; random per process, never stored, and
// not reachable from any Secret.
var sealKey = func() cipher.Block {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	b, err := aes.NewCipher(k)
	if err != nil {
		panic("driftless: " + err.Error()) // a 32-byte key is always valid
	}
	clear(k)
	return b
}()

func seal(v string) *sealed {
	s := &sealed{ct: make([]byte, len(v))}
	_, _ = rand.Read(s.iv[:])
	xorKeyStream(s.ct, []byte(v), &s.iv)
	return s
}

// open appends the clear value to dst.
func (s *sealed) open(dst []byte) []byte {
	n := len(dst)
	dst = append(dst, s.ct...)
	xorKeyStream(dst[n:], dst[n:], &s.iv)
	return dst
}

// xorKeyStream XORs src with the AES-CTR keystream of the process key from
// iv into dst (as cipher.NewCTR would, without its buffer allocation).
func xorKeyStream(dst, src []byte, iv *[aes.BlockSize]byte) {
	ctr := *iv
	var ks [aes.BlockSize]byte
	for i := 0; i < len(src); i += aes.BlockSize {
		sealKey.Encrypt(ks[:], ctr[:])
		subtle.XORBytes(dst[i:], src[i:], ks[:])
		for j := aes.BlockSize - 1; j >= 0; j-- {
			ctr[j]++
			if ctr[j] != 0 {
				break
			}
		}
	}
	clear(ks[:])
}

// NewSecret returns a Secret holding value.
func NewSecret(value string) Secret { return Secret{p: seal(value)} }

// Value returns the secret value. Call it only where the value is used (an
// HTTP header, a database DSN), never to log or print it. Each call decrypts
// the value into a new string (one allocation); keep the result where a hot
// path needs it repeatedly, such as in a client rebuilt on change.
func (s Secret) Value() string {
	if s.p == nil || len(s.p.ct) == 0 {
		return ""
	}
	b := s.p.open(make([]byte, 0, len(s.p.ct)))
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Bytes returns a copy of the secret value as bytes.
func (s Secret) Bytes() []byte {
	if s.p == nil {
		return []byte{}
	}
	return s.p.open(make([]byte, 0, len(s.p.ct)))
}

// Len returns the length of the value in bytes.
func (s Secret) Len() int {
	if s.p == nil {
		return 0
	}
	return len(s.p.ct)
}

// IsSet reports whether the Secret was given a value (possibly empty).
func (s Secret) IsSet() bool { return s.p != nil }

// IsZero reports whether the Secret is unset or empty; encoding/json's
// omitzero uses it.
func (s Secret) IsZero() bool { return s.Len() == 0 }

// Equal reports whether s and t hold the same value, in constant time for
// values of equal length.
func (s Secret) Equal(t Secret) bool {
	if s.IsSet() != t.IsSet() {
		return false
	}
	if !s.IsSet() {
		return true
	}
	if len(s.p.ct) != len(t.p.ct) {
		return false
	}
	a, b := s.Bytes(), t.Bytes()
	defer clear(a)
	defer clear(b)
	return subtle.ConstantTimeCompare(a, b) == 1
}

// String returns Redacted.
func (s Secret) String() string { return Redacted }

// GoString returns a redacted Go-syntax form, for %#v.
func (s Secret) GoString() string { return "driftless.Secret(" + Redacted + ")" }

// Format writes Redacted for every verb, so no fmt verb can show the value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// MarshalJSON returns the JSON string "[REDACTED]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns Redacted.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalText sets the value, so a Secret can be a field of a struct
// filled from a JSON secret or any text decoder.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}

// UnmarshalJSON accepts a JSON string (or any JSON value, kept as its text),
// so a Secret can be a field of a struct filled from a whole JSON secret.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		*s = NewSecret(string(b))
		return nil
	}
	*s = NewSecret(str)
	return nil
}

// LogValue makes slog print Redacted.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Fingerprint returns a short keyed fingerprint of the value: the first 12
// hex digits of HMAC-SHA256(key, value). Without the key it cannot be used
// to guess a short secret offline; two environments compared with the same
// key show whether their values match. An unset Secret has fingerprint "".
func (s Secret) Fingerprint(key []byte) string {
	if s.p == nil {
		return ""
	}
	b := s.Bytes()
	defer clear(b)
	return fingerprint(key, b)
}

// fingerprint returns the first 12 hex digits of HMAC-SHA256(key, value),
// prefixed with "hmac:".
func fingerprint(key, value []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(value)
	return "hmac:" + hex.EncodeToString(m.Sum(nil)[:6])
}

// processKey is the fingerprint key of this process: random, never stored,
// so fingerprints in explain output cannot be brute-forced offline.
var processKey = func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}()

// Rotating holds the current value of a secret and the one before it, for
// verifiers (a webhook signature, a JWT key) that must accept both while a
// rotation propagates. It is filled from a provider that can fetch the
// previous version (driver.PreviousFetcher); from any other source only
// Current is set. Like Secret, it never shows a value.
type Rotating struct {
	current, previous Secret
}

// NewRotating returns a Rotating with the given values.
func NewRotating(current, previous Secret) Rotating {
	return Rotating{current: current, previous: previous}
}

// Current returns the current value.
func (r Rotating) Current() Secret { return r.current }

// Previous returns the previous value; it is unset when there is none.
func (r Rotating) Previous() Secret { return r.previous }

// Values returns the current value and, if set and different, the previous
// one: the values a verifier should accept, newest first.
func (r Rotating) Values() []Secret {
	out := []Secret{r.current}
	if r.previous.IsSet() && !r.previous.Equal(r.current) {
		out = append(out, r.previous)
	}
	return out
}

// Match reports whether ok returns true for the current or the previous
// value, trying the current one first.
func (r Rotating) Match(ok func(value string) bool) bool {
	for _, s := range r.Values() {
		if s.IsSet() && ok(s.Value()) {
			return true
		}
	}
	return false
}

// String returns Redacted.
func (r Rotating) String() string { return Redacted }

// GoString returns a redacted Go-syntax form.
func (r Rotating) GoString() string { return "driftless.Rotating(" + Redacted + ")" }

// Format writes Redacted for every verb.
func (r Rotating) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(r.GoString()))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// MarshalJSON returns the JSON string "[REDACTED]".
func (r Rotating) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns Redacted.
func (r Rotating) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue makes slog print Redacted.
func (r Rotating) LogValue() slog.Value { return slog.StringValue(Redacted) }
