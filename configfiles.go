package driftless

// Config files (YAML, TOML, JSON) as a layer of the chain: each file is
// parsed into a tree by its format (package configfile), and the tree is
// mapped onto the fields by field path.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/driftless/driftless/configfile"
	"github.com/driftless/driftless/internal/fileread"
)

// WithConfigFiles adds config files in format (configfile.JSON, or
// driftlessyaml.Format and driftlesstoml.Format from their modules) to the
// chain. Files are read in the order given, a later file overriding an
// earlier one key by key (config.yaml, then config.prod.yaml); several
// WithConfigFiles add to the list in order, so formats can be mixed. By
// default the layer sits below the environment and the .env files and
// above the key-value sources (see WithPrecedence).
//
// A key names a field by its path: a leaf by the lowercase name of its env
// tag without the prefix (model_name for env:"MODEL_NAME") or by its Go
// field name, compared without regard to case, "_" or "-"; a nested struct
// is a nested map named by its prefix tag without the trailing "_" (db for
// prefix:"DB_") or, without a prefix, by its Go field name; an embedded
// struct without a prefix adds no level. Lists, maps and nested structs are
// native: a list fills a slice, a map fills a map or a struct filled from a
// JSON value. A scalar is decoded as an environment variable's value
// would be, and may be a reference (awssm://prod/db#password). A leaf is
// taken whole from the last file that sets it; a null value sets nothing.
//
// A file listed must exist. A key that names no field is an error naming
// the file, the line and the nearest field (see WithIgnoredConfigKeys for
// keys other programs read), as is a key given twice, a value of the wrong
// shape (a list for a string) or a file whose extension belongs to another
// format. Errors and Explain show file:line, never a value. Files are read
// with the bounds of WithMaxFileSize. A started Handle reloads when a file
// changes (see WithFileWatchInterval). The default is no config files.
func WithConfigFiles(format configfile.Format, paths ...string) Option {
	return func(o *options) {
		if format == nil {
			o.optErrs = append(o.optErrs, errors.New("driftless: WithConfigFiles: nil format"))
			return
		}
		for _, p := range paths {
			o.confFiles = append(o.confFiles, confFile{path: p, format: format})
		}
	}
}

// WithIgnoredConfigKeys lets config files hold keys that name no field, for
// files shared with other programs: each pattern is a dotted key path
// ("metrics", "db.pool") whose key and everything under it is skipped.
// Keys are compared as field names are (case, "_" and "-" aside). The
// default is none: every unknown key is an error.
func WithIgnoredConfigKeys(paths ...string) Option {
	return func(o *options) {
		for _, p := range paths {
			o.confIgnore = append(o.confIgnore, normPath(p))
		}
	}
}

// confFile is one config file of the chain.
type confFile struct {
	path   string
	format configfile.Format
}

// confName is the name of a field or a group at one level of a config
// file: the canonical one (model_name, db) and the Go field name, both
// accepted.
type confName struct{ canon, goName string }

// groupConfName names a nested struct in a config file: by its prefix
// without the trailing "_", else by its Go field name in snake case.
func groupConfName(goName, prefix string) confName {
	canon := strings.ToLower(strings.TrimRight(prefix, "_"))
	if canon == "" {
		canon = snakeCase(goName)
	}
	return confName{canon: canon, goName: goName}
}

// snakeCase writes a Go name in snake case: ModelName is model_name,
// HTTPServer is http_server.
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) && r[i-1] != '_' {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// normKey is the form in which keys are compared: lower case, without "_"
// and "-".
func normKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

func normPath(p string) string {
	parts := strings.Split(p, ".")
	for i := range parts {
		parts[i] = normKey(parts[i])
	}
	return strings.Join(parts, ".")
}

// confNode is a level of the config-file shape of a config type: a group
// (a nested struct) with its members, or a leaf.
type confNode struct {
	name  confName
	path  string // the canonical dotted path: db.password
	field int    // the field's index for a leaf; -1 for a group
	kids  map[string]*confNode
	list  []*confNode // kids in field order, once each
}

// confShape returns the config-file shape of the plan, built on first use,
// or the conflicts that make it ambiguous (two fields answering to one
// key).
func (p *plan) confShape() (*confNode, []error) {
	p.confOnce.Do(func() {
		root := &confNode{field: -1, kids: map[string]*confNode{}}
		for i := range p.fields {
			f := &p.fields[i]
			n := root
			for lvl, name := range f.conf {
				leaf := lvl == len(f.conf)-1
				kid := n.kids[normKey(name.canon)]
				if kid == nil || !leaf && kid.field < 0 && kid.name != name {
					kid = n.kids[normKey(name.goName)]
				}
				switch {
				case kid == nil:
					path := name.canon
					if n.path != "" {
						path = n.path + "." + name.canon
					}
					kid = &confNode{name: name, path: path, field: -1}
					if leaf {
						kid.field = i
					} else {
						kid.kids = map[string]*confNode{}
					}
					for _, k := range []string{normKey(name.canon), normKey(name.goName)} {
						if other := n.kids[k]; other != nil && other != kid {
							p.confErrs = append(p.confErrs, &TagError{Type: p.typ.String(), Field: f.path,
								Reason: fmt.Sprintf("in a config file, key %q would name both this field and %s", k, other.describe(p))})
							continue
						}
						n.kids[k] = kid
					}
					n.list = append(n.list, kid)
				case leaf || kid.field >= 0:
					p.confErrs = append(p.confErrs, &TagError{Type: p.typ.String(), Field: f.path,
						Reason: fmt.Sprintf("in a config file, key %q would name both this field and %s", kid.path, kid.describe(p))})
				}
				n = kid
			}
		}
		p.confRoot = root
	})
	return p.confRoot, p.confErrs
}

func (n *confNode) describe(p *plan) string {
	if n.field >= 0 {
		return p.fields[n.field].path
	}
	return "the group " + n.path
}

// confValue is a field's value in a config file.
type confValue struct {
	node *configfile.Node
	file string
	key  string // the key's dotted path as written in the file
}

// confLayer is what the config files of the chain set, by field.
type confLayer struct {
	vals []*confValue // by field index; nil where no file sets the field
}

// get returns what the config files set for the field at index i.
func (c *confLayer) get(i int) *confValue {
	if c == nil || c.vals == nil {
		return nil
	}
	return c.vals[i]
}

// configFiles reads and maps every config file of the chain. Every problem
// of every file is its own error.
func (l *loader) configFiles(ctx context.Context) (*confLayer, []FileStatus, []error) {
	if len(l.o.confFiles) == 0 {
		return nil, nil, nil
	}
	shape, errs := l.plan.confShape()
	if len(errs) > 0 {
		return nil, nil, slices.Clone(errs)
	}
	c := &confLayer{vals: make([]*confValue, len(l.plan.fields))}
	var status []FileStatus
	for _, cf := range l.o.confFiles {
		doc, err := readConfigFile(ctx, cf, l.o.maxFileSize)
		if err != nil {
			errs = append(errs, err)
			status = append(status, FileStatus{Path: cf.path, Missing: errors.Is(err, fs.ErrNotExist)})
			continue
		}
		m := confMapper{l: l, file: cf.path, layer: c, set: map[int]*configfile.Member{}}
		m.walk(doc, shape, "")
		errs = append(errs, m.errs...)
		status = append(status, FileStatus{Path: cf.path, Keys: len(m.set)})
	}
	if l.o.logger != nil && !l.confLogged.Swap(true) {
		for _, st := range status {
			if !st.Missing {
				l.o.logger.Info("driftless: config file read", slog.String("file", st.Path), slog.Int("keys", st.Keys))
			}
		}
	}
	return c, status, errs
}

// otherFormats maps the extensions of well-known formats to their names,
// to refuse a file given with the wrong format.
var otherFormats = map[string]string{
	".yaml": "YAML", ".yml": "YAML", ".toml": "TOML", ".json": "JSON",
	".env": ".env", ".ini": "INI", ".hcl": "HCL", ".properties": "properties",
}

// readConfigFile reads and parses one config file, within the size limit.
func readConfigFile(ctx context.Context, cf confFile, maxSize int64) (*configfile.Node, error) {
	ext := strings.ToLower(filepath.Ext(cf.path))
	if name, ok := otherFormats[ext]; ok && !slices.Contains(cf.format.Extensions(), ext) {
		return nil, &ConfigFileError{File: cf.path, Err: fmt.Errorf("a %s file given with the %s format", name, cf.format.Name())}
	}
	data, _, err := fileread.Read(ctx, cf.path, maxSize)
	if err != nil {
		if fileread.IsNotFound(err) {
			return nil, &ConfigFileError{File: cf.path, Err: fs.ErrNotExist}
		}
		return nil, &ConfigFileError{File: cf.path, Err: err}
	}
	var doc *configfile.Node
	if err := callHook(cf.format.Name()+" parser", func() { doc, err = cf.format.Parse(data) }); err != nil {
		return nil, &ConfigFileError{File: cf.path, Err: err}
	}
	if err != nil {
		var se *configfile.SyntaxError
		if errors.As(err, &se) {
			return nil, &ConfigFileError{File: cf.path, Line: se.Line, Column: se.Column, Err: errors.New(se.Reason)}
		}
		// A format that broke its contract may have quoted the document.
		return nil, &ConfigFileError{File: cf.path, Err: fmt.Errorf("the %s parser failed (%s)", cf.format.Name(), withheld)}
	}
	if doc == nil || doc.Kind != configfile.Map {
		return nil, &ConfigFileError{File: cf.path, Line: 1, Err: errors.New("the document is not a map of keys")}
	}
	return doc, nil
}

// confMapper maps one file's tree onto the shape of the config type.
type confMapper struct {
	l     *loader
	file  string
	layer *confLayer
	set   map[int]*configfile.Member // the fields this file set, with the member that set them
	errs  []error
}

func (m *confMapper) fail(mem *configfile.Member, key string, err error) {
	m.errs = append(m.errs, &ConfigFileError{File: m.file, Line: mem.Line, Column: mem.Column, Key: key, Err: err})
}

// walk maps the members of the map n onto the group shape; keyPath is the
// map's own dotted path as written.
func (m *confMapper) walk(n *configfile.Node, shape *confNode, keyPath string) {
	seen := map[*confNode]*configfile.Member{}
	for _, mem := range n.Members {
		key := mem.Key
		if keyPath != "" {
			key = keyPath + "." + mem.Key
		}
		if m.ignored(key) {
			continue
		}
		kid := shape.kids[normKey(mem.Key)]
		if kid == nil {
			m.fail(mem, key, m.unknown(key, shape))
			continue
		}
		if first := seen[kid]; first != nil {
			m.fail(mem, key, fmt.Errorf("key given twice: also set at line %d (as %q)", first.Line, first.Key))
			continue
		}
		seen[kid] = mem
		v := mem.Value
		switch {
		case v == nil || v.Kind == configfile.Null:
		case kid.field >= 0:
			m.set[kid.field] = mem
			m.layer.vals[kid.field] = &confValue{node: v, file: m.file, key: key}
		case v.Kind != configfile.Map:
			m.fail(mem, key, fmt.Errorf("a %s where a map (the group %s) is expected", v.Kind, kid.path))
		default:
			m.walk(v, kid, key)
		}
	}
}

func (m *confMapper) ignored(key string) bool {
	k := normPath(key)
	for _, p := range m.l.o.confIgnore {
		if k == p || strings.HasPrefix(k, p+".") {
			return true
		}
	}
	return false
}

// unknown is the error of a key that names no field, with the nearest
// key of the config type as a suggestion.
func (m *confMapper) unknown(key string, shape *confNode) error {
	root, _ := m.l.plan.confShape()
	want := normPath(key)
	wantLast := want[strings.LastIndexByte(want, '.')+1:]
	var best *confNode
	bestD := 1 << 30
	var visit func(n *confNode)
	visit = func(n *confNode) {
		for _, k := range n.list {
			d := 2 * editDistance(want, normPath(k.path))
			if normKey(k.name.canon) == wantLast {
				d = min(d, 1) // the right name at the wrong level beats one typo
			}
			if d < bestD {
				best, bestD = k, d
			}
			if k.field < 0 {
				visit(k)
			}
		}
	}
	visit(root)
	switch {
	case best != nil && bestD <= 2*max(2, len(want)/3):
		hint := best.path
		if best.field >= 0 {
			hint += " (field " + m.l.plan.fields[best.field].path + ")"
		}
		return fmt.Errorf("%w (did you mean %s?)", ErrUnknownKey, hint)
	case shape.path != "":
		return fmt.Errorf("%w in the group %s", ErrUnknownKey, shape.path)
	}
	return ErrUnknownKey
}

// checkNode refuses a reference inside a list or a map of a config file:
// only a whole value is resolved.
func (l *loader) checkNode(n *configfile.Node) error {
	switch n.Kind {
	case configfile.List:
		for i, it := range n.Items {
			if it.IsScalar() && l.isRef(it.Text) {
				return fmt.Errorf("item %d (line %d) is a reference: references are resolved only as a whole value, not inside a list or map", i, it.Line)
			}
			if err := l.checkNode(it); err != nil {
				return err
			}
		}
	case configfile.Map:
		for _, mem := range n.Members {
			if mem.Value.IsScalar() && l.isRef(mem.Value.Text) {
				// The key is part of the value: only its line is shown.
				return fmt.Errorf("the member at line %d is a reference: references are resolved only as a whole value, not inside a list or map", mem.Line)
			}
			if err := l.checkNode(mem.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// setNode decodes a list or a map of a config file into the field of
// root that f names.
func (l *loader) setNode(root reflect.Value, f *field, n *configfile.Node) error {
	v := fieldFor(root, f.index)
	switch f.kind {
	case leafRotating:
		return &decodeError{typ: f.typ, reason: "a " + n.Kind.String() + " where a reference is expected"}
	case leafJSON:
		target := reflect.New(indirect(f.typ))
		if err := json.Unmarshal(configfile.ToJSON(n), target.Interface()); err != nil {
			return &decodeError{typ: f.typ, reason: "the " + n.Kind.String() + " does not fit", err: jsonErr(err)}
		}
		if v.Kind() == reflect.Pointer {
			v.Set(target)
		} else {
			v.Set(target.Elem())
		}
		return nil
	}
	return l.decodeNode(v, n, f)
}

// decodeNode decodes n into dst: a scalar as text, a list into a slice or
// an array, a map into a map. Errors name the item and its line, never a
// value.
func (l *loader) decodeNode(dst reflect.Value, n *configfile.Node, f *field) error {
	t := dst.Type()
	switch {
	case n.Kind == configfile.Null:
		return nil
	case n.IsScalar():
		if n.Text == "" && emptyIsError(t) {
			return &decodeError{typ: t, reason: "empty value"}
		}
		return l.dec.decodeInto(dst, n.Text, f)
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := l.decodeNode(p.Elem(), n, f); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case l.textOnly(t):
	case n.Kind == configfile.List && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		out := dst
		if t.Kind() == reflect.Slice {
			out = reflect.MakeSlice(t, len(n.Items), len(n.Items))
		} else if len(n.Items) != t.Len() {
			return &decodeError{typ: t, reason: fmt.Sprintf("want %d items, got %d", t.Len(), len(n.Items))}
		}
		for i, it := range n.Items {
			if err := l.decodeNode(out.Index(i), it, f); err != nil {
				return &decodeError{typ: t, reason: fmt.Sprintf("item %d (line %d)", i, it.Line), err: err}
			}
		}
		dst.Set(out)
		return nil
	case n.Kind == configfile.Map && t.Kind() == reflect.Map:
		out := reflect.MakeMapWithSize(t, len(n.Members))
		for _, mem := range n.Members {
			k, err := l.dec.decode(mem.Key, t.Key(), f)
			if err != nil {
				return &decodeError{typ: t, reason: fmt.Sprintf("key at line %d", mem.Line), err: err}
			}
			if out.MapIndex(k).IsValid() {
				return &decodeError{typ: t, reason: fmt.Sprintf("key at line %d given twice", mem.Line)}
			}
			val := reflect.New(t.Elem()).Elem()
			if err := l.decodeNode(val, mem.Value, f); err != nil {
				return &decodeError{typ: t, reason: fmt.Sprintf("value at line %d", mem.Value.Line), err: err}
			}
			out.SetMapIndex(k, val)
		}
		dst.Set(out)
		return nil
	}
	return &decodeError{typ: t, reason: "a " + n.Kind.String() + " where " + expected(t) + " is expected"}
}

// textOnly reports whether values of t are decoded from text only.
func (l *loader) textOnly(t reflect.Type) bool {
	if _, ok := l.dec.custom[t]; ok {
		return true
	}
	switch t {
	case secretType, durationType, timeType, urlType, ipType, bytesType:
		return true
	}
	return reflect.PointerTo(t).Implements(textUnmarshal)
}

// expected names what a value of t is written as in a config file.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t != bytesType && t != ipType {
			return "a list"
		}
	case reflect.Map:
		return "a map"
	}
	return "a scalar (" + t.String() + ")"
}

// confOrigin is the origin of a value set by a config file.
func confOrigin(c *confValue) origin {
	o := origin{kind: fromConfigFile, file: c.file, line: c.node.Line, key: c.key}
	if !c.node.IsScalar() {
		o.node = c.node
	}
	return o
}

// lineOf formats file:line.
func lineOf(file string, line int) string {
	if line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(line)
}

// warnLiteralSecret logs, once per field, that a config file holds a
// secret field's value itself: config files are usually committed, and a
// secret belongs in a secrets manager (a reference) or a NAME_FILE file.
// The value is never logged.
func (l *loader) warnLiteralSecret(f *field, o origin) {
	if l.o.logger == nil {
		return
	}
	if _, seen := l.literalWarned.LoadOrStore(f.path, true); seen {
		return
	}
	l.o.logger.Warn("driftless: a config file holds a secret's value; config files are usually committed: give a reference (awssm://..., vault://...) or set "+f.keyFile,
		slog.String("field", f.path), slog.String("source", o.String()))
}
