package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contractDocs returns the doc comments of driver/driver.go, whitespace
// collapsed, by declaration: "Provider", "Provider.Fetch", "Value.Data".
func contractDocs(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../driver/driver.go", nil, parser.ParseComments)
	require.NoError(t, err)
	docs := map[string]string{}
	text := func(g *ast.CommentGroup) string { return strings.Join(strings.Fields(g.Text()), " ") }
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil {
				doc = gd.Doc
			}
			docs[ts.Name.Name] = text(doc)
			var fields *ast.FieldList
			switch tt := ts.Type.(type) {
			case *ast.InterfaceType:
				fields = tt.Methods
			case *ast.StructType:
				fields = tt.Fields
			}
			if fields == nil {
				continue
			}
			for _, fl := range fields.List {
				for _, n := range fl.Names {
					docs[ts.Name.Name+"."+n.Name] = text(fl.Doc)
				}
			}
		}
	}
	return docs
}

// TestCasesQuoteTheContract checks that every case quotes one whole sentence
// of the doc comment it names, and that no two cases check the same one.
func TestCasesQuoteTheContract(t *testing.T) {
	docs := contractDocs(t)
	require.Contains(t, docs, "Provider.Fetch", "driver/driver.go was not parsed as expected")
	seen := map[string]string{}
	for _, c := range cases {
		doc, ok := docs[c.doc]
		if !assert.Truef(t, ok, "case %s names %s, which driver/driver.go does not declare", c.name, c.doc) {
			continue
		}
		assert.Truef(t, strings.HasSuffix(c.sentence, "."), "case %s: %q is not a whole sentence", c.name, c.sentence)
		i := strings.Index(doc, c.sentence)
		if assert.GreaterOrEqualf(t, i, 0, "case %s quotes %q, which the doc of driftless.%s does not say:\n%s", c.name, c.sentence, c.doc, doc) {
			assert.Truef(t, i == 0 || strings.HasSuffix(doc[:i], ". "), "case %s: %q does not start a sentence of driftless.%s", c.name, c.sentence, c.doc)
		}
		key := c.doc + ": " + c.sentence
		if other, dup := seen[key]; assert.Falsef(t, dup, "cases %s and %s check the same sentence", other, c.name) {
			seen[key] = c.name
		}
	}
}

// brokenChildEnv marks the child process of TestFailuresQuoteTheContract.
const brokenChildEnv = "PROVIDERTEST_BROKEN_CHILD"

// broken is an in-memory provider that breaks some sentences of the
// contract on purpose.
type broken struct {
	mu      sync.Mutex
	secrets map[string][][]byte
}

func (p *broken) put(_ context.Context, name string, data []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secrets[name] = append(p.secrets[name], data) // kept, not copied: shared with every caller
	return nil
}

// Fetch ignores ctx, calls a missing secret a plain failure, hands out its
// own buffer and has no version, although the harness says it has.
func (p *broken) Fetch(_ context.Context, ref driver.Ref) (driver.Value, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	vs := p.secrets[ref.Name]
	if len(vs) == 0 {
		return driver.Value{}, fmt.Errorf("secret %s: lookup failed", ref.Name)
	}
	return driver.Value{Data: vs[len(vs)-1]}, nil
}

// TestBrokenProvider runs the suite against broken; it runs only as the
// child process of TestFailuresQuoteTheContract, whose failures it shows.
func TestBrokenProvider(t *testing.T) {
	if os.Getenv(brokenChildEnv) != "1" {
		t.Skip("run by TestFailuresQuoteTheContract")
	}
	Run(t, func(t *testing.T) Backend {
		p := &broken{secrets: map[string][][]byte{}}
		return Backend{
			Provider: p,
			Put:      p.put,
			Ref:      func(name string) driver.Ref { return driver.Ref{Scheme: "broken", Name: name} },
		}
	})
}

// TestFailuresQuoteTheContract runs the suite against a broken provider in a
// child process and checks that each case that fails quotes its sentence.
func TestFailuresQuoteTheContract(t *testing.T) {
	if os.Getenv(brokenChildEnv) == "1" {
		t.Skip("in the child process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenProvider$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), brokenChildEnv+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	require.Truef(t, errors.As(err, &exit), "the suite passed a broken provider (err %v):\n%s", err, out.String())

	// With -test.v and no parallel cases, each case's output sits between its
	// "=== RUN" line and the next case's.
	runs := regexp.MustCompile(`(?m)^=== RUN   TestBrokenProvider/(\w+)$`).FindAllStringSubmatchIndex(out.String(), -1)
	outputs := map[string]string{}
	for i, m := range runs {
		end := out.Len()
		if i+1 < len(runs) {
			end = runs[i+1][0]
		}
		name := out.String()[m[2]:m[3]]
		outputs[name] = out.String()[m[0]:end]
	}
	failed := func(name string) bool {
		return regexp.MustCompile(`(?m)^\s*--- FAIL: TestBrokenProvider/` + name + ` `).MatchString(out.String())
	}
	for _, c := range cases {
		if failed(c.name) {
			assert.Containsf(t, outputs[c.name], fmt.Sprintf("the contract (driver.%s) says: \"%s\"", c.doc, c.sentence),
				"the failure of %s does not quote its sentence", c.name)
		}
	}
	// The sentences broken on purpose, each caught by its case.
	for _, name := range []string{"MissingIsErrNotFound", "ReturnedDataIsOwnedByCaller", "VersionIsSet", "ContextIsHonoured", "RotationIsNewVersion"} {
		assert.Truef(t, failed(name), "the suite did not catch the broken sentence of %s:\n%s", name, outputs[name])
	}
}
