package azkv

import (
	"net/url"
	"strings"
	"testing"

	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/require"
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
		l, err := parse(driver.Ref{Scheme: Scheme, Name: name})
		if err != nil {
			require.ErrorIs(t, err, driver.ErrInvalidRef)
			return
		}
		o := defaultOptions()
		u, err := url.Parse(o.urlFor(l.vault))
		require.NoError(t, err)
		require.Equalf(t, l.vault+"."+DefaultVaultSuffix, u.Host, "vault name %q escapes its host", l.vault)
		require.Falsef(t, strings.ContainsAny(l.vault, ".:@/"), "vault name %q escapes its host", l.vault)
		require.Falsef(t, l.secret == "" || strings.Contains(l.secret, "/"), "bad secret name %q", l.secret)
	})
}
