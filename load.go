package driftless

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/driver"
)

// Load fills the struct that dst points to from the chain of sources:
// the command-line flags set (WithFlags), then the process environment, then the .env files given with WithEnvFiles,
// then the key-value sources given with WithKeySource, then each field's
// default tag. Any value found (even a default) may be a reference such as
// "awssm://prod/db#password", resolved by the provider registered for its
// scheme; every reference in the struct is collected before anything is
// fetched, de-duplicated, grouped per provider and fetched concurrently.
//
// Load reports every failing field at once in a *LoadError, each a
// *FieldError naming the field, key and source, never a value; a bad
// struct tag fails before any source is read, with a *TagError per bad tag
// in the *LoadError. On error dst is left unchanged: nothing is
// half-applied.
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
	if err := l.runBootGates(ctx, res.cfg.Interface()); err != nil {
		l.commitSnapshot(ctx, true)
		return &LoadError{Type: l.typ.String(), Errors: []error{err}}
	}
	l.commitSnapshot(ctx, false)
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
	// confLogged is set once the config files were reported to the logger.
	confLogged atomic.Bool
	// literalWarned holds the secret fields already reported for a literal
	// value in a config file, by path (configfiles.go: warnLiteralSecret).
	literalWarned sync.Map
	// stamps are the watched files as the last pass found them; only a
	// Handle's loader (watches set) records them (filewatch.go).
	stamps  atomic.Pointer[[]fileStamp]
	watches bool
	// loaded is set once a load succeeded: from then on the snapshot
	// (WithSnapshot) is not used, refreshes fail in an outage.
	loaded atomic.Bool
	// snapPending is the snapshot write of the last load, held back until
	// the gates admit its config (commitSnapshot). Loads of one loader are
	// serialised (Load is single-use; a Handle holds passMu).
	snapPending func(context.Context)
	typ         reflect.Type
	o           *options
	plan        *plan
	dec         decoder
	cache       *cache
	// preset is *dst for WithKeepSet (Load and Explain); invalid otherwise.
	preset reflect.Value
}

// newLoader checks the options and the config type's tags. A bad tag is
// reported before any source is read, in a *LoadError holding one
// *TagError per problem.
func newLoader(t reflect.Type, opts []Option) (*loader, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("driftless: config type %s is not a struct", t)
	}
	o := newOptions(opts)
	if o.environ.keepSet && o.environ.presetDefaults {
		o.optErrs = append(o.optErrs, errors.New("driftless: WithKeepSet and WithPresetDefaults together: keep *dst's values over every source, or under them, not both"))
	}
	if len(o.optErrs) > 0 {
		return nil, errors.Join(o.optErrs...)
	}
	if err := checkGates(t, o.gates); err != nil {
		return nil, err
	}
	p, tagErrs := planFor(t, o.decoders)
	if len(tagErrs) == 0 && o.flags != nil {
		tagErrs = slices.Clone(p.flagDups) // a flag of two fields (flags.go)
	}
	if len(tagErrs) > 0 {
		return nil, &LoadError{Type: t.String(), Errors: tagErrs}
	}
	p = p.withEnvPrefix(o.environ.prefix) // prefix.go
	return &loader{typ: t, o: o, plan: p, dec: decoder{custom: o.decoders}, cache: newCache(o)}, nil
}

// result is the outcome of one load pass.
type result struct {
	cfg    reflect.Value // *T
	report *Report       // with withReport only
	used   map[cacheKey]bool
	files  []*envSource // the .env files read
	err    error
}

// load runs one pass over every source and returns a new *T, or every
// error. The explain report is built only when withReport is set.
func (l *loader) load(ctx context.Context, withReport bool) result {
	p := pass{l: l, cfg: reflect.New(l.typ)}
	if withReport {
		// Every field keeps its state for the report.
		p.states = make([]fieldState, len(l.plan.fields))
		p.pending = make([]int, 0, len(l.plan.fields))
	}
	p.collect(ctx)
	p.fetch(ctx)
	p.restore(ctx) // snapshot.go: the values of unreachable providers
	p.present()
	p.applyPending()
	p.validate()
	p.snapshotDone(ctx) // snapshot.go: write it, or say why it was refused
	res := result{cfg: p.cfg, files: p.files}
	if withReport {
		res.report = p.report()
		res.report.Snapshot = p.snapAt
		res.used = make(map[cacheKey]bool, len(p.fetched))
		for k := range p.fetched {
			res.used[k] = true
		}
	}
	if len(p.errs) > 0 {
		res.err = &LoadError{Type: l.typ.String(), Errors: p.errs}
	} else {
		l.loaded.Store(true)
	}
	return res
}

// pass is one load of a config, in named phases:
//
//   - collect reads each field's value from the environment or a .env
//     file, or else notes the references its key-value sources hold for
//     its key and its default, and lists every reference to fetch;
//   - fetch fetches them all at once (one round trip per provider);
//   - present decides which optional structs (pointers to nested structs)
//     exist;
//   - apply settles each field's value, resolves it and sets it;
//   - validate groups the field errors and runs the validators.
//
// A field that needs nothing fetched and lies in no optional struct is
// applied as soon as it is collected, and keeps no state unless the
// explain report is wanted; the others wait in pending. The explain report
// is built from the final states afterwards (explain.go).
type pass struct {
	l       *loader
	cfg     reflect.Value     // *T, the config being filled
	files   []*envSource      // the .env files read
	flags   map[string]string // the flags set on the command line (WithFlags), by name
	conf    *confLayer        // what the config files set (WithConfigFiles)
	status  []FileStatus      // every .env file of the chain, for the report
	states  []fieldState      // by field index; nil until a field waits, or from the start for the report
	pending []int             // the fields whose state waits in states, in field order
	keys    []cacheKey        // the references to fetch
	fetched map[cacheKey]*entry
	active  map[string]bool // the optional structs that exist, by field path
	ferrs   []fieldErr      // the failing fields
	errs    []error         // everything that fails the load
	reads   *readSet        // for Reads: who reads what; nil in a load
	snapAt  time.Time       // when the snapshot whose values were used was written; zero if none
	snapErr error           // why the snapshot was refused (snapshot.go)
}

// fieldState is one field's progress through a load pass.
type fieldState struct {
	// Set by collect.
	raw     string // the value read: a literal or the text of a reference
	found   bool   // a source (or, after apply, the default) has a value
	origin  origin
	ref     driver.Ref   // the reference raw names, once admitted
	isRef   bool         // ref is set
	srcRefs []driver.Ref // per key-value source, its reference for the key (zero if none)
	def     string       // the default tag, expanded for an expand field
	waits   bool         // the field needs the fetch
	// under is set when the value found ranks below the key-value
	// sources (WithPrecedence): a source that has the key wins over it.
	under bool

	// Set by apply.
	absent  bool   // inside an optional struct that does not exist
	text    string // the text decoded, once the value reached decoding
	decoded bool   // text is set
	version string // the version of the secret served
	expires time.Time
	err     error // why the field failed (in collect or apply)
}

// fieldErr is a field's error with the field's index, to report errors in
// field order.
type fieldErr struct {
	i      int
	err    *FieldError
	scheme string // the provider the field's value was fetched from, if any
}

// collect reads the .env files and the config files, then every field.
func (p *pass) collect(ctx context.Context) {
	p.l.stampFiles()
	var fileErrs []error
	p.files, p.status, fileErrs = p.l.envFiles()
	p.errs = append(p.errs, fileErrs...)
	conf, confStatus, confErrs := p.l.configFiles(ctx)
	p.conf, p.status = conf, append(p.status, confStatus...)
	p.errs = append(p.errs, confErrs...)
	var err error
	if p.flags, err = p.l.flagValues(); err != nil {
		p.errs = append(p.errs, err)
	}
	fields := p.l.plan.fields
	for i := range fields {
		var st fieldState
		p.read(i, &st)
		if p.states == nil && !st.waits && len(fields[i].ptrs) == 0 {
			p.apply(i, &st)
			continue
		}
		if p.states == nil {
			p.states = make([]fieldState, len(fields))
		}
		p.states[i] = st
		p.pending = append(p.pending, i)
	}
}

// read collects one field: its value from the flags, the environment, a
// .env file or a config file, else the references of the key-value
// sources and of its default. Every reference the field may need is added
// to the fetch.
func (p *pass) read(i int, st *fieldState) {
	l, f := p.l, &p.l.plan.fields[i]
	l.lookup(f, i, p, st)
	if !st.found && st.err == nil {
		st.def, st.err = l.defaultOf(f, p.files)
	}
	if st.found && st.err == nil && l.o.belowSources(st.origin.kind) {
		st.under = true
		p.candidates(f, st)
	}
	switch {
	case st.err != nil, st.origin.kind == fromPreset: // a kept value is not checked (WithKeepSet)
	case st.found && st.origin.node != nil: // a list or a map of a config file
		if f.ref == refMust {
			st.err = fmt.Errorf("%w: a %s where a reference is expected (ref:\"true\")", ErrNotAllowed, st.origin.node.Kind)
		} else if f.ref != refNever {
			st.err = l.checkNode(st.origin.node)
		}
	case st.found && st.origin.path != "": // NAME_FILE: always a file reference
		p.admit(f, st, driver.Ref{Scheme: "file", Name: strings.TrimPrefix(st.raw, "file://")})
	case st.found && f.ref == refNever:
	case st.found:
		if s := driver.Scheme(st.raw); !l.resolves(s) {
			st.err = l.checkLiteralScheme(f, s)
			if st.err == nil && f.secret && st.origin.kind == fromConfigFile {
				l.warnLiteralSecret(f, st.origin)
			}
			break
		}
		r, err := driver.ParseRef(st.raw)
		if err != nil {
			st.err = err
			return
		}
		p.admit(f, st, r)
	default:
		p.candidates(f, st)
	}
}

// admit takes r, a reference read from the environment or a .env file, as
// the field's value if the allow-lists admit it.
func (p *pass) admit(f *field, st *fieldState, r driver.Ref) {
	if st.err = p.l.o.admit(r); st.err != nil {
		return
	}
	if st.err = p.l.o.checkRef(r); st.err != nil {
		return
	}
	st.ref, st.isRef, st.waits = r, true, true
	p.need(f, r)
	if p.reads != nil {
		p.reads.by[cacheKey{ref: r.Secret()}].Fallback = false // read whatever else is set
	}
}

// candidates notes, for a field that neither the environment nor a .env
// file sets, the references its key-value sources hold for its key. A
// default that is a reference is fetched in the same round as the
// sources' values, so a cold start stays one round trip per provider.
func (p *pass) candidates(f *field, st *fieldState) {
	for _, s := range p.l.o.sources {
		r, ok := s.RefFor(p.l.sourceKey(f))
		switch {
		case !ok:
			r = driver.Ref{}
		case st.err == nil:
			if st.err = p.l.o.checkRef(r); st.err == nil {
				p.need(f, r)
				st.waits = true
			}
		}
		st.srcRefs = append(st.srcRefs, r)
	}
	if f.hasDef && f.ref != refNever && p.l.isRef(st.def) && !p.l.presetDefault(f) {
		if r, err := driver.ParseRef(st.def); err == nil && p.l.o.checkRef(r) == nil {
			p.need(f, r)
		}
		st.waits = true
	}
}

// need adds the secret r names to the fetch, with its previous version
// for a Rotating field.
func (p *pass) need(f *field, r driver.Ref) {
	if p.reads != nil {
		p.reads.add(f, r)
	}
	p.keys = append(p.keys, cacheKey{ref: r.Secret()})
	if f.kind == leafRotating {
		p.keys = append(p.keys, cacheKey{ref: r.Secret(), previous: true})
	}
}

// fetch fetches every reference collected, within WithFetchTimeout.
func (p *pass) fetch(ctx context.Context) {
	if len(p.keys) == 0 {
		return
	}
	if d := p.l.o.fetchTimeout; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	p.fetched = p.l.cache.get(ctx, p.keys)
}

// present decides which optional structs exist: a pointer to a nested
// struct is allocated only when a field inside it is set by a source;
// defaults alone leave it nil. Every field inside one waits in pending.
func (p *pass) present() {
	if !p.l.plan.hasPtrs {
		return
	}
	p.active = map[string]bool{}
	for _, i := range p.pending {
		f, st := &p.l.plan.fields[i], &p.states[i]
		if len(f.ptrs) == 0 || !st.found && !slices.ContainsFunc(st.srcRefs, p.sourceHas) {
			continue
		}
		for _, ptr := range f.ptrs {
			p.active[ptr] = true
		}
	}
}

// sourceHas reports whether the key-value source reference r (zero when
// the source has no mapping) holds a value.
func (p *pass) sourceHas(r driver.Ref) bool { return r.Scheme != "" && sourceHas(r, p.fetched) }

// applyPending applies the fields that waited for the fetch.
func (p *pass) applyPending() {
	for _, i := range p.pending {
		p.apply(i, &p.states[i])
	}
}

// apply settles the field's value and sets it in the config; a failure,
// from collect or from here, is recorded as the field's error.
func (p *pass) apply(i int, st *fieldState) {
	f := &p.l.plan.fields[i]
	if len(f.ptrs) > 0 && slices.ContainsFunc(f.ptrs, func(ptr string) bool { return !p.active[ptr] }) {
		st.absent = true
		return
	}
	if st.err == nil {
		st.err = p.fill(f, st)
	}
	if st.err == nil {
		return
	}
	fe := fieldErr{i: i, err: &FieldError{Field: f.path, Key: f.key, Err: st.err}}
	if st.found {
		fe.err.Source = st.origin.String()
	}
	if st.isRef {
		fe.scheme = st.ref.Scheme
	}
	p.ferrs = append(p.ferrs, fe)
}

// fill settles the value of a field that collect read without error,
// resolves it and decodes it into the config.
func (p *pass) fill(f *field, st *fieldState) error {
	root := p.cfg.Elem()
	if st.origin.kind == fromPreset {
		p.l.keep(root, f)
		return nil
	}
	if err := p.settle(f, st); err != nil {
		return err
	}
	if st.origin.kind == fromPreset { // WithPresetDefaults: no source has it
		p.l.keep(root, f)
		return nil
	}
	if !st.found {
		if f.required {
			return fmt.Errorf("%w: set %s (or %s_FILE)", ErrRequired, f.key, f.key)
		}
		return nil
	}
	text, prev := st.raw, (*string)(nil)
	if st.isRef {
		var err error
		if text, prev, err = p.resolve(f, st); err != nil {
			return err
		}
	}
	st.text, st.decoded = text, true
	if text == "" && (f.required || f.notEmpty) && st.origin.node == nil {
		return fmt.Errorf("%w: %s is set but empty", ErrRequired, f.key)
	}
	var err error
	if st.origin.node != nil {
		err = p.l.setNode(root, f, st.origin.node)
	} else {
		err = p.l.set(root, f, text, prev)
	}
	if err != nil && st.sensitive(f) {
		// The field, key and source are added by apply; of the failure
		// only its kind is kept.
		return bare(err)
	}
	return err
}

// settle chooses, for a field that neither the environment nor a .env
// file sets, the first key-value source that has its key, else its
// default tag. Only a secret or key that does not exist falls through to
// the next source.
func (p *pass) settle(f *field, st *fieldState) error {
	if st.found && !st.under {
		return nil
	}
	for si, r := range st.srcRefs {
		if p.sourceHas(r) {
			st.found, st.origin, st.ref, st.isRef, st.raw = true, origin{kind: fromSource, src: si, key: f.key}, r, true, r.String()
			return nil
		}
	}
	if st.found {
		return nil
	}
	if p.l.presetDefault(f) {
		st.found, st.origin = true, origin{kind: fromPreset, key: f.key}
		return nil
	}
	if !f.hasDef {
		return nil
	}
	st.found, st.origin, st.raw = true, origin{kind: fromDefault}, st.def
	switch {
	case f.ref == refNever:
		return nil
	case !p.l.isRef(st.def):
		return p.l.checkLiteral(f, st.def)
	}
	r, err := driver.ParseRef(st.def)
	if err != nil {
		return err
	}
	if err := p.l.o.checkRef(r); err != nil {
		return err
	}
	st.ref, st.isRef = r, true
	return nil
}

// resolve returns the text that the field's reference names, from the
// fetched values, and for a Rotating field the text of the previous
// version (nil when there is none).
func (p *pass) resolve(f *field, st *fieldState) (text string, prev *string, err error) {
	r := st.ref
	if p.l.o.provider(r.Scheme) == nil {
		return "", nil, p.l.o.noProvider(r.Scheme)
	}
	e := p.fetched[cacheKey{ref: r.Secret()}]
	switch {
	case e == nil:
		return "", nil, fmt.Errorf("driftless: %s was not fetched", r.Secret())
	case e.err != nil && st.origin.path != "":
		return "", nil, fmt.Errorf("reading %s named by %s: %w", st.origin.path, st.origin.key, e.err)
	case e.err != nil:
		return "", nil, fmt.Errorf("fetching %s: %w", r.Secret(), e.err)
	}
	st.version, st.expires = e.val.Version, e.val.Expires
	if f.kind == leafJSON && r.Key == "" {
		text = string(e.val.Data)
	} else {
		b, err := driver.Select(e.val.Data, r.Key)
		if err != nil {
			return "", nil, fmt.Errorf("reading %s: %w", r, err)
		}
		text = string(b)
	}
	if r.Scheme == "file" && r.Key == "" {
		// One rule for NAME_FILE and file://: one trailing newline
		// (as editors and `echo` leave) is not part of the value.
		text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
	}
	if f.kind == leafRotating {
		prev, err = p.previous(r)
	}
	return text, prev, err
}

// previous returns the text of the version before the current one of the
// secret r names, nil when the provider has none.
func (p *pass) previous(r driver.Ref) (*string, error) {
	e := p.fetched[cacheKey{ref: r.Secret(), previous: true}]
	switch {
	case e == nil || errors.Is(e.err, ErrNotFound):
		return nil, nil
	case e.err != nil:
		return nil, fmt.Errorf("fetching the previous version of %s: %w", r.Secret(), e.err)
	}
	b, err := driver.Select(e.val.Data, r.Key)
	if err != nil {
		return nil, nil
	}
	s := string(b)
	return &s, nil
}

// validate reports the field errors in field order, then, when nothing
// failed, runs the validators on the whole config.
func (p *pass) validate() {
	if len(p.ferrs) > 0 {
		slices.SortFunc(p.ferrs, func(a, b fieldErr) int { return cmp.Compare(a.i, b.i) })
		p.errs = append(p.errs, groupOutages(p.ferrs)...)
	}
	if len(p.errs) == 0 {
		p.errs = append(p.errs, p.l.validate(p.cfg)...)
	}
}

// sensitive reports whether the field's value must never be shown: its
// type holds a Secret or it is tagged secret:"true"; or the value came
// from a reference or a file (unless tagged secret:"false"); or its .env
// value interpolated a sensitive key.
func (st *fieldState) sensitive(f *field) bool {
	return f.secret || st.origin.tainted || !f.notSecret && (st.isRef || st.origin.path != "")
}

// sourceHas reports whether the key-value source reference r holds a value
// (or failed other than with "not found"): the secret exists and, when r
// picks a key of a JSON secret, that key is present. Only a secret or key
// that does not exist falls through to the next source.
func sourceHas(r driver.Ref, fetched map[cacheKey]*entry) bool {
	e := fetched[cacheKey{ref: r.Secret()}]
	if e == nil || errors.Is(e.err, ErrNotFound) {
		return false
	}
	if e.err != nil || r.Key == "" {
		return true
	}
	_, err := driver.Select(e.val.Data, r.Key)
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
