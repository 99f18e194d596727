package secretcheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// The names the analyzer recognises in the driftless library.
const (
	libPath      = "github.com/driftless/driftless"
	secretName   = "Secret"   // the type whose value must not leak
	rotatingName = "Rotating" // a current and a previous Secret
)

// valueMethods are the methods of Secret that return its plain value.
var valueMethods = []string{"Value", "Bytes"}

// matchMethod is the method of Rotating whose callback receives each plain
// value.
const matchMethod = "Match"

// Analyzer reports config fields that look secret but hold a plain string,
// and Secret values that reach a print, log, error or panic.
var Analyzer = &analysis.Analyzer{
	Name:     "secretcheck",
	Doc:      "report secret-looking config fields of plain string type, and driftless Secret values passed to fmt, log, slog, errors, testing or panic",
	URL:      "https://pkg.go.dev/github.com/driftless/driftless/cmd/driftless-vet/secretcheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	checkFields(pass, ins)
	checkLeaks(pass, ins)
	return nil, nil
}

// isLibType reports whether t, or what it points to, is the driftless type
// of that name.
func isLibType(t types.Type, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == libPath && obj.Name() == name
}

// method returns the method a call calls on a value of the driftless type
// of that name, or nil.
func method(info *types.Info, call *ast.CallExpr, typeName string) *types.Func {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return nil
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok {
		return nil
	}
	recv := fn.Signature().Recv()
	if recv == nil || !isLibType(recv.Type(), typeName) {
		return nil
	}
	return fn
}
