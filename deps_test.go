package driftless_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modules returns the directory of every module of the repository, found by
// its go.mod file (the Makefile's rule: no hand-kept list).
func modules(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, dirs, ".", "the walk did not find the root module")
	return dirs
}

// inWorkspace reports whether go.work uses the module in dir.
func inWorkspace(t *testing.T, dir string) bool {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "work", "edit", "-json").Output()
	require.NoError(t, err, "go work edit -json")
	var w struct{ Use []struct{ DiskPath string } }
	require.NoError(t, json.Unmarshal(out, &w))
	for _, u := range w.Use {
		if filepath.Clean(u.DiskPath) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}

// imports runs go list -deps on the non-test packages of the module in dir,
// built for goos, and returns, for each package in their import graph, its
// direct imports.
func imports(t *testing.T, dir, goos string) map[string][]string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos)
	if !inWorkspace(t, dir) {
		// Connected to no sibling (internal/vaultserver, internal/release):
		// it builds alone, as make test builds it.
		cmd.Env = append(cmd.Env, "GOWORK=off")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoErrorf(t, err, "go list -deps in %s:\n%s", dir, stderr.String())
	graph := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			graph[f[0]] = f[1:]
		}
	}
	return graph
}

// TestTestifyIsTestOnly checks that no module's non-test code depends on
// testify, on any of the platforms the CLI builds for: it is the assertion
// library of the tests, never a dependency of what users import
// (providertest and drifttest included).
func TestTestifyIsTestOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list in every module")
	}
	for _, dir := range modules(t) {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			for _, goos := range []string{"linux", "darwin", "windows"} {
				for pkg, imps := range imports(t, dir, goos) {
					if strings.HasPrefix(pkg, "github.com/stretchr/testify") {
						continue // its own imports; whoever imports it is reported
					}
					for _, imp := range imps {
						assert.Falsef(t, strings.HasPrefix(imp, "github.com/stretchr/testify"),
							"non-test package %s imports %s (GOOS=%s)", pkg, imp, goos)
					}
				}
			}
		})
	}
}

// TestRootModuleIsStandardLibraryOnly checks the root module's promise: its
// non-test packages depend on the standard library and on each other only.
func TestRootModuleIsStandardLibraryOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoErrorf(t, err, "go list -deps:\n%s", stderr.String())
	pkgs := strings.Fields(string(out))
	require.Contains(t, pkgs, "github.com/driftless/driftless")
	for _, p := range pkgs {
		assert.Truef(t, p == "github.com/driftless/driftless" || strings.HasPrefix(p, "github.com/driftless/driftless/"),
			"the root module's non-test code depends on %s", p)
	}
}
