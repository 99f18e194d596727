package gcpsm

import (
	"strings"

	"github.com/driftless/driftless/driver"
)

// Keys returns a key-value source that maps config keys to secrets of
// project, as in
//
//	gcpsm.Keys("my-project", map[string]string{
//		"OPENAI_API_KEY": "openai-key",       // latest version
//		"DB_PASSWORD":    "db#password",      // a key of a JSON secret
//		"LEGACY_TOKEN":   "legacy-token/3",   // a pinned version
//	})
//
// A value is a secret id, optionally followed by "/<version>" and by
// "#<key>", or a full projects/... name. With project "" a value is read
// as a reference name: a bare secret id of the provider's default project
// (WithProject), "<project>/<secret>[/<version>]" or a full name. Keys
// copies m; keys absent from m have no mapping.
func Keys(project string, m map[string]string) driver.KeySource {
	refs := make(map[string]driver.Ref, len(m))
	for k, v := range m {
		refs[k] = keyRef(project, v)
	}
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		r, ok := refs[key]
		return r, ok
	})
}

// Prefix returns a key-value source that maps every config key to the
// latest version of the secret prefix+key in project: with prefix
// "myapp-", OPENAI_API_KEY is read from the secret myapp-OPENAI_API_KEY.
// Keys that cannot form a valid secret id ([A-Za-z0-9_-], at most 255
// characters) have no mapping. With project "" the secrets belong to the
// provider's default project (WithProject).
func Prefix(project, prefix string) driver.KeySource {
	return driver.KeySourceFunc(func(key string) (driver.Ref, bool) {
		id := prefix + key
		if !validID(id) {
			return driver.Ref{}, false
		}
		return keyRef(project, id), true
	})
}

// keyRef builds the reference for a mapping value: "id[/version][#key]" or
// a full "projects/..." name.
func keyRef(project, v string) driver.Ref {
	r := driver.Ref{Scheme: Scheme}
	if i := strings.IndexByte(v, '#'); i >= 0 {
		v, r.Key = v[:i], v[i+1:]
	}
	switch {
	case strings.HasPrefix(v, "projects/"), project == "":
		r.Name = v
	default:
		r.Name = project + "/" + v
	}
	return r
}
