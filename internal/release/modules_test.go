package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTree writes files (slash-separated names) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

func TestIsReleased(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir, gomod string
		want       bool
	}{
		{".", "module m\n", true},
		{"providers/a", "module m/providers/a\n", true},
		{"internal/faults", "module m/internal/faults\n", false},
		{"x/internal/y", "module m/x/internal/y\n", false},
		{"internals", "module m/internals\n", true},
		{"examples", "module m/examples\n\n// driftless:unreleased (examples): never tagged.\n", false},
		{"examples", "module m/examples\n\n//driftless:unreleased\n", false},
		{"docs", "module m/docs // about driftless:unreleased modules\n", true},
	} {
		assert.Equal(t, tc.want, isReleased(tc.dir, []byte(tc.gomod)), "%s: %q", tc.dir, tc.gomod)
	}
}

// A repository with a root module, a provider and a command that require
// it, a test-only module, an example, and a tool connected to no sibling.
func sampleRepo(t *testing.T) *Repo {
	t.Helper()
	root := writeTree(t, map[string]string{
		"go.mod":                  "module example.com/m\n\ngo 1.24\n",
		"m.go":                    "package m\n",
		"providers/a/go.mod":      "module example.com/m/providers/a\n\ngo 1.25.0\n\nrequire example.com/m v0.3.0\n",
		"providers/a/a.go":        "package a\n",
		"providers/a/vendor/x.go": "package x\n",
		"cmd/m/go.mod":            "module example.com/m/cmd/m\n\ngo 1.25\n\nrequire (\n\texample.com/m v0.3.0\n\texample.com/m/providers/a v0.3.0\n)\n",
		"cmd/m/main.go":           "package main\n\nfunc main() {}\n",
		"internal/faults/go.mod":  "module example.com/m/internal/faults\n\ngo 1.25\n\nrequire example.com/m v0.3.0\n",
		"examples/go.mod":         "module example.com/m/examples\n\n// driftless:unreleased (examples)\n\ngo 1.25\n\nrequire example.com/m v0.3.0\n",
		"internal/tool/go.mod":    "module example.com/m/internal/tool\n\ngo 1.26.0\n",
		"testdata/mod/go.mod":     "module example.com/ignored\n",
	})
	r, err := findRepo(root)
	require.NoError(t, err)
	return r
}

func dirs(ms []*Module) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Dir)
	}
	return out
}

func TestFindRepoAndRules(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	assert.Equal(t, []string{".", "cmd/m", "examples", "internal/faults", "internal/tool", "providers/a"}, dirs(r.Modules), "found by go.mod, testdata skipped")
	assert.Equal(t, []string{".", "cmd/m", "providers/a"}, dirs(r.Released()))
	assert.Equal(t, []string{".", "cmd/m", "examples", "internal/faults", "providers/a"}, dirs(r.workspace()), "the tool requires no sibling and none requires it")
	v, err := r.releaseVersion()
	require.NoError(t, err)
	assert.Equal(t, "v0.3.0", v)
	assert.Equal(t, "providers/a/", r.byDir("providers/a").TagPrefix())
	assert.Empty(t, r.byDir(".").TagPrefix())
}

func TestGoWork(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	got := string(r.goWork())
	assert.Contains(t, got, "\ngo 1.25.0\n", "the highest go line of the workspace modules")
	assert.Contains(t, got, "use (\n\t.\n\t./cmd/m\n\t./examples\n\t./internal/faults\n\t./providers/a\n)\n")
	assert.Contains(t, got, "\texample.com/m v0.3.0 => .\n\texample.com/m/providers/a v0.3.0 => ./providers/a\n")
	assert.NotContains(t, got, "internal/tool")

	require.Error(t, runWork(r, true), "no go.work yet")
	require.NoError(t, runWork(r, false))
	require.NoError(t, runWork(r, true))
	require.NoError(t, os.WriteFile(filepath.Join(r.Root, "go.work"), []byte(strings.Replace(got, "\t./examples\n", "", 1)), 0o644))
	assert.ErrorContains(t, runWork(r, true), "out of date")
}

func TestCheckRefusesWhatBreaksARelease(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"replace in a released module": {
			"go.mod":   "module example.com/m\n",
			"p/go.mod": "module example.com/m/p\n\nrequire example.com/m v0.1.0\n\nreplace example.com/m => ../\n",
		},
		"several versions": {
			"go.mod":   "module example.com/m\n",
			"p/go.mod": "module example.com/m/p\n\nrequire example.com/m v0.1.0\n",
			"q/go.mod": "module example.com/m/q\n\nrequire example.com/m v0.2.0\n",
		},
		"pseudo-version": {
			"go.mod":   "module example.com/m\n",
			"p/go.mod": "module example.com/m/p\n\nrequire example.com/m v0.0.0-00010101000000-000000000000\n",
		},
		"released requires unreleased": {
			"go.mod":            "module example.com/m\n",
			"internal/x/go.mod": "module example.com/m/internal/x\n",
			"p/go.mod":          "module example.com/m/p\n\nrequire example.com/m/internal/x v0.1.0\n",
		},
	} {
		r, err := findRepo(writeTree(t, files))
		require.NoError(t, err)
		_, err = r.releaseVersion()
		assert.Error(t, err, name)
	}
}

func TestModuleFiles(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	files := []string{"go.mod", "m.go", "cmd/m/go.mod", "cmd/m/main.go", "providers/a/a.go", "providers/a/go.mod", "providers/a/vendor/x.go", "testdata/mod/go.mod"}
	assert.Equal(t, []string{"go.mod", "m.go", "testdata/mod/go.mod"}, r.moduleFiles(r.byDir("."), files), "nested modules' files are theirs")
	assert.Equal(t, []string{"a.go", "go.mod"}, r.moduleFiles(r.byDir("providers/a"), files), "vendor directories are left out")
}
