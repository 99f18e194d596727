package gcpsm

import (
	"strings"
	"testing"

	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/require"
)

// FuzzResolve checks that resolving any name either fails with a
// RefError or yields a version name that resolves to itself.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"projects/p/secrets/s", "projects/p/secrets/s/versions/3", "projects/p/locations/l/secrets/s/versions/latest",
		"p/s", "p/s/2", "s", "", "/", "projects//secrets/s", "projects/p/locations/l", "a/b/c/d", "p/s.t",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, name string, regional bool) {
		p := New(nil, WithProject("dp"))
		if regional {
			p = New(nil, WithProject("dp"), WithRegion("l"))
		}
		r, err := p.resolve(name)
		if err != nil {
			var re *driver.RefError
			require.ErrorAs(t, err, &re)
			require.ErrorIs(t, err, driver.ErrInvalidRef)
			return
		}
		full := r.name()
		require.Truef(t, strings.HasPrefix(full, "projects/") && validID(r.secret) && r.version != "", "resolve gave %q", full)
		again, err := p.resolve(full)
		require.NoErrorf(t, err, "full name %q does not resolve", full)
		require.Equalf(t, r, again, "full name %q does not resolve to itself", full)
	})
}
