package driftless

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
)

// Load fills the struct that dst points to from the chain of sources:
// the process environment, then the .env files given with WithEnvFiles,
// then the key-value sources given with WithSource, then each field's
// default tag. Any value found (even a default) may be a reference such as
// "awssm://prod/db#password", resolved by the provider registered for its
// scheme; every reference in the struct is fetched before any field is set,
// de-duplicated, grouped per provider and fetched concurrently.
//
// Load reports every failing field at once in a *LoadError, each a
// *FieldError naming the field, key and source, never a value. On error dst
// is left unchanged: nothing is half-applied.
func Load(ctx context.Context, dst any, opts ...Option) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("driftless: Load needs a non-nil pointer to a struct, got %T", dst)
	}
	l, err := newLoader(rv.Elem().Type(), opts)
	if err != nil {
		return err
	}
	l.preset = rv.Elem()
	res := l.load(ctx, false)
	if res.err != nil {
		return res.err
	}
	if err := l.writeEnv(res.files); err != nil {
		return err
	}
	rv.Elem().Set(res.cfg.Elem())
	return nil
}

// LoadAs is Load returning a new *T.
func LoadAs[T any](ctx context.Context, opts ...Option) (*T, error) {
	var cfg T
	if err := Load(ctx, &cfg, opts...); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// loader is one configured chain for one config type.
type loader struct {
	// filesLogged is set once the .env files were reported to the logger.
	filesLogged atomic.Bool
	typ         reflect.Type
	o           *options
	plan        *plan
	dec         *decoder
	cache       *cache
	// preset is *dst for WithKeepSet (Load and Explain); invalid otherwise.
	preset reflect.Value
}

func newLoader(t reflect.Type, opts []Option) (*loader, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("driftless: config type %s is not a struct", t)
	}
	o := newOptions(opts)
	if len(o.optErrs) > 0 {
		return nil, errors.Join(o.optErrs...)
	}
	p, err := planFor(t, o.decoders)
	if err != nil {
		return nil, err
	}
	return &loader{typ: t, o: o, plan: p, dec: &decoder{custom: o.decoders}, cache: newCache(o)}, nil
}

// fieldState is one field's progress through a load.
type fieldState struct {
	raw     string
	found   bool
	origin  origin
	ref     Ref  // when raw is a reference
	isRef   bool // raw is a reference
	srcRefs []Ref
	def     string // the default tag, expanded for an expand field
	err     error
}

// fieldErr is a field's error with the field's index, to report errors in
// field order.
type fieldErr struct {
	i      int
	err    *FieldError
	scheme string // the provider the field's value was fetched from, if any
}

// result is the outcome of one load pass.
type result struct {
	cfg    reflect.Value // *T
	report *Report
	used   map[cacheKey]bool
	files  []*envSource // the .env files read
	err    error
}

// load runs one pass over every source and returns a new *T, or every
// error. The explain report is built only when withReport is set.
func (l *loader) load(ctx context.Context, withReport bool) result {
	var rep *Report
	var errs []error
	files, status, fileErrs := l.envFiles()
	errs = append(errs, fileErrs...)
	if withReport {
		rep = &Report{Type: l.typ.String(), Files: status, Fields: make([]FieldReport, 0, len(l.plan.fields))}
	}

	fields := l.plan.fields
	if rep != nil {
		rep.Fields = make([]FieldReport, len(fields))
	}
	cfg := reflect.New(l.typ)
	root := cfg.Elem()
	var ferrs []fieldErr
	fillOne := func(i int, st *fieldState, fetched map[cacheKey]*entry, active map[string]bool) {
		f := &fields[i]
		var fr *FieldReport
		if rep != nil {
			fr = &rep.Fields[i]
			*fr = FieldReport{Path: f.path, Key: f.key, Secret: f.secret, Desc: f.desc}
		}
		if err := l.fill(root, f, st, fetched, active, fr); err != nil {
			src := ""
			if st.found {
				src = st.origin.String()
			}
			fe := fieldErr{i: i, err: &FieldError{Field: f.path, Key: f.key, Source: src, Err: err}}
			if st.isRef {
				fe.scheme = st.ref.Scheme
			}
			ferrs = append(ferrs, fe)
			if fr != nil {
				fr.Error = err.Error()
			}
		}
	}

	// One pass over the fields. A field whose value needs no fetch is set at
	// once; the others wait until every reference of the struct has been
	// fetched in one round. (With pointers to nested structs every field
	// waits, since whether a pointer is allocated depends on all of them.)
	var pending []int
	var states []fieldState
	var keys []cacheKey
	need := func(r Ref, rotating bool) {
		keys = append(keys, cacheKey{ref: r.Secret()})
		if rotating {
			keys = append(keys, cacheKey{ref: r.Secret(), previous: true})
		}
	}
	deferAll := l.plan.hasPtrs
	if deferAll {
		states = make([]fieldState, len(fields))
	}
	for i := range fields {
		f := &fields[i]
		var local fieldState
		st := &local
		if deferAll {
			st = &states[i]
		}
		st.raw, st.origin, st.found, st.err = l.lookup(f, files)
		if !st.found && st.err == nil {
			st.def, st.err = l.defaultOf(f, files)
		}
		wait := false
		switch {
		case st.err != nil:
		case st.found && st.origin.path != "": // NAME_FILE: always a file reference
			st.ref, st.isRef = Ref{Scheme: "file", Name: strings.TrimPrefix(st.raw, "file://")}, true
			if st.err = l.o.admit(st.ref); st.err == nil {
				need(st.ref, f.kind == leafRotating)
				wait = true
			}
		case st.found && f.ref == refNever:
		case st.found:
			if !l.isRef(st.raw) {
				st.err = l.checkLiteral(f, st.raw)
			} else {
				if r, err := ParseRef(st.raw); err != nil {
					st.err = err
				} else if err := l.o.admit(r); err != nil {
					st.err = err
				} else {
					st.ref, st.isRef = r, true
					need(r, f.kind == leafRotating)
					wait = true
				}
			}
		default:
			for _, s := range l.o.sources {
				r, ok := s.RefFor(f.key)
				if !ok {
					r = Ref{}
				} else {
					need(r, f.kind == leafRotating)
					wait = true
				}
				st.srcRefs = append(st.srcRefs, r)
			}
			// A default that is a reference is fetched in the same round as
			// the sources' values, so a cold start stays one round trip per
			// provider.
			if f.hasDef && f.ref != refNever && l.isRef(st.def) {
				if r, err := ParseRef(st.def); err == nil {
					need(r, f.kind == leafRotating)
				}
				wait = true
			}
		}
		switch {
		case deferAll:
		case wait:
			if states == nil {
				states = make([]fieldState, len(fields))
			}
			states[i] = local
			pending = append(pending, i)
		default:
			fillOne(i, st, nil, nil)
		}
	}
	var fetched map[cacheKey]*entry
	if len(keys) > 0 {
		fctx := ctx
		if l.o.bootTimeout > 0 {
			var cancel context.CancelFunc
			fctx, cancel = context.WithTimeout(ctx, l.o.bootTimeout)
			defer cancel()
		}
		fetched = l.cache.get(fctx, keys)
	}
	if deferAll {
		// A pointer to a nested struct is allocated only when a field inside
		// it is set by a source; defaults alone leave it nil.
		active := map[string]bool{}
		for i := range fields {
			if st := &states[i]; st.found || len(st.srcRefs) > 0 && l.anySourceFound(st.srcRefs, fetched) {
				for _, p := range fields[i].ptrs {
					active[p] = true
				}
			}
		}
		for i := range fields {
			fillOne(i, &states[i], fetched, active)
		}
	} else {
		for _, i := range pending {
			fillOne(i, &states[i], fetched, nil)
		}
	}
	if len(ferrs) > 0 {
		sort.Slice(ferrs, func(a, b int) bool { return ferrs[a].i < ferrs[b].i })
		errs = append(errs, groupOutages(ferrs)...)
	}
	if len(errs) == 0 {
		errs = append(errs, l.validate(cfg)...)
	}
	res := result{cfg: cfg, report: rep, files: files}
	if withReport {
		res.used = make(map[cacheKey]bool, len(fetched))
		for k := range fetched {
			res.used[k] = true
		}
	}
	if len(errs) > 0 {
		res.err = &LoadError{Type: l.typ.String(), Errors: errs}
	}
	return res
}

// fill resolves one field's final value and sets it. fr, when not nil, is
// filled for the explain report.
func (l *loader) fill(root reflect.Value, f *field, st *fieldState, fetched map[cacheKey]*entry, active map[string]bool, fr *FieldReport) error {
	if len(f.ptrs) > 0 && !allActive(f.ptrs, active) {
		if fr != nil {
			fr.Source = "unset"
			fr.Display = "(nil " + f.ptrs[len(f.ptrs)-1] + ")"
		}
		return nil
	}
	if st.err != nil {
		if fr != nil {
			fr.Source = st.origin.String()
		}
		return st.err
	}
	if st.origin.kind == fromPreset {
		return l.keep(root, f, fr)
	}
	// Key-value sources, in order; only not found falls through.
	if !st.found {
		for si, r := range st.srcRefs {
			if r.Scheme == "" {
				continue
			}
			if !sourceHas(r, fetched) {
				continue
			}
			st.found, st.origin, st.ref, st.isRef, st.raw = true, origin{kind: fromSource, src: si, key: f.key}, r, true, r.String()
			break
		}
	}
	if !st.found && f.hasDef {
		st.found, st.origin, st.raw = true, origin{kind: fromDefault}, st.def
		switch {
		case f.ref == refNever:
		case !l.isRef(st.def):
			if err := l.checkLiteral(f, st.def); err != nil {
				if fr != nil {
					fr.Source = "default"
				}
				return err
			}
		default:
			r, err := ParseRef(st.def)
			if err != nil {
				if fr != nil {
					fr.Source = "default"
				}
				return err
			}
			st.ref, st.isRef = r, true
		}
	}
	if fr != nil {
		fr.Source = st.origin.String()
		fr.FromFile = st.origin.path != ""
	}
	if !st.found {
		if fr != nil {
			fr.Source = "unset"
		}
		if f.required {
			return fmt.Errorf("%w: set %s (or %s_FILE)", ErrRequired, f.key, f.key)
		}
		return nil
	}
	raw := st.raw
	var prev *string
	if st.isRef {
		if fr != nil {
			fr.Provider = st.ref.Scheme
			if st.origin.path == "" {
				fr.Ref = st.ref.String()
			}
		}
		if l.o.provider(st.ref.Scheme) == nil {
			return fmt.Errorf("%w %q: reference %s (register one with WithProvider; registered: %s)", ErrNoProvider, st.ref.Scheme, st.ref.Secret(), l.o.registered())
		}
		e := fetched[cacheKey{ref: st.ref.Secret()}]
		if e == nil {
			return fmt.Errorf("driftless: %s was not fetched", st.ref.Secret())
		}
		if e.err != nil {
			if st.origin.path != "" {
				return fmt.Errorf("reading %s named by %s: %w", st.origin.path, st.origin.key, e.err)
			}
			return fmt.Errorf("fetching %s: %w", st.ref.Secret(), e.err)
		}
		if fr != nil {
			fr.Version, fr.Expires = e.val.Version, e.val.Expires
		}
		if f.kind == leafJSON && st.ref.Key == "" {
			raw = string(e.val.Data)
		} else {
			b, err := Select(e.val.Data, st.ref.Key)
			if err != nil {
				return fmt.Errorf("reading %s: %w", st.ref, err)
			}
			raw = string(b)
		}
		if st.ref.Scheme == "file" && st.ref.Key == "" {
			// One rule for NAME_FILE and file://: one trailing newline
			// (as editors and `echo` leave) is not part of the value.
			raw = strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r")
		}
		if f.kind == leafRotating {
			pe := fetched[cacheKey{ref: st.ref.Secret(), previous: true}]
			switch {
			case pe != nil && pe.err == nil:
				if b, err := Select(pe.val.Data, st.ref.Key); err == nil {
					s := string(b)
					prev = &s
				}
			case pe != nil && !errors.Is(pe.err, ErrNotFound):
				return fmt.Errorf("fetching the previous version of %s: %w", st.ref.Secret(), pe.err)
			}
		}
	}
	sensitive := st.sensitive(f)
	if fr != nil {
		fr.Secret = sensitive
		fr.Display = display(raw, sensitive)
	}
	if raw == "" && (f.required || f.notEmpty) {
		return fmt.Errorf("%w: %s is set but empty", ErrRequired, f.key)
	}
	err := l.set(root, f, raw, prev)
	if err != nil && sensitive {
		// The field, key and source are added by the caller; of the
		// failure only its kind is kept.
		return bare(err)
	}
	return err
}

// sensitive reports whether the field's value must never be shown: its
// type holds a Secret or it is tagged secret:"true"; or the value came
// from a reference or a file (unless tagged secret:"false"); or its .env
// value interpolated a sensitive key.
func (st *fieldState) sensitive(f *field) bool {
	return f.secret || st.origin.tainted || !f.notSecret && (st.isRef || st.origin.path != "")
}

// validate runs the config's Validate method and the WithValidator hooks.
// A panic in one is recovered and reported as a *PanicError (wrapped with
// ErrValidation) naming the validator, never the panic value.
func (l *loader) validate(cfg reflect.Value) []error {
	var errs []error
	if v, ok := cfg.Interface().(interface{ Validate() error }); ok {
		in := func() string { return "the Validate method of " + cfg.Type().String() }
		if err := callValidator(in, v.Validate); err != nil {
			errs = append(errs, l.validationErrs(err)...)
		}
	}
	for i, fn := range l.o.validators {
		in := func() string { return validatorName(i, len(l.o.validators), fn) }
		if err := callValidator(in, func() error { return fn(cfg.Interface()) }); err != nil {
			errs = append(errs, l.validationErrs(err)...)
		}
	}
	return errs
}

// validationErrs turns a validator's error into the Load's errors: each
// *FieldError in it (alone, or joined with errors.Join) names its field by
// path or key and becomes a field error with both filled in; anything else
// is a whole-config error. All wrap ErrValidation.
func (l *loader) validationErrs(err error) []error {
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok && !isFieldError(err) {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	out := make([]error, 0, len(parts))
	for _, e := range parts {
		var fe *FieldError
		if !errors.As(e, &fe) || fe.Field == "" && fe.Key == "" {
			out = append(out, fmt.Errorf("%w: %w", ErrValidation, e))
			continue
		}
		i, ok := l.plan.byName(fe.Field, fe.Key)
		if !ok {
			out = append(out, fmt.Errorf("%w: %w: a validator named %q: %w", ErrValidation, ErrUnknownName, fe.Field+fe.Key, fe.Err))
			continue
		}
		f := &l.plan.fields[i]
		out = append(out, &FieldError{Field: f.path, Key: f.key, Source: "validation", Err: fmt.Errorf("%w: %w", ErrValidation, fe.Err)})
	}
	return out
}

func isFieldError(err error) bool { _, ok := err.(*FieldError); return ok }

func allActive(ptrs []string, active map[string]bool) bool {
	for _, p := range ptrs {
		if !active[p] {
			return false
		}
	}
	return true
}

// anySourceFound reports whether a key-value source has the key.
func (l *loader) anySourceFound(refs []Ref, fetched map[cacheKey]*entry) bool {
	for _, r := range refs {
		if r.Scheme != "" && sourceHas(r, fetched) {
			return true
		}
	}
	return false
}

// sourceHas reports whether the key-value source reference r holds a value
// (or failed other than with "not found"): the secret exists and, when r
// picks a key of a JSON secret, that key is present. Only a secret or key
// that does not exist falls through to the next source.
func sourceHas(r Ref, fetched map[cacheKey]*entry) bool {
	e := fetched[cacheKey{ref: r.Secret()}]
	if e == nil || errors.Is(e.err, ErrNotFound) {
		return false
	}
	if e.err != nil || r.Key == "" {
		return true
	}
	_, err := Select(e.val.Data, r.Key)
	return !errors.Is(err, ErrNotFound)
}

// groupOutages returns the field errors in field order, with the fields
// that one provider could not serve because it was unreachable or had no
// credentials reported once, as a *ProviderError, in place of the first.
func groupOutages(ferrs []fieldErr) []error {
	outage := func(fe fieldErr) bool {
		return fe.scheme != "" && (errors.Is(fe.err, ErrUnavailable) || errors.Is(fe.err, ErrNoCredentials))
	}
	groups := map[string]*ProviderError{}
	for _, fe := range ferrs {
		if !outage(fe) {
			continue
		}
		g := groups[fe.scheme]
		if g == nil {
			g = &ProviderError{Scheme: fe.scheme, Err: fe.err.Err}
			groups[fe.scheme] = g
		}
		g.Fields = append(g.Fields, fe.err)
	}
	out := make([]error, 0, len(ferrs))
	for _, fe := range ferrs {
		g := groups[fe.scheme]
		switch {
		case !outage(fe) || len(g.Fields) < 2:
			out = append(out, fe.err)
		case g.Fields[0] == fe.err:
			out = append(out, g)
		}
	}
	return out
}
