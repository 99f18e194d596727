package secretcheck

import (
	"go/ast"
	"go/types"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// verdict is what a key or a field name says about its value.
type verdict int

const (
	neutral   verdict = iota // says nothing either way
	secret                   // looks secret
	notSecret                // names a kind of key or a fact about a secret, not a secret
)

// descriptors are last words of a key that name something about a secret
// (where it is, what it is called) rather than the secret itself.
var descriptors = []string{"FILE", "PATH", "DIR", "NAME", "ID", "ARN", "URL", "URI", "ENDPOINT", "HOST", "REGION", "MOUNT", "VERSION", "HEADER", "TYPE", "FORMAT", "PREFIX", "ALGORITHM"}

// publicKinds are words before a last word KEY that make it a key of a
// kind that is not secret.
var publicKinds = []string{"PUBLIC", "PUB", "CACHE", "PARTITION", "SORT", "ROUTING", "SHARD", "PRIMARY", "FOREIGN", "IDEMPOTENCY", "LOOKUP", "OBJECT", "KMS"}

// secretParts are secret-looking anywhere in a key.
var secretParts = []string{"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET"}

// judge says whether the words of a key or a field name look secret.
func judge(words []string) verdict {
	if len(words) == 0 {
		return neutral
	}
	last := words[len(words)-1]
	if slices.Contains(descriptors, last) {
		return notSecret
	}
	if len(words) == 1 && last == "PWD" {
		return notSecret // the shell's working directory
	}
	joined := strings.Join(words, "")
	for _, p := range secretParts {
		if strings.Contains(joined, p) {
			return secret
		}
	}
	if slices.Contains(words, "PASS") || slices.Contains(words, "PWD") {
		return secret
	}
	switch {
	case strings.HasSuffix(last, "TOKEN"), last == "APIKEY":
		return secret
	case last == "KEY":
		if len(words) > 1 && slices.Contains(publicKinds, words[len(words)-2]) {
			return notSecret
		}
		return secret
	}
	return neutral
}

// keyWords splits an environment key into upper-case words.
func keyWords(key string) []string {
	return strings.FieldsFunc(strings.ToUpper(key), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// nameWords splits a Go identifier into upper-case words at case changes:
// "OpenAIKey" is OPEN, AI, KEY.
func nameWords(name string) []string {
	var words []string
	rs := []rune(name)
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsLower(rs[i-1]) && unicode.IsUpper(rs[i])
		acronymEnd := i+1 < len(rs) && unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) && unicode.IsLower(rs[i+1])
		if rs[i] == '_' || lowerToUpper || acronymEnd {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	words = append(words, string(rs[start:]))
	for i, w := range words {
		words[i] = strings.ToUpper(strings.Trim(w, "_"))
	}
	return slices.DeleteFunc(words, func(w string) bool { return w == "" })
}

// passwordDefault matches a default that holds a password: user:pass@ in
// a URL (postgres://app:pw@db/app) or a DSN (app:pw@tcp(db:3306)/app), or
// password=... in a keyword DSN.
var passwordDefault = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s/@:]*:[^\s/@]+@|(?:^|\s)(?i:password)=\S`)

// checkFields reports the env-tagged fields of plain string type that look
// secret.
func checkFields(pass *analysis.Pass, ins *inspector.Inspector) {
	prefixes := structPrefixes(pass, ins)
	for n := range ins.PreorderSeq((*ast.StructType)(nil)) {
		st, ok := pass.TypesInfo.TypeOf(n.(*ast.StructType)).(*types.Struct)
		if !ok {
			continue
		}
		prefix := prefixes.of(st)
		for i := range st.NumFields() {
			checkField(pass, st.Field(i), reflect.StructTag(st.Tag(i)), prefix)
		}
	}
}

// checkField reports one field when it looks secret and is a plain string.
func checkField(pass *analysis.Pass, f *types.Var, tag reflect.StructTag, prefix string) {
	key, ok := tag.Lookup("env")
	if !ok {
		return
	}
	if _, ok := tag.Lookup("secret"); ok {
		return // secret:"true" redacts it; secret:"false" says it is not a secret
	}
	kind := plainKind(f.Type())
	if kind == "" {
		return
	}
	key, _, _ = strings.Cut(key, ",")
	if def, ok := tag.Lookup("default"); ok && passwordDefault.MatchString(def) {
		pass.Reportf(f.Pos(), "field %s (env %q) is a plain %s but its default holds a password: use driftless.Secret (or tag secret:\"true\")", f.Name(), key, kind)
		return
	}
	v := judge(keyWords(prefix + key))
	if v == neutral {
		v = judge(nameWords(f.Name()))
	}
	if v == secret {
		pass.Reportf(f.Pos(), "field %s (env %q) looks secret but is a plain %s: use driftless.Secret (or tag secret:\"true\"; secret:\"false\" if it is not a secret)", f.Name(), key, kind)
	}
}

// plainKind names the type when a value of it prints in clear: string,
// *string, []byte, or a named string type without a String method; it is
// "" for any other type.
func plainKind(t types.Type) string {
	switch u := types.Unalias(t).(type) {
	case *types.Pointer:
		if b, ok := types.Unalias(u.Elem()).(*types.Basic); ok && b.Kind() == types.String {
			return "*string"
		}
	case *types.Slice:
		if b, ok := types.Unalias(u.Elem()).(*types.Basic); ok && b.Kind() == types.Byte {
			return "[]byte"
		}
	case *types.Basic:
		if u.Kind() == types.String {
			return "string"
		}
	case *types.Named:
		if b, ok := u.Underlying().(*types.Basic); ok && b.Kind() == types.String && !hasMethod(u, "String") && !hasMethod(u, "Format") {
			return "string type " + u.Obj().Name()
		}
	}
	return ""
}

// hasMethod reports whether t or *t has the named method.
func hasMethod(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
	_, ok := obj.(*types.Func)
	return ok
}

// prefixMap holds, for the struct types of the package held by a field
// with a prefix tag, the prefix and the struct that holds them.
type prefixMap map[*types.Struct]prefixEdge

type prefixEdge struct {
	parent *types.Struct
	prefix string
}

// structPrefixes finds the prefix tags of the package. A struct held under
// several prefixes is left out: its keys are judged without one.
func structPrefixes(pass *analysis.Pass, ins *inspector.Inspector) prefixMap {
	m := prefixMap{}
	several := map[*types.Struct]bool{}
	for n := range ins.PreorderSeq((*ast.StructType)(nil)) {
		st, ok := pass.TypesInfo.TypeOf(n.(*ast.StructType)).(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			p, ok := reflect.StructTag(st.Tag(i)).Lookup("prefix")
			if !ok {
				continue
			}
			t := st.Field(i).Type()
			if ptr, ok := t.(*types.Pointer); ok {
				t = ptr.Elem()
			}
			child, ok := t.Underlying().(*types.Struct)
			if !ok {
				continue
			}
			if e, seen := m[child]; seen && (e.prefix != p || e.parent != st) {
				several[child] = true
			}
			m[child] = prefixEdge{parent: st, prefix: p}
		}
	}
	for st := range several {
		delete(m, st)
	}
	return m
}

// of returns the whole prefix of a struct's keys: its own and those of the
// structs that hold it.
func (m prefixMap) of(st *types.Struct) string {
	var parts []string
	seen := map[*types.Struct]bool{}
	for e, ok := m[st]; ok && !seen[st]; e, ok = m[st] {
		seen[st] = true
		parts = append(parts, e.prefix)
		st = e.parent
	}
	slices.Reverse(parts)
	return strings.Join(parts, "")
}
