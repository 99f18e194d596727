package awssm

import (
	"fmt"
	"strings"

	"github.com/driftless/driftless/driver"
)

// Prefix returns a key source that looks every config key up as a secret
// named prefix+key: with prefix "prod/inference-engine/", the key
// OPENAI_API_KEY is read from awssm://prod/inference-engine/OPENAI_API_KEY.
// A secret that does not exist falls through to the next source.
func Prefix(prefix string) driver.KeySource {
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		if key == "" {
			return driver.Ref{}, false
		}
		return driver.Ref{Scheme: Scheme, Name: prefix + key}, true
	})
}

// JSON returns a key source that reads every config key from one JSON
// secret: OPENAI_API_KEY is awssm://<name>#OPENAI_API_KEY. All keys share
// one fetch; a key missing from the JSON object falls through to the next
// source.
func JSON(name string) driver.KeySource {
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		if key == "" || name == "" {
			return driver.Ref{}, false
		}
		return driver.Ref{Scheme: Scheme, Name: name, Key: key}, true
	})
}

// Keys returns a key source with an explicit mapping from config keys to
// secrets. Each value is what follows awssm:// in a reference: a secret
// name or ARN, optionally with ?version-stage=... or ?version-id=... and a
// #key, as in
//
//	awssm.Keys(map[string]string{
//		"OPENAI_API_KEY": "prod/llm-keys#openai",
//		"DB_PASSWORD":    "prod/database#password",
//	})
//
// (an "awssm://" prefix is accepted too). Keys not in the map are left to
// the next source. The map is copied. Keys panics if a value is not a valid
// reference, as regexp.MustCompile does for a bad pattern: the mapping is
// part of the program, and the panic names the config key, not the value.
func Keys(m map[string]string) driver.KeySource {
	refs := make(map[string]driver.Ref, len(m))
	for k, v := range m {
		s := v
		if !strings.HasPrefix(s, Scheme+"://") {
			s = Scheme + "://" + s
		}
		ref, err := driver.ParseRef(s)
		if err == nil && strings.Contains(ref.Name, "://") {
			err = &driver.RefError{Scheme: Scheme, Reason: "not an awssm:// reference"}
		}
		if err == nil {
			_, err = parse(ref)
		}
		if err != nil {
			panic(fmt.Sprintf("awssm.Keys: the mapping for %q: %v", k, err))
		}
		refs[k] = ref
	}
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		ref, ok := refs[key]
		return ref, ok
	})
}
