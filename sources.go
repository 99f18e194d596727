package driftless

// The sources a field's value is read from before any reference is
// resolved: the process environment and the .env files, with the NAME_FILE
// convention in each.

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/driftless/driftless/configfile"
	"github.com/driftless/driftless/envfile"
)

// origin says where a raw value came from.
type origin struct {
	kind originKind
	file string // the .env file
	line int    // line in the .env file
	key  string // the key read: KEY, or KEY_FILE
	path string // the file a KEY_FILE named
	src  int    // index of the key-value source
	// node is a list or a map of a config file, decoded natively; nil
	// for a scalar, whose text is the raw value.
	node *configfile.Node
	// tainted is set for a .env value that interpolated the value of a
	// secret field's key (DATABASE_URL=postgres://app:${DB_PASSWORD}@db).
	tainted bool
}

type originKind uint8

const (
	fromUnset originKind = iota
	fromEnv
	fromEnvFile
	fromSource
	fromDefault
	fromPreset     // kept from *dst (WithKeepSet)
	fromFlag       // a command-line flag (WithFlags); key is "--name"
	fromConfigFile // a config file (WithConfigFiles); key is the dotted key
)

// String names the source for errors and explain output: "env",
// ".env:12", "env DB_PASSWORD_FILE (/run/secrets/db)", "default".
func (o origin) String() string {
	var s string
	switch o.kind {
	case fromFlag:
		return "flag " + o.key
	case fromEnv:
		s = "env"
	case fromEnvFile:
		s = o.file + ":" + strconv.Itoa(o.line)
	case fromConfigFile:
		return lineOf(o.file, o.line)
	case fromSource:
		return "source " + strconv.Itoa(o.src+1)
	case fromDefault:
		return "default"
	case fromPreset:
		return "preset"
	default:
		return "unset"
	}
	if o.path != "" {
		s += " " + o.key + " (file " + o.path + ")"
	}
	return s
}

// tainted reports whether the .env entry e expanded the value of a secret
// field's key, directly or through other entries that did.
func (l *loader) tainted(e envfile.Entry, files []*envSource, depth int) bool {
	if len(e.Vars) == 0 || depth > 16 {
		return false
	}
	for _, v := range e.Vars {
		if i, ok := l.plan.byKey[strings.TrimSuffix(v, "_FILE")]; ok && l.plan.fields[i].secret {
			return true
		}
		for _, f := range files {
			if d, ok := f.Lookup(v); ok && l.tainted(d, files, depth+1) {
				return true
			}
		}
	}
	return false
}

// envFiles parses the configured .env files, highest precedence first.
// Every syntax error of every file is its own error. With a logger, the
// first load of a loader reports each file read or skipped.
func (l *loader) envFiles() ([]*envSource, []FileStatus, []error) {
	var files []*envSource
	var status []FileStatus
	var errs []error
	for _, path := range l.o.envFiles {
		f, err := envfile.ParseFile(path, envfile.WithLookup(l.o.lookup), envfile.WithLookupFirst())
		switch {
		case errors.Is(err, fs.ErrNotExist):
			status = append(status, FileStatus{Path: path, Missing: true})
			if l.o.requiredEnvFiles[path] {
				errs = append(errs, fmt.Errorf("driftless: .env file %s: %w (listed with WithRequiredEnvFiles)", path, fs.ErrNotExist))
			}
		case err != nil:
			if list, ok := err.(interface{ Unwrap() []error }); ok {
				errs = append(errs, list.Unwrap()...)
			} else {
				errs = append(errs, err)
			}
			status = append(status, FileStatus{Path: path})
		default:
			src := newEnvSource(f)
			files = append(files, src)
			status = append(status, FileStatus{Path: path, Keys: src.keys})
		}
	}
	if l.o.logger != nil && !l.filesLogged.Swap(true) {
		for _, st := range status {
			switch {
			case st.Missing && !l.o.requiredEnvFiles[st.Path]:
				l.o.logger.Warn("driftless: .env file not found; skipped", slog.String("file", st.Path))
			case !st.Missing:
				l.o.logger.Info("driftless: .env file read", slog.String("file", st.Path), slog.Int("keys", st.Keys))
			}
		}
	}
	return files, status, errs
}

// envSource is a parsed .env file with an index by key (the last
// occurrence wins), so that a lookup does not scan the file.
type envSource struct {
	*envfile.File
	index map[string]int
	keys  int
}

func newEnvSource(f *envfile.File) *envSource {
	idx := make(map[string]int)
	for i, e := range f.All() {
		idx[e.Key] = i
	}
	return &envSource{File: f, index: idx, keys: len(idx)}
}

// Lookup returns the entry that sets key last.
func (s *envSource) Lookup(key string) (envfile.Entry, bool) {
	i, ok := s.index[key]
	if !ok {
		return envfile.Entry{}, false
	}
	return s.Entry(i), true
}

// lookup finds the field's value in the layers of the chain, in the order
// of WithPrecedence (by default the flags set, the process environment,
// the .env files, then the config files), with the NAME_FILE convention in
// the environment and the .env files, and sets st's raw, origin, found
// and err. found stays false when no layer has it; the key-value sources
// are consulted later, once fetched.
func (l *loader) lookup(f *field, i int, p *pass, st *fieldState) {
	if l.kept(f) {
		st.origin, st.found = origin{kind: fromPreset, key: f.key}, true
		return
	}
	if l.o.order == nil { // the default order, without the loop
		switch {
		case p.flags != nil && l.lookupFlag(f, p, st):
		case l.lookupEnv(f, p.files, st):
		case len(p.files) > 0 && l.lookupEnvFiles(f, p.files, st):
		case p.conf != nil && l.lookupConf(i, p, st):
		}
		return
	}
	for _, src := range l.o.chainOrder() {
		switch src {
		case FromFlags:
			if l.lookupFlag(f, p, st) {
				return
			}
		case FromEnv:
			if l.lookupEnv(f, p.files, st) {
				return
			}
		case FromEnvFiles:
			if len(p.files) > 0 && l.lookupEnvFiles(f, p.files, st) {
				return
			}
		case FromConfigFiles:
			if l.lookupConf(i, p, st) {
				return
			}
		}
	}
}

// lookupFlag finds the field's flag among the flags set.
func (l *loader) lookupFlag(f *field, p *pass, st *fieldState) bool {
	v, ok := p.flags[f.flag]
	if !ok || f.flag == "" {
		return false
	}
	st.raw, st.origin, st.found = v, origin{kind: fromFlag, key: "--" + f.flag}, true
	return true
}

// lookupConf finds the field's value in the config files.
func (l *loader) lookupConf(i int, p *pass, st *fieldState) bool {
	c := p.conf.get(i)
	if c == nil {
		return false
	}
	st.raw, st.origin, st.found = c.node.Text, confOrigin(c), true
	return true
}

// lookupEnv finds the field's key, or its NAME_FILE variable, in the
// process environment, and reports whether it did.
func (l *loader) lookupEnv(f *field, files []*envSource, st *fieldState) bool {
	key, keyFile := f.key, f.keyFile
	v, ok := l.getenv(key)
	p, okFile := l.getenv(keyFile)
	if !ok && !okFile {
		return false
	}
	st.found, st.origin.kind, st.origin.key = true, fromEnv, key
	if ok && okFile {
		st.err = fmt.Errorf("both %s and %s are set in the environment; set only one", key, keyFile)
		return true
	}
	var err error
	if v, p, err = l.expandEnv(f, v, p, files); err != nil {
		st.err = err
		return true
	}
	if ok {
		st.raw = v
		return true
	}
	st.raw, st.origin, st.found, st.err = l.readKeyFile(origin{kind: fromEnv, key: keyFile, path: p})
	return true
}

// lookupEnvFiles finds the field's key, or its NAME_FILE variable, in the
// .env files, the first file first, and reports whether it did.
func (l *loader) lookupEnvFiles(f *field, files []*envSource, st *fieldState) bool {
	key, keyFile := f.key, f.keyFile
	for _, s := range files {
		e, ok := l.fileEntry(s, key)
		ef, okFile := l.fileEntry(s, keyFile)
		switch {
		case ok && okFile:
			st.origin, st.found = origin{kind: fromEnvFile, file: s.Name, line: ef.Line, key: key}, true
			st.err = fmt.Errorf("both %s (line %d) and %s (line %d) are set in %s; set only one", key, e.Line, keyFile, ef.Line, s.Name)
		case ok:
			st.raw, st.found = e.Value, true
			st.origin = origin{kind: fromEnvFile, file: s.Name, line: e.Line, key: key, tainted: l.tainted(e, files, 0)}
		case okFile:
			st.raw, st.origin, st.found, st.err = l.readKeyFile(origin{kind: fromEnvFile, file: s.Name, line: ef.Line, key: keyFile, path: ef.Value})
		default:
			continue
		}
		return true
	}
	return false
}

// readKeyFile turns the file a NAME_FILE variable names into a file://
// reference (a relative path in a .env file is relative to that file's
// directory; in the environment, to the working directory), so that the file is read by the "file" provider (the built-in
// reader, or providers/files, which watches it) and refreshed like any
// other secret: a rotated Kubernetes Secret volume reaches a running
// Handle. One trailing newline is trimmed from the content.
func (l *loader) readKeyFile(o origin) (string, origin, bool, error) {
	if o.path == "" {
		return "", o, true, fmt.Errorf("%s is empty", o.key)
	}
	p := o.path
	if !filepath.IsAbs(p) && o.kind == fromEnvFile {
		// Relative to the .env file that names it, as Docker Compose does,
		// and never outside that file's directory: whoever can write a
		// .env line must not be able to read ../../proc/self/environ.
		dir, err := filepath.Abs(filepath.Dir(o.file))
		if err != nil {
			return "", o, true, fmt.Errorf("resolving the directory of %s: %w", o.file, err)
		}
		p = filepath.Join(dir, p)
		real := p
		if r, err := filepath.EvalSymlinks(p); err == nil {
			real = r
		}
		realDir := dir
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			realDir = r
		}
		if !within(dir, p) || !within(realDir, real) {
			return "", o, true, fmt.Errorf("%w: %s names a relative path that leaves the directory of %s (use an absolute path)", ErrNotAllowed, o.key, o.file)
		}
	}
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", o, true, fmt.Errorf("resolving %s named by %s: %w", o.path, o.key, err)
		}
		p = abs
	}
	return "file://" + filepath.ToSlash(p), o, true, nil
}
