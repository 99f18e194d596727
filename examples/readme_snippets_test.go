package examples_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMESnippetsCompile type-checks the Go code blocks of every
// README.md of the repository against the real API, read from the READMEs
// themselves at test time: a snippet that stops compiling fails this test.
//
// The conventions, for whoever writes a README:
//
//   - A block fenced ```go is checked. A block whose info string has more
//     words after go (```go nocheck) is shown but not checked: use it only for
//     code that is not meant to compile (pseudo-code, a diff).
//   - A block of declarations (type, func, var, const) is a file of the
//     README's package; any other block is the body of a function of its own.
//     The blocks of one README share their package: a Config declared in one
//     is used by the others.
//   - Imports are implied: a block uses driftless.Load or time.Second without
//     importing anything (the package names the test knows are in knownImports).
//   - Names a reader is assumed to have (ctx, cfg, t, ...) are declared in
//     the README's prelude, in preludes below.
//   - A variable that a snippet declares and does not use is fine: snippets
//     show calls, not whole programs. Every other type error fails.
//
// Each README is checked in its own module, except those of the root module,
// whose snippets use providers too: they are checked in this module, which
// requires the root module and those providers.
func TestREADMESnippetsCompile(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	var readmes []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "README.md" {
			readmes = append(readmes, path)
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, readmes, filepath.Join(root, "README.md"))
	for _, path := range readmes {
		rel, err := filepath.Rel(root, path)
		require.NoError(t, err)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			checkREADME(t, root, filepath.ToSlash(rel))
		})
	}
}

// preludes declares, per README, the names its snippets assume a reader has.
var preludes = map[string]string{
	"README.md": `
var (
	ctx           context.Context
	cfg           Config
	awsSM         driver.Provider
	awsPS         driver.Provider
	opts          []driftless.Option
	openai        struct{ New func(apiKey string) any } // the reader's API client
	rebuildClient func(driftless.Secret)
	resp          *http.Response
	t             *testing.T
	someErr       error
	NewService    func(*driftless.Handle[Config]) any
)`,
	"envfile/README.md": ``,
	"formats/toml/README.md": `
var (
	ctx context.Context
	cfg Config
)

type Config struct{}`,
	"formats/yaml/README.md": `
var (
	ctx context.Context
	cfg Config
)

type Config struct{}`,
	"providers/awssm/README.md": `
var (
	ctx context.Context
	cfg aws.Config
	tok string
	t   *testing.T
)`,
	"providers/awsps/README.md": `
var (
	ctx  context.Context
	cfg  Config
	opts []driftless.Option
	t    *testing.T
)

type Config struct{}`,
	"providers/azkv/README.md": `
var (
	ctx context.Context
	t   *testing.T
)`,
	"providers/files/README.md": `
var ctx context.Context

type Config struct{ Key driftless.Secret ` + "`env:\"KEY\"`" + ` }`,
	"providers/gcpsm/README.md": `
var (
	ctx context.Context
	cfg Config
	t   *testing.T
)`,
	"providers/sops/README.md": `
var (
	ctx context.Context
	t   *testing.T
)

type Config struct{}`,
	"providers/vault/README.md": `
var ctx context.Context`,
	"telemetry/otel/README.md": `
var (
	ctx context.Context
	sm  driver.Provider
)

type Config struct{}`,
	"telemetry/prometheus/README.md": `
var (
	ctx context.Context
	sm  driver.Provider
)

type Config struct{}`,
}

// knownImports maps the package names that snippets use to import paths.
var knownImports = map[string]string{
	"context":        "context",
	"errors":         "errors",
	"flag":           "flag",
	"fmt":            "fmt",
	"http":           "net/http",
	"json":           "encoding/json",
	"log":            "log",
	"os":             "os",
	"slog":           "log/slog",
	"testing":        "testing",
	"time":           "time",
	"driftless":      "github.com/driftless/driftless",
	"driver":         "github.com/driftless/driftless/driver",
	"drifttest":      "github.com/driftless/driftless/drifttest",
	"envfile":        "github.com/driftless/driftless/envfile",
	"configfile":     "github.com/driftless/driftless/configfile",
	"driftlessyaml":  "github.com/driftless/driftless/formats/yaml",
	"driftlesstoml":  "github.com/driftless/driftless/formats/toml",
	"providertest":   "github.com/driftless/driftless/providertest",
	"awssm":          "github.com/driftless/driftless/providers/awssm",
	"awsps":          "github.com/driftless/driftless/providers/awsps",
	"awspstest":      "github.com/driftless/driftless/providers/awsps/awspstest",
	"awssmtest":      "github.com/driftless/driftless/providers/awssm/awssmtest",
	"azkv":           "github.com/driftless/driftless/providers/azkv",
	"azkvtest":       "github.com/driftless/driftless/providers/azkv/azkvtest",
	"files":          "github.com/driftless/driftless/providers/files",
	"gcpsm":          "github.com/driftless/driftless/providers/gcpsm",
	"gcpsmtest":      "github.com/driftless/driftless/providers/gcpsm/gcpsmtest",
	"vault":          "github.com/driftless/driftless/providers/vault",
	"sops":           "github.com/driftless/driftless/providers/sops",
	"sopstest":       "github.com/driftless/driftless/providers/sops/sopstest",
	"age":            "filippo.io/age",
	"filepath":       "path/filepath",
	"aws":            "github.com/aws/aws-sdk-go-v2/aws",
	"secretsmanager": "github.com/aws/aws-sdk-go-v2/service/secretsmanager",
	"to":             "github.com/Azure/azure-sdk-for-go/sdk/azcore/to",
	"otel":           "go.opentelemetry.io/otel",
	"driftlessotel":  "github.com/driftless/driftless/telemetry/otel",
	"prometheus":     "github.com/prometheus/client_golang/prometheus",
	"driftlessprom":  "github.com/driftless/driftless/telemetry/prometheus",
}

// snippet is one checked code block.
type snippet struct {
	line int // of its first line in the README
	code string
}

// snippets returns the checked ```go blocks of a README.
func snippets(r io.Reader) ([]snippet, error) {
	var out []snippet
	var cur *snippet
	var b strings.Builder
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &snippet{} // line 0: not Go, or Go marked not to be checked
			if info := strings.Fields(strings.TrimPrefix(line, "```")); len(info) == 1 && info[0] == "go" {
				cur.line = n + 1
			}
			b.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			if cur.line > 0 {
				cur.code = b.String()
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if cur != nil {
		return nil, errors.New("a code block is not closed")
	}
	return out, sc.Err()
}

// file turns a snippet into the source of a file of package readme: a block
// of declarations as is, anything else as the body of a function. A //line
// directive maps positions back to the README.
func file(readme string, s snippet) string {
	at := fmt.Sprintf("//line %s:%d\n", readme, s.line)
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package readme\n"+s.code, parser.SkipObjectResolution); err == nil {
		return "package readme\n" + at + s.code
	}
	return "package readme\nfunc _() {\n" + at + s.code + "}\n"
}

// withImports parses src and returns it with an import declaration for
// each known package it uses.
func withImports(name, src string, prelude map[string]bool) (string, []string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		return "", nil, err
	}
	var paths []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil && !prelude[id.Name] {
				if p, ok := knownImports[id.Name]; ok && !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
			}
		}
		return true
	})
	if len(paths) == 0 {
		return src, nil, nil
	}
	slices.Sort(paths)
	var imp strings.Builder
	imp.WriteString("package readme\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(&imp, "\t%q\n", p)
	}
	imp.WriteString(")\n")
	return imp.String() + strings.TrimPrefix(src, "package readme\n"), paths, nil
}

// moduleDir returns the directory of the module that checks the README at
// rel: its own module, or this one for the root module's READMEs.
func moduleDir(t *testing.T, root, rel string) string {
	dir := filepath.Dir(filepath.Join(root, rel))
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		require.NotEqual(t, root, dir, "no go.mod above %s", rel)
		dir = filepath.Dir(dir)
	}
	if dir == root {
		return filepath.Join(root, "examples")
	}
	return dir
}

// exportData runs go list -export in dir and returns where the export data
// of each package in the import graph of paths is.
func exportData(t *testing.T, dir string, paths []string) map[string]string {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, paths...)
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoErrorf(t, err, "go list -export in %s:\n%s", dir, stderr.String())
	exports := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if path, file, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok {
			exports[path] = file
		}
	}
	return exports
}

// checkREADME type-checks the snippets of the README at rel (relative to
// root) as one package.
func checkREADME(t *testing.T, root, rel string) {
	data, err := os.ReadFile(filepath.Join(root, rel))
	require.NoError(t, err)
	snips, err := snippets(bytes.NewReader(data))
	require.NoError(t, err, rel)
	if len(snips) == 0 {
		t.Skip("no Go code blocks")
	}

	prelude := "package readme\n" + preludes[rel]
	declared := map[string]bool{}
	pf, err := parser.ParseFile(token.NewFileSet(), "prelude.go", prelude, 0)
	require.NoError(t, err, "the prelude of %s", rel)
	for name := range pf.Scope.Objects {
		declared[name] = true
	}

	sources := map[string]string{}
	var imports []string
	add := func(name, src string) {
		src, paths, err := withImports(name, src, declared)
		if !assert.NoError(t, err) { // a syntax error, at its README line
			return
		}
		sources[name] = src
		for _, p := range paths {
			if !slices.Contains(imports, p) {
				imports = append(imports, p)
			}
		}
	}
	add("prelude.go", prelude)
	for i, s := range snips {
		add(fmt.Sprintf("snippet%d.go", i), file(rel, s))
	}
	if t.Failed() {
		return
	}

	exports := exportData(t, moduleDir(t, root, rel), imports)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		f, err := parser.ParseFile(fset, name, sources[name], 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			if exports[path] == "" {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(exports[path])
		}),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) && te.Soft && strings.Contains(te.Msg, "declared and not used") {
				return // snippets show calls, not whole programs
			}
			assert.NoError(t, err)
		},
	}
	_, _ = conf.Check("readme", fset, files, nil) // errors reported above
}
