package envchain

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/driftless/driftless/envfile"
)

// Source says where a variable's value came from.
type Source struct {
	// File is the .env file that set the value, "" for the process
	// environment.
	File string
	// Line and Col locate the assignment in File (0 for the environment).
	Line, Col int
}

// String returns "env" for the process environment, else "file:line".
func (s Source) String() string {
	if s.File == "" {
		return "env"
	}
	return s.File + ":" + strconv.Itoa(s.Line)
}

// Var is one variable of the merged environment.
type Var struct {
	Key   string
	Value string
	// Source is where the winning value was set.
	Source Source
	// Shadowed lists the lower-precedence places that also set the key
	// (a .env line the process environment overrides, a later file).
	Shadowed []Source
	// FromFiles reports whether any .env file sets the key (the winning
	// value may still come from the process environment).
	FromFiles bool
}

// Set is a merged environment.
type Set struct {
	// Vars holds every variable, sorted by key.
	Vars []Var
	// Files are the parsed .env files, in precedence order.
	Files []*envfile.File
}

// Lookup returns the variable key.
func (s *Set) Lookup(key string) (Var, bool) {
	i, ok := slices.BinarySearchFunc(s.Vars, key, func(v Var, k string) int { return strings.Compare(v.Key, k) })
	if !ok {
		return Var{}, false
	}
	return s.Vars[i], true
}

// Environ returns the variables as KEY=value strings, for exec.
func (s *Set) Environ() []string {
	out := make([]string, 0, len(s.Vars))
	for _, v := range s.Vars {
		out = append(out, v.Key+"="+v.Value)
	}
	return out
}

// ParseFiles parses each file with expansion of $VAR through lookup (nil
// for none). A missing file is an error unless optional is true, in which
// case it is skipped. Parse errors are returned together (file:line:col,
// never the text of a line).
func ParseFiles(paths []string, lookup func(string) (string, bool), optional bool) ([]*envfile.File, error) {
	var files []*envfile.File
	var errs []error
	for _, p := range paths {
		var opts []envfile.Option
		if lookup != nil {
			opts = append(opts, envfile.WithLookup(lookup))
		}
		f, err := envfile.ParseFile(p, opts...)
		switch {
		case err == nil:
			files = append(files, f)
		case optional && errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, envfile.ErrSyntax):
			errs = append(errs, err)
		default:
			errs = append(errs, fmt.Errorf("reading %s: %w", p, unwrapPath(err)))
		}
	}
	return files, errors.Join(errs...)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Merge merges files under environ (KEY=value strings, as os.Environ
// returns). When onlyFiles is true, variables of environ that no file sets
// are left out unless keep(key, value) returns true (nil keep keeps none);
// the child of exec needs the whole environment, explain only the keys the
// files declare.
func Merge(environ []string, files []*envfile.File, onlyFiles bool, keep func(key, value string) bool) *Set {
	vars := map[string]*Var{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		vars[k] = &Var{Key: k, Value: v}
	}
	for _, f := range files {
		seen := map[string]bool{}
		for i := f.Len() - 1; i >= 0; i-- {
			e := f.Entry(i)
			src := Source{File: f.Name, Line: e.Line, Col: e.Col}
			if seen[e.Key] {
				continue // an earlier occurrence in the same file: overridden
			}
			seen[e.Key] = true
			if v, ok := vars[e.Key]; ok {
				v.Shadowed = append(v.Shadowed, src)
				v.FromFiles = true
				continue
			}
			vars[e.Key] = &Var{Key: e.Key, Value: e.Value, Source: src, FromFiles: true}
		}
	}
	s := &Set{Files: files}
	for _, v := range vars {
		if onlyFiles && !v.FromFiles && (keep == nil || !keep(v.Key, v.Value)) {
			continue
		}
		s.Vars = append(s.Vars, *v)
	}
	slices.SortFunc(s.Vars, func(a, b Var) int { return strings.Compare(a.Key, b.Key) })
	return s
}
