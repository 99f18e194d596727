package azkv

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/driftless/driftless"
)

// FuzzParse checks that any reference name either fails with ErrInvalidRef
// or yields a vault name that is a single DNS label, so a reference can
// never send a request (and its token) to another host.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"prod-kv/db", "prod-kv/db/0123456789abcdef0123456789abcdef", "evil.example.com/x",
		"a/b", "vault-1/secret/v/extra", "v@u/x", "kv:443/x", "KV-Prod/Name", "x--y/z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		l, err := parse(driftless.Ref{Scheme: Scheme, Name: name})
		if err != nil {
			if !errors.Is(err, driftless.ErrInvalidRef) {
				t.Fatalf("error does not wrap ErrInvalidRef: %v", err)
			}
			return
		}
		o := defaultOptions()
		u, err := url.Parse(o.urlFor(l.vault))
		if err != nil || u.Host != l.vault+"."+DefaultVaultSuffix || strings.ContainsAny(l.vault, ".:@/") {
			t.Fatalf("vault name %q escapes its host", l.vault)
		}
		if l.secret == "" || strings.Contains(l.secret, "/") {
			t.Fatalf("bad secret name %q", l.secret)
		}
	})
}
