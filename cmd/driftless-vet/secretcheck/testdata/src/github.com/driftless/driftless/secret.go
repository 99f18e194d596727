// Package driftless is a stub of the library's Secret and Rotating, with
// the methods the analyzer looks for (TestStubMatchesLibrary checks them).
package driftless

// Secret holds a sensitive value.
type Secret struct{ v string }

// NewSecret returns a Secret holding value.
func NewSecret(value string) Secret { return Secret{v: value} }

// Value returns the plain value.
func (s Secret) Value() string { return s.v }

// Bytes returns the plain value as bytes.
func (s Secret) Bytes() []byte { return []byte(s.v) }

// Len returns the length of the value.
func (s Secret) Len() int { return len(s.v) }

// String returns a redacted placeholder.
func (s Secret) String() string { return "[REDACTED]" }

// Fingerprint returns a keyed hash of the value.
func (s Secret) Fingerprint(key []byte) string { return "fp" }

// Rotating holds the current and the previous Secret.
type Rotating struct{ current, previous Secret }

// Current returns the current Secret.
func (r Rotating) Current() Secret { return r.current }

// Previous returns the previous Secret.
func (r Rotating) Previous() Secret { return r.previous }

// Values returns the current and the previous Secret.
func (r Rotating) Values() []Secret { return []Secret{r.current, r.previous} }

// Match reports whether ok accepts the current or the previous value.
func (r Rotating) Match(ok func(value string) bool) bool {
	return ok(r.current.v) || ok(r.previous.v)
}
