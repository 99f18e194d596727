package leaks

import (
	"testing"

	"github.com/driftless/driftless"
)

func inTests(t *testing.T, tb testing.TB, s driftless.Secret) {
	t.Errorf("got %q", s.Value()) // want `a secret value reaches \(\*testing.T\).Errorf`
	tb.Fatal(s.Value())           // want `a secret value reaches testing.TB.Fatal`
	t.Log(s)                      // the Secret prints redacted
	t.Setenv("KEY", s.Value())    // not a print
}
