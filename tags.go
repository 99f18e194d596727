package driftless

import (
	"encoding"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// field is one leaf of a config struct: everything its tags say, parsed once
// per type.
type field struct {
	index    []int  // reflect index path from the root struct
	path     string // "DB.Password"
	key      string // "DB_PASSWORD" (prefix applied); "" when the field has no env tag
	keyFile  string // key + "_FILE"
	def      string
	hasDef   bool
	required bool
	notEmpty bool
	secret   bool // always sensitive: tagged secret:"true", or its type holds a Secret
	// notSecret is set by secret:"false": a value from a reference or a
	// file is shown in clear (for a non-sensitive path or an id).
	notSecret bool
	ref       refMode // the ref tag
	desc      string
	sep       string
	kvSep     string
	typ       reflect.Type // the field's type
	kind      leafKind
	ptrs      []string // the nested pointer-to-struct fields above this one (paths)
	basic     bool     // a plain string, bool or number: decoded without type checks
	emptyErr  bool     // an empty value is an error for this type

	// environ.go: the process-environment behaviours.
	expand bool // expand $VAR and ${VAR} in the value
	unset  bool // remove KEY and KEY_FILE from the environment after Load
}

// refMode is what the ref tag says of a field's values.
type refMode uint8

const (
	refMay   refMode = iota // a value may be a reference (the default)
	refMust                 // ref:"true": the value must be a reference
	refNever                // ref:"false": the value is always literal
)

// leafKind tells how a leaf is filled.
type leafKind uint8

const (
	leafValue    leafKind = iota // decoded from text
	leafJSON                     // a struct filled from a whole JSON value
	leafRotating                 // a Rotating: current + previous
)

// plan is the parsed form of a config struct type.
type plan struct {
	hasPtrs bool // some field is inside a pointer to a nested struct
	typ     reflect.Type
	fields  []field
	byKey   map[string]int
}

var planCache sync.Map // reflect.Type -> *plan or tagErrors

var (
	secretType    = reflect.TypeFor[Secret]()
	rotatingType  = reflect.TypeFor[Rotating]()
	durationType  = reflect.TypeFor[time.Duration]()
	timeType      = reflect.TypeFor[time.Time]()
	urlType       = reflect.TypeFor[url.URL]()
	ipType        = reflect.TypeFor[net.IP]()
	bytesType     = reflect.TypeFor[[]byte]()
	textUnmarshal = reflect.TypeFor[encoding.TextUnmarshaler]()
)

var knownTags = []string{"env", "default", "required", "prefix", "sep", "kvsep", "desc", "secret", "expand", "unset", "ref"}

// planFor returns the cached plan for struct type t, parsing it on first
// use, or the *TagError of every bad tag. The custom decoders matter for
// which types are supported, so plans made with custom decoders are not
// cached globally.
func planFor(t reflect.Type, custom map[reflect.Type]decodeFunc) (*plan, []error) {
	if len(custom) == 0 {
		if p, ok := planCache.Load(t); ok {
			if errs, ok := p.(tagErrors); ok {
				return nil, slices.Clone(errs)
			}
			return p.(*plan), nil
		}
	}
	p := &plan{typ: t, byKey: map[string]int{}}
	var errs []error
	p.walk(t, nil, "", "", nil, custom, &errs, map[reflect.Type]bool{})
	if len(custom) == 0 {
		if len(errs) > 0 {
			planCache.Store(t, tagErrors(slices.Clone(errs)))
		} else {
			planCache.Store(t, p)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// tagErrors are the *TagError values of a type, as planCache holds them.
type tagErrors []error

// isLeafStruct reports whether a struct type is a value, not a group of fields.
func isLeafStruct(t reflect.Type, custom map[reflect.Type]decodeFunc) bool {
	if _, ok := custom[t]; ok {
		return true
	}
	switch t {
	case secretType, rotatingType, timeType, urlType:
		return true
	}
	return reflect.PointerTo(t).Implements(textUnmarshal)
}

func (p *plan) walk(t reflect.Type, index []int, pathPrefix, keyPrefix string, ptrs []string, custom map[reflect.Type]decodeFunc, errs *[]error, seen map[reflect.Type]bool) {
	if seen[t] {
		*errs = append(*errs, &TagError{Type: p.typ.String(), Field: strings.TrimSuffix(pathPrefix, "."), Reason: "recursive struct type"})
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			if !sf.Anonymous {
				for _, tag := range knownTags {
					if _, ok := sf.Tag.Lookup(tag); ok {
						*errs = append(*errs, &TagError{Type: p.typ.String(), Field: pathPrefix + sf.Name,
							Reason: fmt.Sprintf("tag %q on an unexported field (driftless cannot set it; export the field)", tag)})
						break
					}
				}
			}
			continue
		}
		idx := append(append([]int(nil), index...), i)
		path := pathPrefix + sf.Name
		bad := func(format string, args ...any) {
			*errs = append(*errs, &TagError{Type: p.typ.String(), Field: path, Reason: fmt.Sprintf(format, args...)})
		}
		for _, name := range tagNames(sf.Tag) {
			if !contains(knownTags, name) {
				if isDriftlessLike(name) {
					bad("unknown tag %q (known: %s)", name, strings.Join(knownTags, ", "))
				}
			}
		}
		envTag, hasEnv := sf.Tag.Lookup("env")
		prefix, hasPrefix := sf.Tag.Lookup("prefix")
		ft := sf.Type
		st := ft
		if st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		// Nested struct (not a leaf value): recurse.
		if st.Kind() == reflect.Struct && !isLeafStruct(st, custom) && !hasEnv {
			for _, tag := range []string{"default", "required", "sep", "kvsep", "secret", "expand", "unset"} {
				if _, ok := sf.Tag.Lookup(tag); ok {
					bad("tag %q on a nested struct (put it on the fields inside)", tag)
				}
			}
			if sf.Anonymous && !hasPrefix {
				prefix = ""
			}
			sub := ptrs
			if ft.Kind() == reflect.Pointer {
				sub = append(append([]string(nil), ptrs...), path)
			}
			p.walk(st, idx, path+".", keyPrefix+prefix, sub, custom, errs, seen)
			continue
		}
		if hasPrefix {
			bad(`"prefix" on a field that is not a nested struct`)
		}
		if !hasEnv {
			// An untagged leaf is left alone unless it carries other driftless tags.
			for _, tag := range []string{"default", "required", "sep", "kvsep", "secret", "desc", "expand", "unset"} {
				if _, ok := sf.Tag.Lookup(tag); ok {
					bad("tag %q without an env tag", tag)
				}
			}
			continue
		}
		f := field{index: idx, path: path, typ: ft, desc: sf.Tag.Get("desc"), ptrs: ptrs}
		name, opts, _ := strings.Cut(envTag, ",")
		if name == "" {
			bad("empty env key")
			continue
		}
		if !validKey(name) {
			bad("env key %q must match [A-Za-z_][A-Za-z0-9_]*", name)
			continue
		}
		f.key = keyPrefix + name
		f.keyFile = f.key + "_FILE"
		if opts != "" {
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "required":
					f.required = true
				case "secret":
					f.secret = true
				case "notEmpty", "nonempty":
					f.notEmpty = true
				case "expand":
					f.expand = true
				case "unset":
					f.unset = true
				default:
					bad("unknown env tag option %q (known: required, secret, notEmpty, expand, unset)", o)
				}
			}
		}
		if v, ok := sf.Tag.Lookup("required"); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad(`required:%q is not a boolean`, v)
			}
			f.required = f.required || b
		}
		if v, ok := sf.Tag.Lookup("secret"); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad(`secret:%q is not a boolean`, v)
			}
			f.secret = f.secret || b
			f.notSecret = err == nil && !b
		}
		parseEnvironTags(sf, &f, bad)
		if v, ok := sf.Tag.Lookup("ref"); ok {
			switch b, err := strconv.ParseBool(v); {
			case err != nil:
				bad(`ref:%q is not a boolean`, v)
			case b:
				f.ref = refMust
			default:
				f.ref = refNever
			}
		}
		f.def, f.hasDef = sf.Tag.Lookup("default")
		if f.required && f.hasDef {
			bad("required and default together (a default makes required meaningless)")
		}
		f.sep = ","
		if v, ok := sf.Tag.Lookup("sep"); ok {
			if v == "" {
				bad("empty sep")
			}
			f.sep = v
		}
		f.kvSep = "="
		if v, ok := sf.Tag.Lookup("kvsep"); ok {
			if v == "" {
				bad("empty kvsep")
			}
			f.kvSep = v
		}
		switch {
		case st == rotatingType:
			f.kind = leafRotating
			f.secret = true
		case st.Kind() == reflect.Struct && !isLeafStruct(st, custom):
			f.kind = leafJSON
		default:
			if err := supported(ft, custom); err != nil {
				bad("%v", err)
				continue
			}
			_, hasSep := sf.Tag.Lookup("sep")
			_, hasKV := sf.Tag.Lookup("kvsep")
			k := indirect(ft).Kind()
			if (hasSep && k != reflect.Slice && k != reflect.Map) || indirect(ft) == bytesType && hasSep {
				bad(`"sep" on a field that is not a slice or map`)
			}
			if hasKV && k != reflect.Map {
				bad(`"kvsep" on a field that is not a map`)
			}
		}
		if holdsSecret(ft) {
			if f.notSecret {
				bad(`secret:"false" on a field whose type holds a Secret`)
			}
			f.secret = true // Secret, *Secret, []Secret, map[string]Secret, struct{ Secret }, ...
		}
		f.basic = isBasic(ft, custom)
		f.emptyErr = emptyIsError(ft)
		if j, dup := p.byKey[f.key]; dup {
			bad("env key %q is also used by %s", f.key, p.fields[j].path)
			continue
		}
		p.hasPtrs = p.hasPtrs || len(f.ptrs) > 0
		p.byKey[f.key] = len(p.fields)
		p.fields = append(p.fields, f)
	}
}

// byName returns the index of the field with the given path, or else key
// (a key may also be given as the path).
func (p *plan) byName(path, key string) (int, bool) {
	if path != "" {
		for i := range p.fields {
			if p.fields[i].path == path {
				return i, true
			}
		}
		if key == "" {
			key = path
		}
	}
	i, ok := p.byKey[key]
	return i, ok
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// supported reports whether values of t can be decoded from text.
func supported(t reflect.Type, custom map[reflect.Type]decodeFunc) error {
	if _, ok := custom[t]; ok {
		return nil
	}
	if t.Implements(textUnmarshal) || reflect.PointerTo(t).Implements(textUnmarshal) {
		return nil
	}
	switch t {
	case secretType, durationType, timeType, urlType, ipType, bytesType:
		return nil
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return nil
	case reflect.Pointer:
		return supported(t.Elem(), custom)
	case reflect.Slice, reflect.Array:
		if err := supported(t.Elem(), custom); err != nil {
			return fmt.Errorf("unsupported element type: %w", err)
		}
		return nil
	case reflect.Map:
		if err := supported(t.Key(), custom); err != nil {
			return fmt.Errorf("unsupported map key type: %w", err)
		}
		if err := supported(t.Elem(), custom); err != nil {
			return fmt.Errorf("unsupported map value type: %w", err)
		}
		return nil
	}
	return fmt.Errorf("unsupported type %s (register a decoder with WithDecoder)", t)
}

// tagNames lists the keys of a struct tag in conventional key:"value" form.
func tagNames(tag reflect.StructTag) []string {
	var names []string
	s := string(tag)
	for s != "" {
		s = strings.TrimLeft(s, " ")
		i := strings.IndexByte(s, ':')
		if i <= 0 || i+1 >= len(s) || s[i+1] != '"' {
			break
		}
		names = append(names, s[:i])
		s = s[i+1:]
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			break
		}
		s = s[len(q):]
	}
	return names
}

// isDriftlessLike reports whether an unknown tag name looks like a misspelt
// driftless tag (other libraries' tags such as json or yaml are ignored).
func isDriftlessLike(name string) bool {
	for _, k := range knownTags {
		if strings.EqualFold(name, k) || len(name) > 3 && (strings.HasPrefix(k, name) || strings.HasPrefix(name, k)) || editDistance(strings.ToLower(name), k) <= 2 && len(name) > 4 {
			return true
		}
	}
	switch name {
	case "envDefault", "envPrefix", "envSeparator", "envKeyValSeparator", "envconfig", "split_words", "defaults", "requried", "reqired", "descr", "description", "secrets":
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return s != ""
}

// editDistance is the optimal string alignment distance between a and b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// isBasic reports whether t is a plain string, bool or number kind that
// decodes without any special handling (no custom decoder, no
// TextUnmarshaler, not a Duration).
func isBasic(t reflect.Type, custom map[reflect.Type]decodeFunc) bool {
	if _, ok := custom[t]; ok || t == durationType || reflect.PointerTo(t).Implements(textUnmarshal) {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// holdsSecret reports whether values of t contain a Secret or a Rotating
// anywhere: directly, through pointers, as elements of slices, arrays and
// maps, or as a member of a struct, exported or not, embedded or not (a
// struct filled from a JSON value, a user type such as
// struct{ Secret } or a DSN type that keeps its password in a Secret).
func holdsSecret(t reflect.Type) bool {
	if v, ok := secretTypes.Load(t); ok {
		return v.(bool)
	}
	v := holdsSecretWalk(t, map[reflect.Type]bool{})
	secretTypes.Store(t, v)
	return v
}

// secretTypes caches holdsSecret per type.
var secretTypes sync.Map // reflect.Type -> bool

func holdsSecretWalk(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t {
	case secretType, rotatingType:
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsSecretWalk(t.Elem(), seen)
	case reflect.Map:
		return holdsSecretWalk(t.Key(), seen) || holdsSecretWalk(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if holdsSecretWalk(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
