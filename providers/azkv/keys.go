package azkv

import (
	"maps"
	"strings"

	"github.com/driftless/driftless/driver"
)

// Keys returns a key-value source that reads the config keys of m from
// vault: m maps a config key (the field's env key, prefix included, such as
// "OPENAI_API_KEY") to the name of the Key Vault secret that holds it (such
// as "openai-api-key"). Key Vault names allow only letters, digits and
// dashes, so the mapping is explicit. A key not in m is not in this source
// (the chain goes on to the next one), and so is a mapped secret that does
// not exist. m is copied.
func Keys(vault string, m map[string]string) driver.KeySource {
	m = maps.Clone(m)
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		name, ok := m[key]
		if !ok {
			return driver.Ref{}, false
		}
		return driver.Ref{Scheme: Scheme, Name: vault + "/" + name}, true
	})
}

// Dashed returns a key-value source that reads every config key from vault
// under the secret name that DashedName gives: OPENAI_API_KEY is read from
// the secret openai-api-key, DB_PASSWORD from db-password. Keys that have
// no such name (other characters than letters, digits, "_" and "-") are
// not in this source. A secret that does not exist lets the chain go on to
// the next source.
func Dashed(vault string) driver.KeySource {
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		name, ok := DashedName(key)
		if !ok {
			return driver.Ref{}, false
		}
		return driver.Ref{Scheme: Scheme, Name: vault + "/" + name}, true
	})
}

// DashedName maps a config key to a Key Vault secret name: lower case, with
// "_" turned into "-" (OPENAI_API_KEY becomes openai-api-key). It reports
// false for a key that holds any other character than ASCII letters,
// digits, "_" and "-", or that is empty or longer than 127 bytes. Key
// Vault names are case-insensitive, so the lower case changes nothing but
// how the name reads.
func DashedName(key string) (string, bool) {
	if key == "" || len(key) > 127 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '_':
			b.WriteByte('-')
		default:
			return "", false
		}
	}
	return b.String(), true
}
