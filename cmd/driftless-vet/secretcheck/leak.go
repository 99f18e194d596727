package secretcheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// carriers are the packages whose functions return their string or bytes
// argument transformed: quoted, escaped, trimmed or encoded, still the
// secret.
var carriers = []string{"strings", "bytes", "strconv", "unicode/utf8", "encoding/hex", "encoding/base32", "encoding/base64", "net/url"}

// fmtSinks are the functions of fmt that print their arguments or put them
// in an error.
var fmtSinks = []string{
	"Print", "Printf", "Println", "Sprint", "Sprintf", "Sprintln", "Fprint", "Fprintf", "Fprintln",
	"Append", "Appendf", "Appendln", "Errorf",
}

// testingSinks are the methods of testing's T, B, F and TB that print
// their arguments.
var testingSinks = []string{"Log", "Logf", "Error", "Errorf", "Fatal", "Fatalf", "Skip", "Skipf"}

// taint holds the variables of a package that are assigned a secret value.
type taint struct {
	info *types.Info
	vars map[*types.Var]bool
}

// checkLeaks reports the secret values that reach a print, log, error or
// panic.
func checkLeaks(pass *analysis.Pass, ins *inspector.Inspector) {
	t := &taint{info: pass.TypesInfo, vars: map[*types.Var]bool{}}
	t.propagate(ins)
	for n := range ins.PreorderSeq((*ast.CallExpr)(nil)) {
		call := n.(*ast.CallExpr)
		sink := sinkName(pass.TypesInfo, call)
		if sink == "" {
			continue
		}
		for _, arg := range call.Args {
			if t.tainted(arg) {
				pass.Reportf(arg.Pos(), "a secret value reaches %s: pass the driftless.Secret itself (it prints redacted) or its Fingerprint", sink)
			}
		}
	}
}

// assignment is one value given to a variable.
type assignment struct {
	v   *types.Var
	rhs ast.Expr
}

// propagate finds every variable that is given a secret value, directly or
// through other variables, anywhere in the package.
func (t *taint) propagate(ins *inspector.Inspector) {
	var as []assignment
	add := func(lhs ast.Expr, rhs ast.Expr) {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return
		}
		if v, ok := t.info.ObjectOf(id).(*types.Var); ok && !v.IsField() {
			as = append(as, assignment{v, rhs})
		}
	}
	filter := []ast.Node{(*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil)}
	for n := range ins.PreorderSeq(filter...) {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) || !slices.Contains([]token.Token{token.ASSIGN, token.DEFINE, token.ADD_ASSIGN}, n.Tok) {
				continue
			}
			for i := range n.Lhs {
				add(n.Lhs[i], n.Rhs[i])
			}
		case *ast.ValueSpec:
			if len(n.Names) != len(n.Values) {
				continue
			}
			for i := range n.Names {
				add(n.Names[i], n.Values[i])
			}
		case *ast.RangeStmt:
			if n.Value != nil {
				add(n.Value, n.X) // each rune or byte of a secret is part of it
			}
		case *ast.CallExpr:
			t.matchCallback(n)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, a := range as {
			if !t.vars[a.v] && t.tainted(a.rhs) {
				t.vars[a.v] = true
				changed = true
			}
		}
	}
}

// matchCallback taints the parameter of a function literal passed to
// Rotating.Match: it receives each plain value.
func (t *taint) matchCallback(call *ast.CallExpr) {
	fn := method(t.info, call, rotatingName)
	if fn == nil || fn.Name() != matchMethod || len(call.Args) != 1 {
		return
	}
	lit, ok := ast.Unparen(call.Args[0]).(*ast.FuncLit)
	if !ok || len(lit.Type.Params.List) == 0 || len(lit.Type.Params.List[0].Names) == 0 {
		return
	}
	if v, ok := t.info.ObjectOf(lit.Type.Params.List[0].Names[0]).(*types.Var); ok {
		t.vars[v] = true
	}
}

// tainted reports whether an expression holds a secret value or a part of
// one.
func (t *taint) tainted(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := t.info.ObjectOf(e).(*types.Var)
		return ok && t.vars[v]
	case *ast.CallExpr:
		return t.taintedCall(e)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && (t.tainted(e.X) || t.tainted(e.Y))
	case *ast.SliceExpr:
		return t.tainted(e.X)
	case *ast.IndexExpr:
		return t.tainted(e.X)
	case *ast.CompositeLit:
		switch t.info.TypeOf(e).Underlying().(type) {
		case *types.Slice, *types.Array, *types.Map:
			return slices.ContainsFunc(e.Elts, t.tainted)
		}
	case *ast.KeyValueExpr:
		return t.tainted(e.Key) || t.tainted(e.Value)
	}
	return false
}

// taintedCall reports whether a call returns a secret value: Secret.Value
// or Bytes, a conversion of one, or a carrier function given one.
func (t *taint) taintedCall(call *ast.CallExpr) bool {
	if fn := method(t.info, call, secretName); fn != nil && slices.Contains(valueMethods, fn.Name()) {
		return true
	}
	if tv, ok := t.info.Types[call.Fun]; ok && tv.IsType() {
		return len(call.Args) == 1 && t.tainted(call.Args[0])
	}
	fn, ok := typeutil.Callee(t.info, call).(*types.Func)
	if !ok || fn.Pkg() == nil || !slices.Contains(carriers, fn.Pkg().Path()) || !returnsText(fn.Signature()) {
		return false
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn.Signature().Recv() != nil && t.tainted(sel.X) {
		return true // a strings.Builder or bytes.Buffer holding a secret
	}
	return slices.ContainsFunc(call.Args, t.tainted)
}

// returnsText reports whether a function returns a string, bytes, runes or
// a slice of strings.
func returnsText(sig *types.Signature) bool {
	for v := range sig.Results().Variables() {
		switch u := v.Type().Underlying().(type) {
		case *types.Basic:
			if u.Info()&types.IsString != 0 {
				return true
			}
		case *types.Slice:
			if b, ok := u.Elem().Underlying().(*types.Basic); ok && (b.Info()&types.IsString != 0 || b.Kind() == types.Byte || b.Kind() == types.Rune) {
				return true
			}
		}
	}
	return false
}

// sinkName names the function a call calls when it prints, logs, panics
// or makes an error of its arguments, and is "" otherwise.
func sinkName(info *types.Info, call *ast.CallExpr) string {
	switch fn := typeutil.Callee(info, call).(type) {
	case *types.Builtin:
		if slices.Contains([]string{"panic", "print", "println"}, fn.Name()) {
			return fn.Name()
		}
	case *types.Func:
		if fn.Pkg() == nil {
			return ""
		}
		name := fn.Name()
		recv := fn.Signature().Recv()
		switch path := fn.Pkg().Path(); {
		case path == "fmt" && recv == nil && slices.Contains(fmtSinks, name),
			path == "errors" && recv == nil && name == "New",
			path == "log", path == "log/slog":
			return qualified(info, call, fn)
		case path == "testing" && recv != nil && slices.Contains(testingSinks, name):
			return qualified(info, call, fn)
		}
	}
	return ""
}

// qualified names a function as a reader writes it: fmt.Printf,
// (*slog.Logger).Info, testing.TB.Fatalf; a method by the type of the
// value it is called on ((*testing.T).Errorf, not the type that declares
// it).
func qualified(info *types.Info, call *ast.CallExpr, fn *types.Func) string {
	recv := fn.Signature().Recv()
	if recv == nil {
		return fn.Pkg().Name() + "." + fn.Name()
	}
	t := recv.Type()
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && info.TypeOf(sel.X) != nil {
		t = info.TypeOf(sel.X)
	}
	rt := types.TypeString(t, func(p *types.Package) string { return p.Name() })
	if strings.HasPrefix(rt, "*") {
		return "(" + rt + ")." + fn.Name()
	}
	return rt + "." + fn.Name()
}
