package driftless

// Command-line flags: one flag per field, named from its key or by its flag
// tag, read as the source of highest precedence.

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// parseFlagTag sets the field's flag name: the one its flag tag gives,
// none for flag:"-", else one derived from its key (MODEL_NAME, prefix
// included, gives model-name).
func parseFlagTag(sf reflect.StructField, f *field, bad func(format string, args ...any)) {
	name, ok := sf.Tag.Lookup("flag")
	switch {
	case !ok:
		f.flag = strings.Trim(strings.ToLower(strings.ReplaceAll(f.key, "_", "-")), "-")
		return
	case name == "-":
		return
	case strings.HasPrefix(name, "-"):
		bad(`flag:%q: give the name without dashes`, name)
		return
	case !validFlagName(name):
		bad(`flag:%q must match [A-Za-z0-9][A-Za-z0-9._-]* (or be "-" for no flag)`, name)
		return
	}
	f.flag = name
}

func validFlagName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || i > 0 && (c == '-' || c == '_' || c == '.') {
			continue
		}
		return false
	}
	return s != ""
}

// BindFlags defines on fs one flag per field of the config struct that cfg
// points to (or is): --model-name for the key MODEL_NAME (the prefix of a
// nested struct included), or the name a flag tag gives (flag:"model"),
// none for flag:"-". Every flag takes text, decoded by Load as any other
// source's value; a bool field's flag may be given without a value
// (--debug). The usage text is the desc tag, the key and the default tag;
// a secret field's usage never shows its default and says that the value
// is visible in the process list.
//
// Pass WithFlags(fs) to Load once fs is parsed: a flag set on the command
// line then wins over every other source. BindFlags defines nothing and
// returns a *LoadError of *TagError values when a tag is bad or two
// fields would have the same flag, and an error when fs already has a
// flag of one of the names.
func BindFlags(fs *flag.FlagSet, cfg any) error {
	specs, err := flagSpecs(cfg)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range specs {
		if fs.Lookup(s.name) != nil {
			errs = append(errs, fmt.Errorf("driftless: flag --%s (field %s) is already defined", s.name, s.path))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, s := range specs {
		fs.Var(&flagValue{isBool: s.isBool}, s.name, s.usage)
	}
	return nil
}

// WithFlags makes Load, Explain and NewHandle read the flags of fs that
// were set on the command line (fs.Visit) before any other source:
//
//	flags > env > .env files > key-value sources > default
//
// A flag that was not set falls through to the environment and the
// defaults, so `BindFlags` never hides an environment variable. Only the
// flags of the fields' names are read; the other flags of fs are left
// alone. Call it after fs.Parse. A flag value may be a reference
// (--db-password=awssm://prod/db#password) like any other value. A
// secret given as a flag value is visible to every user of the machine in
// the process list (ps, /proc/PID/cmdline): give a reference or use
// NAME_FILE instead. The default is no flags.
func WithFlags(fs *flag.FlagSet) Option {
	return WithFlagValues(func(visit func(name, value string)) {
		fs.Visit(func(f *flag.Flag) { visit(f.Name, f.Value.String()) })
	})
}

// WithFlagValues is WithFlags for any flag package: set calls visit once
// for each flag set on the command line, with its name (no dashes) and its
// value. github.com/driftless/driftless/flags/pflag builds its option on
// it for github.com/spf13/pflag (cobra). set is called once per load and
// refresh, and must not block. The default is no flags.
func WithFlagValues(set func(visit func(name, value string))) Option {
	return func(o *options) { o.flags = set }
}

// flagValue is the flag.Value of a field: the text given, decoded by Load.
type flagValue struct {
	text   string
	isBool bool
}

// String returns the text given.
func (v *flagValue) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

// Set keeps the text for Load to decode.
func (v *flagValue) Set(s string) error { v.text = s; return nil }

// IsBoolFlag lets a bool field's flag stand alone (--debug).
func (v *flagValue) IsBoolFlag() bool { return v.isBool }

// flagSpec is one flag BindFlags defines.
type flagSpec struct {
	name, path, usage string
	isBool            bool
}

// flagSpecs returns the flags of cfg's type, or the *LoadError of its bad
// tags and duplicate flag names.
func flagSpecs(cfg any) ([]flagSpec, error) {
	t := reflect.TypeOf(cfg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("driftless: BindFlags needs a struct or a pointer to one, got %T", cfg)
	}
	p, errs := planFor(t, nil)
	if len(errs) == 0 {
		errs = p.flagDups
	}
	if len(errs) > 0 {
		return nil, &LoadError{Type: t.String(), Errors: slices.Clone(errs)}
	}
	var specs []flagSpec
	for i := range p.fields {
		f := &p.fields[i]
		if f.flag == "" {
			continue
		}
		specs = append(specs, flagSpec{name: f.flag, path: f.path, usage: flagUsage(f), isBool: indirect(f.typ).Kind() == reflect.Bool})
	}
	return specs, nil
}

// flagUsage is the usage text of a field's flag: its desc, its key, its
// default (never a secret field's), and for a secret the warning.
func flagUsage(f *field) string {
	var b strings.Builder
	b.WriteString(f.desc)
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	b.WriteString("(env " + f.key)
	switch {
	case f.secret:
		b.WriteString("; secret: a flag value shows in the process list, give a reference or set " + f.keyFile + ")")
	case f.hasDef:
		b.WriteString("; default " + f.def + ")")
	default:
		b.WriteString(")")
	}
	return b.String()
}

// flagValues returns the value of each flag set, by name; nil without
// WithFlags. A panic in the visitor is an error.
func (l *loader) flagValues() (map[string]string, error) {
	if l.o.flags == nil {
		return nil, nil
	}
	vals := map[string]string{}
	err := callHook("WithFlagValues", func() { l.o.flags(func(name, value string) { vals[name] = value }) })
	return vals, err
}
