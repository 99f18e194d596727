package driftless

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/driftless/driftless/driver"
)

// The JSON Schema that WriteSchema and WriteNestedSchema produce.
const (
	schemaDialect = "https://json-schema.org/draft/2020-12/schema"

	// refPattern matches a reference, scheme://...: any value of a field
	// that is not tagged ref:"false" may be one.
	schemaRefPattern = `^[A-Za-z][A-Za-z0-9+.-]*://`

	boolPattern     = `^\s*(?:[01tTfF]|TRUE|[Tt]rue|FALSE|[Ff]alse|[Yy](?:[Ee][Ss])?|[Nn][Oo]?|[Oo](?:[Nn]|[Ff][Ff]))\s*$`
	intPattern      = `^\s*[-+]?(?:0[xX][0-9A-Fa-f_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\s*$`
	uintPattern     = `^\s*(?:0[xX][0-9A-Fa-f_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\s*$`
	floatPattern    = `^\s*[-+]?(?:(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9_]+)?|0[xX][0-9A-Fa-f_.]+[pP][-+]?[0-9_]+|[Ii][Nn][Ff](?:[Ii][Nn][Ii][Tt][Yy])?|[Nn][Aa][Nn])\s*$`
	durationPattern = `^\s*(?:[-+]?0+|[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)\s*$`
	ipPattern       = `^\s*[0-9A-Fa-f:.]+\s*$`
	base64Pattern   = `^\s*[A-Za-z0-9+/_-]*={0,2}\s*$`
)

// WriteSchema writes a JSON Schema (draft 2020-12) of the environment that
// the config struct cfg points to (or is) reads: an object whose
// properties are the env keys, every value a string, as in a .env file or
// the process environment. It is built from the same tags as Load, so a
// bad tag fails here the same way. Each key has:
//
//   - "description" from the desc tag, and "default" from the default tag
//     (a secret field shows its default only when it is a reference, such
//     as awssm://prod/db#password; a literal secret is never written);
//   - "pattern" or "format" hints for numbers, booleans, durations (Go
//     syntax, "30s"), times ("date-time"), URLs ("uri-reference"), IP
//     addresses and base64 bytes; a value that may be a reference
//     (scheme://..., any field not tagged ref:"false") also matches;
//     fields tagged expand:"true" have no pattern;
//   - "enum" when the field's type lists its values (see below);
//   - "minLength": 1 for required and notempty fields;
//   - "writeOnly": true and "x-driftless-secret": true for secret fields;
//   - "x-driftless-type" (the Go type), "x-driftless-path" (the field
//     path), and "x-driftless-sep" / "x-driftless-kvsep" for slices and
//     maps.
//
// A required key may be given as KEY or as KEY_FILE, so the schema
// requires one of the two ("allOf" of "anyOf" of "required"), and
// "x-driftless-required" lists the required keys. Other variables are
// allowed: an environment holds more than one service's keys.
//
// Enums: a field whose type implements encoding.TextUnmarshaler and has a
// method Values() []string (on the value) gets those values as "enum": the
// type promises that UnmarshalText accepts exactly them. An integer type
// that implements fmt.Stringer instead (log/slog.Level) gets the names
// that String gives for small values (-64 to 64) and that UnmarshalText
// reads back, as "examples": such types usually accept more (slog.Level
// reads "debug" and "INFO+2"), so the names are offered, not enforced.
//
// WriteSchema and WriteExample agree: the same keys, the same defaults
// (but for reference defaults of secret fields, which WriteExample leaves
// empty), and the same required and secret markers. Output is
// deterministic (keys sorted) and ends with a newline.
func WriteSchema(w io.Writer, cfg any) error {
	p, t, err := schemaPlan("WriteSchema", cfg)
	if err != nil {
		return err
	}
	props := map[string]any{}
	var required []string
	var allOf []any
	for i := range p.fields {
		f := &p.fields[i]
		props[f.key] = envSchema(f)
		if f.required {
			required = append(required, f.key)
			allOf = append(allOf, map[string]any{"anyOf": []any{
				map[string]any{"required": []string{f.key}},
				map[string]any{"required": []string{f.keyFile}},
			}})
		}
	}
	root := map[string]any{
		"$schema":              schemaDialect,
		"title":                t.String(),
		"description":          "The environment of " + t.String() + ": env keys, every value a string. A key may instead be given as KEY_FILE, the path of a file holding the value.",
		"type":                 "object",
		"properties":           props,
		"additionalProperties": true,
	}
	if len(required) > 0 {
		root["allOf"] = allOf
		root["x-driftless-required"] = required
	}
	return writeJSON(w, root)
}

// WriteNestedSchema writes a JSON Schema (draft 2020-12) of a config file
// for the config struct cfg points to (or is), under the keys
// WithConfigFiles reads: a leaf by the lowercase name of its env tag, a
// nested struct as a nested object named by its prefix (or its Go field
// name in snake case), so DB.Password with prefix:"DB_" is
// {"db": {"password": ...}}. WithConfigFiles also accepts Go field names
// and other spellings (case, "_" and "-" aside); the schema gives the
// canonical one. Values have their native JSON
// types: booleans, integers and numbers, arrays for slices and arrays,
// objects for maps and for structs filled from a JSON value; durations,
// times, URLs, IPs, []byte, TextUnmarshaler types and secrets are strings,
// with the hints WriteSchema gives. A value that may be a reference
// (scheme://...) may be that string whatever the type. Defaults are
// converted to the native type where the field's kind is a basic one, or
// a slice of one, split with its sep tag. A file is one source among
// several (the environment may set what it leaves out), so required fields
// are listed in "x-driftless-required" of their object, not enforced.
// Other properties are refused ("additionalProperties": false): a misspelt
// field is an error.
func WriteNestedSchema(w io.Writer, cfg any) error {
	p, t, err := schemaPlan("WriteNestedSchema", cfg)
	if err != nil {
		return err
	}
	root := newObjectSchema()
	root["$schema"] = schemaDialect
	root["title"] = t.String()
	for i := range p.fields {
		f := &p.fields[i]
		obj := root
		parts := f.confKeys()
		for _, name := range parts[:len(parts)-1] {
			props := obj["properties"].(map[string]any)
			sub, ok := props[name].(map[string]any)
			if !ok {
				sub = newObjectSchema()
				props[name] = sub
			}
			obj = sub
		}
		name := parts[len(parts)-1]
		obj["properties"].(map[string]any)[name] = nestedSchema(f)
		if f.required {
			req, _ := obj["x-driftless-required"].([]string)
			obj["x-driftless-required"] = append(req, name)
		}
	}
	return writeJSON(w, root)
}

// schemaPlan returns the plan of the struct type of cfg for the function
// named fn.
func schemaPlan(fn string, cfg any) (*plan, reflect.Type, error) {
	t := reflect.TypeOf(cfg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("driftless: %s needs a struct, got %T", fn, cfg)
	}
	p, errs := planFor(t, nil)
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return p, t, nil
}

func newObjectSchema() map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{}, "additionalProperties": false}
}

// writeJSON writes v indented, with a final newline. Maps are written with
// sorted keys, so the output is deterministic.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("driftless: writing a JSON Schema: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// annotate adds what the tags say of f to the schema s of its value.
func annotate(s map[string]any, f *field) {
	s["x-driftless-type"] = f.typ.String()
	s["x-driftless-path"] = f.path
	if f.desc != "" {
		s["description"] = f.desc
	}
	if f.secret {
		s["writeOnly"] = true
		s["x-driftless-secret"] = true
	}
}

// schemaDefault reports the default of f as a schema may show it: never
// the literal default of a secret field, only a reference.
func schemaDefault(f *field) (string, bool) {
	if !f.hasDef {
		return "", false
	}
	if f.secret {
		s := driver.Scheme(f.def)
		if s == "" || urlSchemes[s] || f.ref == refNever {
			return "", false // a literal secret, or a DSN that may hold a password
		}
	}
	return f.def, true
}

// envSchema is the schema of the env value of f: a string.
func envSchema(f *field) map[string]any {
	v := map[string]any{"type": "string"}
	t := indirect(f.typ)
	textHints(v, t, f)
	if f.required || f.notEmpty {
		v["minLength"] = 1
	}
	s := withRefs(v, f)
	s["type"] = "string"
	annotate(s, f)
	switch {
	case f.kind == leafJSON:
		s["contentMediaType"] = "application/json"
	case t == bytesType:
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		s["x-driftless-sep"] = f.sep
	case t.Kind() == reflect.Map:
		s["x-driftless-sep"] = f.sep
		s["x-driftless-kvsep"] = f.kvSep
	}
	if def, ok := schemaDefault(f); ok {
		s["default"] = def
	}
	return s
}

// textHints adds to v the pattern, format or values of the text form of
// a value of type t (not a pointer).
func textHints(v map[string]any, t reflect.Type, f *field) {
	if f.kind != leafValue {
		return
	}
	if addValues(v, t) {
		return
	}
	if f.expand {
		return // $VAR in the value: its text is not known here
	}
	switch t {
	case secretType:
		return
	case durationType:
		v["pattern"] = durationPattern
		return
	case timeType:
		v["format"] = "date-time"
		return
	case urlType:
		v["format"] = "uri-reference"
		return
	case ipType:
		v["pattern"] = ipPattern
		return
	case bytesType:
		v["pattern"] = base64Pattern
		v["contentEncoding"] = "base64"
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshal) || t.Implements(textUnmarshal) {
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v["pattern"] = boolPattern
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v["pattern"] = intPattern
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v["pattern"] = uintPattern
	case reflect.Float32, reflect.Float64:
		v["pattern"] = floatPattern
	}
}

// withRefs returns the schema of a value of f: v, or else a reference
// when the field may hold one. A value checked by nothing is v itself.
func withRefs(v map[string]any, f *field) map[string]any {
	ref := map[string]any{"type": "string", "pattern": schemaRefPattern, "description": "a reference, resolved by the provider of its scheme"}
	switch f.ref {
	case refNever:
		return v
	case refMust:
		return ref
	}
	if v["type"] == "string" && v["pattern"] == nil && v["format"] == nil && v["enum"] == nil {
		return v // any string, or any non-empty one: a reference is one too
	}
	return map[string]any{"anyOf": []any{v, ref}}
}

// addValues sets "enum" or "examples" of v from the value set of t, a
// TextUnmarshaler, found by the convention WriteSchema documents.
func addValues(v map[string]any, t reflect.Type) bool {
	if !reflect.PointerTo(t).Implements(textUnmarshal) {
		return false
	}
	if vals, ok := declaredValues(t); ok {
		v["enum"] = vals
		return true
	}
	if names := stringerNames(t); len(names) > 0 {
		v["examples"] = names
		return true
	}
	return false
}

// valuesLister is the method by which a TextUnmarshaler type lists every
// value its UnmarshalText accepts.
type valuesLister interface{ Values() []string }

// declaredValues calls the Values method of the zero t, if it has one.
func declaredValues(t reflect.Type) (vals []string, ok bool) {
	l, is := reflect.Zero(t).Interface().(valuesLister)
	if !is {
		return nil, false
	}
	defer func() {
		if recover() != nil {
			vals, ok = nil, false
		}
	}()
	vals = l.Values()
	return vals, len(vals) > 0
}

// stringerNames returns, for an integer type t that is a fmt.Stringer,
// the names String gives for -64 to 64 that are plain words (no "+1", no
// "Level(5)") and that UnmarshalText reads back as the same number.
func stringerNames(t reflect.Type) (names []string) {
	if !t.Implements(reflect.TypeFor[fmt.Stringer]()) {
		return nil
	}
	signed := false
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		signed = true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return nil
	}
	defer func() {
		if recover() != nil {
			names = nil
		}
	}()
	seen := map[string]bool{}
	for i := -64; i <= 64; i++ {
		if i < 0 && !signed {
			continue
		}
		x := reflect.New(t).Elem()
		if signed {
			x.SetInt(int64(i))
		} else {
			x.SetUint(uint64(i))
		}
		name := x.Interface().(fmt.Stringer).String()
		if !plainWord(name) || seen[name] {
			continue
		}
		back := reflect.New(t)
		if back.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(name)) != nil || !back.Elem().Equal(x) {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	return names
}

// plainWord reports whether s is a name: letters, digits and '_',
// starting with a letter.
func plainWord(s string) bool {
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '_'):
		default:
			return false
		}
	}
	return s != ""
}

// nestedSchema is the schema of the value of f in a config file.
func nestedSchema(f *field) map[string]any {
	v := nativeSchema(indirect(f.typ), f, true)
	if f.required || f.notEmpty {
		if v["type"] == "string" {
			v["minLength"] = 1
		}
	}
	s := withRefs(v, f)
	annotate(s, f)
	if def, ok := schemaDefault(f); ok {
		s["default"] = nativeDefault(def, indirect(f.typ), f)
	}
	return s
}

// nativeSchema is the schema of a value of type t (not a pointer) in its
// native JSON form; top says t is the field's own type, not an element.
func nativeSchema(t reflect.Type, f *field, top bool) map[string]any {
	t = indirect(t)
	if top && f.kind == leafJSON {
		return map[string]any{"type": "object"}
	}
	if top && f.kind == leafRotating {
		return map[string]any{"type": "string"}
	}
	v := map[string]any{}
	if addValues(v, t) {
		v["type"] = "string"
		return v
	}
	switch t {
	case secretType, durationType, timeType, urlType, ipType, bytesType:
		v["type"] = "string"
		textHints(v, t, &field{kind: leafValue})
		return v
	}
	if reflect.PointerTo(t).Implements(textUnmarshal) || t.Implements(textUnmarshal) {
		v["type"] = "string"
		return v
	}
	switch t.Kind() {
	case reflect.Bool:
		v["type"] = "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v["type"] = "integer"
		if t.Kind() >= reflect.Uint {
			v["minimum"] = 0
		}
	case reflect.Float32, reflect.Float64:
		v["type"] = "number"
	case reflect.Slice, reflect.Array:
		v["type"] = "array"
		v["items"] = nativeSchema(t.Elem(), f, false)
		if t.Kind() == reflect.Array {
			v["minItems"], v["maxItems"] = t.Len(), t.Len()
		}
	case reflect.Map:
		v["type"] = "object"
		v["additionalProperties"] = nativeSchema(t.Elem(), f, false)
	default: // string, complex
		v["type"] = "string"
	}
	return v
}

// nativeDefault converts the default tag def of a field of type t to its
// native JSON form where t is a basic kind, or a slice or a map of one
// (split with the sep and kvsep tags); a reference, or a default that does
// not convert, is def.
func nativeDefault(def string, t reflect.Type, f *field) any {
	if driver.Scheme(def) != "" && f.ref != refNever {
		return def
	}
	if t.Kind() == reflect.Map && t.Key().Kind() == reflect.String {
		out := map[string]any{}
		if def == "" {
			return out
		}
		for _, kv := range strings.Split(def, f.sep) {
			k, v, ok := strings.Cut(kv, f.kvSep)
			if !ok {
				return def
			}
			out[strings.TrimSpace(k)] = scalarDefault(strings.TrimSpace(v), indirect(t.Elem()))
		}
		return out
	}
	if (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t != bytesType {
		if def == "" {
			return []any{}
		}
		var out []any
		for _, s := range strings.Split(def, f.sep) {
			out = append(out, scalarDefault(strings.TrimSpace(s), indirect(t.Elem())))
		}
		return out
	}
	return scalarDefault(def, t)
}

func scalarDefault(s string, t reflect.Type) any {
	if !isBasic(t, nil) {
		return s
	}
	s2 := strings.TrimSpace(s)
	switch t.Kind() {
	case reflect.Bool:
		if b, err := strconv.ParseBool(s2); err == nil {
			return b
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, err := strconv.ParseInt(s2, 0, 64); err == nil {
			return n
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, err := strconv.ParseUint(s2, 0, 64); err == nil {
			return n
		}
	case reflect.Float32, reflect.Float64:
		if n, err := strconv.ParseFloat(s2, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
			return n
		}
	}
	return s
}
