package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/exp/apidiff"
)

func TestMinNext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		last                    string
		incompatible, additions bool
		want                    string
	}{
		{"v0.1.0", true, false, "v0.2.0"},
		{"v0.1.3", false, true, "v0.2.0"},
		{"v0.1.3", false, false, "v0.1.4"},
		{"v1.4.2", true, true, "v2.0.0"},
		{"v1.4.2", false, true, "v1.5.0"},
	} {
		assert.Equal(t, tc.want, minNext(tc.last, tc.incompatible, tc.additions), "%+v", tc)
	}
}

// loadModule writes a one-package module and loads its API as the check does.
func loadModule(t *testing.T, src string) *apidiff.Module {
	t.Helper()
	dir := writeTree(t, map[string]string{
		"go.mod":           "module example.com/lib\n\ngo 1.22\n",
		"lib.go":           src,
		"internal/x/x.go":  "package x\n\nfunc Gone() {}\n",
		"cmd/tool/main.go": "package main\n\nfunc main() {}\n",
	})
	env := withEnv(os.Environ(), map[string]string{"GOWORK": "off", "GOFLAGS": "-mod=mod", "GOPROXY": "off"})
	m, err := loadAPI(t.Context(), dir, "example.com/lib", env)
	require.NoError(t, err)
	require.Len(t, m.Packages, 1, "internal and main packages are no API")
	return m
}

// The check flags a deliberately incompatible change, and the version rule
// refuses a release number too low for it.
func TestAPIDiffFlagsIncompatibleChange(t *testing.T) {
	t.Parallel()
	old := loadModule(t, "package lib\n\n// F is public.\nfunc F(s string) int { return len(s) }\n\n// T is public.\ntype T struct{ A int }\n")
	same := loadModule(t, "package lib\n\n// F is public.\nfunc F(s string) int { return len(s) + 1 }\n\n// T is public.\ntype T struct{ A int }\n")
	added := loadModule(t, "package lib\n\n// F is public.\nfunc F(s string) int { return len(s) }\n\n// T is public.\ntype T struct{ A, B int }\n\n// G is new.\nfunc G() {}\n")
	broken := loadModule(t, "package lib\n\n// F is public.\nfunc F(s []byte) int { return len(s) }\n\n// T is public.\ntype T struct{ A int }\n")

	rep := apidiff.ModuleChanges(old, same)
	assert.Empty(t, rep.Changes, "a body change is no API change")
	note, err := judge("example.com/lib", "v0.1.0", "v0.1.1", rep)
	require.NoError(t, err)
	assert.Equal(t, "no API change", note)

	rep = apidiff.ModuleChanges(old, added)
	require.NotEmpty(t, rep.Changes)
	for _, c := range rep.Changes {
		assert.True(t, c.Compatible, c.Message)
	}
	_, err = judge("example.com/lib", "v0.1.0", "v0.1.1", rep)
	assert.ErrorContains(t, err, "compatible additions since v0.1.0 call for v0.2.0 or later")

	rep = apidiff.ModuleChanges(old, broken)
	require.NotEmpty(t, rep.Changes)
	assert.False(t, rep.Changes[0].Compatible)
	assert.Contains(t, rep.Changes[0].Message, "F")
	_, err = judge("example.com/lib", "v0.1.0", "v0.1.1", rep)
	assert.ErrorContains(t, err, "incompatible changes since v0.1.0 call for v0.2.0 or later, but the go.mod files release v0.1.1")
	note, err = judge("example.com/lib", "v0.1.0", "v0.2.0", rep)
	require.NoError(t, err)
	assert.Equal(t, "incompatible changes; v0.2.0 is fine", note)
	note, err = judge("example.com/lib", "v0.1.0", "v0.1.0", rep)
	require.NoError(t, err, "nothing is released until the go.mod files require a new version")
	assert.Equal(t, "incompatible changes; the next release must be v0.2.0 or later", note)
}
