package driftless

// The process-environment behaviours that other environment libraries have
// and that a migration must not lose silently: exporting .env files into the
// environment (godotenv), ${VAR} expansion and unsetting a variable after
// use (caarlos0/env's expand and unset), keeping the fields the caller
// already set (go-envconfig without overwrite), and treating an empty
// variable as unset (caarlos0/env's envDefault on "PORT="). MIGRATING.md
// maps each library's tags and options onto these.

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/driftless/driftless/envfile"
)

// environOptions holds the options of this file; the zero value is the
// default (no export, no keep-set, empty is set, os.Setenv and os.Unsetenv,
// no prefix).
type environOptions struct {
	prefix  string // WithEnvPrefix (prefix.go)
	export  bool
	keepSet bool
	// presetDefaults is set by WithPresetDefaults: *dst's values rank
	// below every source and above the default tag.
	presetDefaults bool
	emptyAsUnset   bool
	setenv         func(key, value string) error // nil: os.Setenv
	unsetenv       func(key string) error        // nil: os.Unsetenv
}

// Bounds of ${VAR} expansion for one value: how deep the values of
// referenced variables are expanded in turn, how many references are
// followed, and how many bytes the references may add.
const (
	maxExpandDepth = 8
	maxExpandRefs  = 1024
	maxExpandBytes = 64 << 10
)

// parseEnvironTags reads the expand and unset tags of one field.
func parseEnvironTags(sf reflect.StructField, f *field, bad func(format string, args ...any)) {
	for _, t := range []struct {
		name string
		dst  *bool
	}{{"expand", &f.expand}, {"unset", &f.unset}} {
		v, ok := sf.Tag.Lookup(t.name)
		if !ok {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(`%s:%q is not a boolean`, t.name, v)
			continue
		}
		*t.dst = *t.dst || b
	}
}

// getenv reads key from the process environment (WithLookup); with
// WithEmptyAsUnset an empty value is reported as unset.
func (l *loader) getenv(key string) (string, bool) {
	v, ok := l.o.lookup(key)
	if ok && v == "" && l.o.environ.emptyAsUnset {
		return "", false
	}
	return v, ok
}

// fileEntry finds key in one .env file; with WithEmptyAsUnset an empty
// value is reported as unset.
func (l *loader) fileEntry(s *envSource, key string) (envfile.Entry, bool) {
	e, ok := s.Lookup(key)
	if ok && e.Value == "" && l.o.environ.emptyAsUnset {
		return envfile.Entry{}, false
	}
	return e, ok
}

// expandEnv expands an expand field's value v and KEY_FILE path p read from
// the process environment; other fields' values are returned as they are.
func (l *loader) expandEnv(f *field, v, p string, files []*envSource) (string, string, error) {
	if !f.expand {
		return v, p, nil
	}
	x := expander{l: l, files: files, key: f.key}
	v = x.expand(v, 0)
	p = x.expand(p, 0)
	return v, p, x.err
}

// defaultOf returns the field's default tag, expanded for an expand field.
func (l *loader) defaultOf(f *field, files []*envSource) (string, error) {
	if !f.expand || !f.hasDef {
		return f.def, nil
	}
	x := expander{l: l, files: files, key: f.key}
	d := x.expand(f.def, 0)
	return d, x.err
}

// expander expands $VAR, ${VAR}, ${VAR:-default} and ${VAR-default} in one
// field's value (os.Expand's grammar, plus the two default forms and $$ for
// a literal $). A variable is looked up in the process environment, then in
// the .env files (the file listed first wins). A value from the process
// environment is expanded in turn, up to maxExpandDepth levels, as
// caarlos0/env does; a value from a .env file was already expanded by the
// .env grammar and is used as it is. An unknown variable expands to the
// empty string, as in a shell, with a warning on the WithLogger logger.
// Errors name the field's key and variables, never a value.
type expander struct {
	l     *loader
	files []*envSource
	key   string
	refs  int
	bytes int
	err   error
}

func (x *expander) expand(s string, depth int) string {
	if s == "" || x.err != nil || !strings.Contains(s, "$") {
		return s
	}
	return os.Expand(s, func(name string) string {
		if x.err != nil {
			return ""
		}
		if name == "$" {
			return "$"
		}
		x.refs++
		if x.refs > maxExpandRefs {
			x.err = fmt.Errorf("%w: %s refers to more than %d variables", ErrExpand, x.key, maxExpandRefs)
			return ""
		}
		name, def, hasDef, emptyToo := splitExpandDefault(name)
		v, ok, fromEnv := x.lookup(name)
		switch {
		case hasDef && (!ok || emptyToo && v == ""):
			v, fromEnv = def, true // a default is text of the value: expanded like it
		case !ok:
			if lg := x.l.o.logger; lg != nil {
				lg.Warn("driftless: unknown variable expanded to the empty string", "key", x.key, "variable", name)
			}
			return ""
		}
		if fromEnv && strings.Contains(v, "$") {
			if depth+1 > maxExpandDepth {
				x.err = fmt.Errorf("%w: %s: ${%s} nests deeper than %d levels (a cycle?)", ErrExpand, x.key, name, maxExpandDepth)
				return ""
			}
			v = x.expand(v, depth+1)
		}
		x.bytes += len(v)
		if x.bytes > maxExpandBytes {
			x.err = fmt.Errorf("%w: %s: expanded variables exceed %d bytes", ErrExpand, x.key, maxExpandBytes)
			return ""
		}
		return v
	})
}

// lookup finds a variable for expansion; fromEnv reports that it came from
// the process environment.
func (x *expander) lookup(name string) (v string, ok, fromEnv bool) {
	if v, ok := x.l.getenv(name); ok {
		return v, true, true
	}
	for _, s := range x.files {
		if e, ok := x.l.fileEntry(s, name); ok {
			return e.Value, true, false
		}
	}
	return "", false, false
}

// splitExpandDefault splits "VAR:-default" and "VAR-default".
func splitExpandDefault(name string) (v, def string, hasDef, emptyToo bool) {
	i := strings.IndexByte(name, '-')
	if i <= 0 {
		return name, "", false, false
	}
	if name[i-1] == ':' {
		return name[:i-1], name[i+1:], true, true
	}
	return name[:i], name[i+1:], true, false
}

// kept reports whether WithKeepSet keeps the field: *dst holds a set value
// for it (see WithKeepSet for what "set" means for each kind).
func (l *loader) kept(f *field) bool {
	return l.o.environ.keepSet && l.presetSet(f)
}

// presetSet reports whether *dst holds a value for the field (see
// WithKeepSet for what counts as set).
func (l *loader) presetSet(f *field) bool {
	if !l.preset.IsValid() {
		return false
	}
	v, ok := fieldAt(l.preset, f.index)
	return ok && isSet(v)
}

// presetDefault reports whether the field takes *dst's value in place of
// its default tag (WithPresetDefaults).
func (l *loader) presetDefault(f *field) bool {
	return l.o.environ.presetDefaults && l.presetSet(f)
}

// isSet reports whether a preset value counts as set for WithKeepSet.
func isSet(v reflect.Value) bool {
	switch v.Type() {
	case secretType:
		return secretSet(v.Interface().(Secret))
	case rotatingType:
		return secretSet(v.Interface().(Rotating).current)
	}
	return !v.IsZero()
}

func secretSet(s Secret) bool { return s.Value() != "" }

// keep copies the field's preset value into the new config.
func (l *loader) keep(root reflect.Value, f *field) {
	src, _ := fieldAt(l.preset, f.index)
	dst := root
	for i, x := range f.index {
		if i > 0 {
			for dst.Kind() == reflect.Pointer {
				if dst.IsNil() {
					dst.Set(reflect.New(dst.Type().Elem()))
				}
				dst = dst.Elem()
			}
		}
		dst = dst.Field(x)
	}
	dst.Set(src)
}

// presetText renders a preset value for the explain report (redacted by
// display when the field is secret).
func presetText(v reflect.Value) string {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	switch v.Type() {
	case secretType:
		return v.Interface().(Secret).Value()
	case rotatingType:
		return v.Interface().(Rotating).current.Value()
	}
	return fmt.Sprint(v.Interface())
}

// writeEnv applies Load's side effects on the process environment after a
// successful load: WithExportEnvFiles, then the unset tag. Errors name the
// key, never the value.
func (l *loader) writeEnv(files []*envSource) error {
	e := &l.o.environ
	var unset []string
	for i := range l.plan.fields {
		if f := &l.plan.fields[i]; f.unset {
			unset = append(unset, f.key, f.keyFile)
		}
	}
	if !e.export && len(unset) == 0 {
		return nil
	}
	setenv, unsetenv := e.setenv, e.unsetenv
	if setenv == nil {
		setenv = os.Setenv
	}
	if unsetenv == nil {
		unsetenv = os.Unsetenv
	}
	var errs []error
	if e.export {
		done := map[string]bool{}
		for _, s := range files {
			for _, k := range slices.Sorted(maps.Keys(s.index)) {
				if done[k] || slices.Contains(unset, k) {
					continue
				}
				done[k] = true
				if _, ok := l.o.lookup(k); ok {
					continue // never override the environment
				}
				v := s.Entry(s.index[k]).Value
				if l.isRef(v) {
					continue // neither the reference nor the secret it names
				}
				if base, ok := strings.CutSuffix(k, "_FILE"); ok && v != "" && !filepath.IsAbs(v) {
					if _, field := l.plan.byKey[base]; field {
						if abs, err := filepath.Abs(filepath.Join(filepath.Dir(s.Name), v)); err == nil {
							v = abs // the file Load read, wherever the reader's working directory is
						}
					}
				}
				if err := setenv(k, v); err != nil {
					errs = append(errs, fmt.Errorf("driftless: exporting %s from %s: %w", k, s.Name, scrub(err, v)))
				}
			}
		}
	}
	for _, k := range unset {
		if _, ok := l.o.lookup(k); !ok {
			continue
		}
		if err := unsetenv(k); err != nil {
			errs = append(errs, fmt.Errorf("driftless: unsetting %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// loadOnly rejects, for NewHandle, what only Load can do: a Handle re-reads
// the environment at each refresh (it would find the variables it removed
// or exported) and has no destination whose fields it could keep.
func (l *loader) loadOnly() error {
	switch {
	case l.o.environ.export:
		return errors.New("driftless: WithExportEnvFiles works with Load only (a Handle re-reads the environment at each refresh)")
	case l.o.environ.keepSet:
		return errors.New("driftless: WithKeepSet works with Load only (a Handle has no destination whose fields it could keep)")
	case l.o.environ.presetDefaults:
		return errors.New("driftless: WithPresetDefaults works with Load only (a Handle has no destination whose fields it could keep)")
	}
	for i := range l.plan.fields {
		if f := &l.plan.fields[i]; f.unset {
			return fmt.Errorf("driftless: %s (%s) is tagged unset, which works with Load only (a Handle re-reads %s at each refresh)", f.path, f.key, f.key)
		}
	}
	return nil
}
