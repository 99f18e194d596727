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
	flag      string // the command-line flag name, without dashes; "" for none (flags.go)
	// conf names the field in a config file, one name per level: the
	// groups (nested structs) above it, then the leaf (configfiles.go).
	conf     []confName
	sep      string
	kvSep    string
	typ      reflect.Type // the field's type
	kind     leafKind
	ptrs     []string // the nested pointer-to-struct fields above this one (paths)
	basic    bool     // a plain string, bool or number: decoded without type checks
	emptyErr bool     // an empty value is an error for this type

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
	// flagDups are the *TagError of flag names used by two fields; they
	// fail BindFlags and a Load with flags only, so that a struct never
	// bound to flags is not refused for names it does not use.
	flagDups []error

	// The config-file shape (configfiles.go), built on first use.
	confOnce sync.Once
	confRoot *confNode
	confErrs []error
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

var knownTags = []string{"env", "default", "required", "notempty", "prefix", "sep", "kvsep", "desc", "secret", "expand", "unset", "ref", "flag"}

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
	w := walker{p: p, custom: custom, seen: map[reflect.Type]bool{}, flags: map[string]string{}}
	w.walk(t, scope{})
	errs := w.errs
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

// walker parses the tags of one config type into a plan, with a *TagError
// for each problem found.
type walker struct {
	p      *plan
	custom map[reflect.Type]decodeFunc
	errs   []error
	seen   map[reflect.Type]bool // the struct types being walked, to refuse recursion
	flags  map[string]string     // flag name -> the path of the field that has it
}

// scope is where a struct lies in the config type.
type scope struct {
	index []int      // the struct's reflect index path from the root
	path  string     // the field path prefix: "DB."
	key   string     // the env key prefix: "DB_"
	ptrs  []string   // the optional structs (pointers to nested structs) above, by path
	conf  []confName // the struct's names in a config file, one per level
}

// bad records a problem with the tags of the field at path.
func (w *walker) bad(path, format string, args ...any) {
	w.errs = append(w.errs, &TagError{Type: w.p.typ.String(), Field: path, Reason: fmt.Sprintf(format, args...)})
}

// walk parses every field of the struct type t.
func (w *walker) walk(t reflect.Type, s scope) {
	if w.seen[t] {
		w.bad(strings.TrimSuffix(s.path, "."), "recursive struct type")
		return
	}
	w.seen[t] = true
	defer delete(w.seen, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			w.unexported(sf, s)
			continue
		}
		w.structField(sf, append(slices.Clip(s.index), i), s)
	}
}

// unexported refuses driftless tags on an unexported field, which
// driftless cannot set.
func (w *walker) unexported(sf reflect.StructField, s scope) {
	if sf.Anonymous {
		return
	}
	for _, tag := range knownTags {
		if _, ok := sf.Tag.Lookup(tag); ok {
			w.bad(s.path+sf.Name, "tag %q on an unexported field (driftless cannot set it; export the field)", tag)
			return
		}
	}
}

// structField parses one exported field: a nested struct is walked, a
// leaf with an env tag becomes a field of the plan.
func (w *walker) structField(sf reflect.StructField, index []int, s scope) {
	path := s.path + sf.Name
	for _, name := range tagNames(sf.Tag) {
		switch {
		case slices.Contains(knownTags, name):
		case foreignTags[name] != "":
			w.bad(path, "tag %q is another library's; write %s", name, foreignTags[name])
		case isDriftlessLike(name):
			w.bad(path, "unknown tag %q (known: %s)", name, strings.Join(knownTags, ", "))
		}
	}
	envTag, hasEnv := sf.Tag.Lookup("env")
	prefix, hasPrefix := sf.Tag.Lookup("prefix")
	st := sf.Type
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct && !isLeafStruct(st, w.custom) && !hasEnv {
		w.misplaced(sf, path, "tag %q on a nested struct (put it on the fields inside)", "default", "required", "sep", "kvsep", "secret", "expand", "unset", "flag")
		if sf.Anonymous && !hasPrefix {
			prefix = ""
		}
		sub := scope{index: index, path: path + ".", key: s.key + prefix, ptrs: s.ptrs, conf: s.conf}
		if !sf.Anonymous || prefix != "" {
			sub.conf = append(slices.Clip(s.conf), groupConfName(sf.Name, prefix))
		}
		if sf.Type.Kind() == reflect.Pointer {
			sub.ptrs = append(slices.Clip(s.ptrs), path)
		}
		w.walk(st, sub)
		return
	}
	if hasPrefix {
		w.bad(path, `"prefix" on a field that is not a nested struct`)
	}
	if !hasEnv {
		// An untagged leaf is left alone unless it carries other driftless tags.
		w.misplaced(sf, path, "tag %q without an env tag", "default", "required", "sep", "kvsep", "secret", "desc", "expand", "unset", "flag")
		return
	}
	f, ok := w.leaf(sf, envTag, index, path, s)
	if !ok {
		return
	}
	if j, dup := w.p.byKey[f.key]; dup {
		w.bad(path, "env key %q is also used by %s", f.key, w.p.fields[j].path)
		return
	}
	if f.flag != "" {
		if other, dup := w.flags[f.flag]; dup {
			w.p.flagDups = append(w.p.flagDups, &TagError{Type: w.p.typ.String(), Field: path,
				Reason: fmt.Sprintf("flag --%s is also used by %s (name one with a flag tag, or flag:\"-\")", f.flag, other)})
		}
		w.flags[f.flag] = path
	}
	w.p.hasPtrs = w.p.hasPtrs || len(f.ptrs) > 0
	w.p.byKey[f.key] = len(w.p.fields)
	w.p.fields = append(w.p.fields, f)
}

// misplaced reports each of tags that sf carries, with format.
func (w *walker) misplaced(sf reflect.StructField, path, format string, tags ...string) {
	for _, tag := range tags {
		if _, ok := sf.Tag.Lookup(tag); ok {
			w.bad(path, format, tag)
		}
	}
}

// leaf parses the tags of a leaf field, one with an env tag; ok is false
// when the field cannot be filled.
func (w *walker) leaf(sf reflect.StructField, envTag string, index []int, path string, s scope) (f field, ok bool) {
	bad := func(format string, args ...any) { w.bad(path, format, args...) }
	f = field{index: index, path: path, typ: sf.Type, desc: sf.Tag.Get("desc"), ptrs: s.ptrs}
	name, opts, _ := strings.Cut(envTag, ",")
	if name == "" {
		bad("empty env key")
		return f, false
	}
	if !validKey(name) {
		bad("env key %q must match [A-Za-z_][A-Za-z0-9_]*", name)
		return f, false
	}
	f.conf = append(slices.Clip(s.conf), confName{canon: strings.ToLower(name), goName: sf.Name})
	f.key = s.key + name
	f.keyFile = f.key + "_FILE"
	parseEnvOptions(&f, opts, bad)
	parseFlags(sf, &f, bad)
	parseFlagTag(sf, &f, bad)
	f.def, f.hasDef = sf.Tag.Lookup("default")
	if f.required && f.hasDef {
		bad("required and default together (a default makes required meaningless)")
	}
	f.sep, f.kvSep = ",", "="
	if v, ok := sf.Tag.Lookup("sep"); ok {
		if v == "" {
			bad("empty sep")
		}
		f.sep = v
	}
	if v, ok := sf.Tag.Lookup("kvsep"); ok {
		if v == "" {
			bad("empty kvsep")
		}
		f.kvSep = v
	}
	if !w.leafKind(sf, &f, bad) {
		return f, false
	}
	if holdsSecret(f.typ) {
		if f.notSecret {
			bad(`secret:"false" on a field whose type holds a Secret`)
		}
		f.secret = true // Secret, *Secret, []Secret, map[string]Secret, struct{ Secret }, ...
	}
	f.basic = isBasic(f.typ, w.custom)
	f.emptyErr = emptyIsError(f.typ)
	return f, true
}

// parseEnvOptions reads the options after the key in an env tag
// (env:"KEY,required,secret").
func parseEnvOptions(f *field, opts string, bad func(format string, args ...any)) {
	if opts == "" {
		return
	}
	// One dialect: every option is a tag of its own. The options of other
	// libraries' env tags (caarlos0/env) are refused with the tag to write,
	// never ignored.
	for _, o := range strings.Split(opts, ",") {
		switch o = strings.TrimSpace(o); o {
		case "required", "secret", "expand", "unset":
			bad(`env tag option %q: write the tag %s:"true" instead (see MIGRATING.md)`, o, o)
		case "notEmpty", "nonempty":
			bad(`env tag option %q: write the tag notempty:"true" instead (see MIGRATING.md)`, o)
		default:
			bad(`env tag option %q: the env tag holds only the key; options are tags of their own (required, secret, notempty, expand, unset, ref)`, o)
		}
	}
}

// parseFlags reads the boolean tags of a leaf: required, secret, expand,
// unset and ref.
func parseFlags(sf reflect.StructField, f *field, bad func(format string, args ...any)) {
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
	if v, ok := sf.Tag.Lookup("notempty"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(`notempty:%q is not a boolean`, v)
		}
		f.notEmpty = b
	}
	parseEnvironTags(sf, f, bad)
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
}

// leafKind sets how the leaf is filled and checks that its type can be
// decoded and takes the separators it is given.
func (w *walker) leafKind(sf reflect.StructField, f *field, bad func(format string, args ...any)) bool {
	ft, st := f.typ, f.typ
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	switch {
	case st == rotatingType:
		f.kind = leafRotating
		f.secret = true
		return true
	case st.Kind() == reflect.Struct && !isLeafStruct(st, w.custom):
		f.kind = leafJSON
		return true
	}
	if err := supported(ft, w.custom); err != nil {
		bad("%v", err)
		return false
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
	return true
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
// driftless tag: the same in another letter case, a prefix of one or one
// prefixed ("descr", "defaults"), or within two edits ("requried").
// Other libraries' tags (json, yaml) are left alone.
func isDriftlessLike(name string) bool {
	for _, k := range knownTags {
		if strings.EqualFold(name, k) || len(name) > 3 && (strings.HasPrefix(k, name) || strings.HasPrefix(name, k)) || editDistance(strings.ToLower(name), k) <= 2 && len(name) > 4 {
			return true
		}
	}
	return false
}

// foreignTags are the tags of the env-config libraries users migrate from
// (caarlos0/env, sethvargo/go-envconfig, kelseyhightower/envconfig), with
// what to write instead: a half-migrated struct fails loudly rather than
// silently losing its defaults (see MIGRATING.md).
var foreignTags = map[string]string{
	"envDefault":         `default:"…"`,
	"envPrefix":          `prefix:"…"`,
	"envSeparator":       `sep:"…"`,
	"envKeyValSeparator": `kvsep:"…"`,
	"envconfig":          `env:"KEY"`,
	"split_words":        `env:"KEY" with the key spelt out`,
	"description":        `desc:"…"`,
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
