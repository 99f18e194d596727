package driftless

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/driftless/driftless/driver"
)

// WithAllowedRefs admits only references that match one of patterns, for
// references read from the process environment and .env files (whoever
// controls those chooses what the service reads with its own identity;
// see SECURITY.md). A pattern is "scheme://name-glob": the scheme is
// compared without regard to case, and the name is matched segment by
// segment (split on "/") with path.Match, where a "**" segment matches any
// number of segments:
//
//	WithAllowedRefs("awssm://prod/inference/*", "vault://secret/inference/**")
//
// A reference that no pattern admits fails its field with an error
// wrapping ErrNotAllowed, before anything is fetched. References in
// default tags and from key-value sources are written in code and are not
// checked. Patterns are checked when the option is applied: a malformed
// one fails the Load. The default is to admit every reference.
func WithAllowedRefs(patterns ...string) Option {
	return func(o *options) {
		for _, p := range patterns {
			scheme, name, ok := strings.Cut(p, "://")
			if !ok || scheme == "" || name == "" {
				o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithAllowedRefs: pattern %q: want scheme://name-glob", p))
				continue
			}
			if _, err := path.Match(name, ""); err != nil {
				o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithAllowedRefs: pattern %q: %w", p, err))
				continue
			}
			o.allowRefs = append(o.allowRefs, refPattern{scheme: strings.ToLower(scheme), segs: strings.Split(name, "/")})
		}
		o.allowRefsSet = true
	}
}

// WithFileRoots admits only files under one of dirs for NAME_FILE variables
// and file:// references read from the process environment and .env files.
// Paths are compared after cleaning and resolving symbolic links, so a
// link inside a root that points outside it is refused. A file outside
// every root fails its field with an error wrapping ErrNotAllowed, before
// it is read. The default is to admit every file (a relative NAME_FILE
// path in a .env file never leaves that file's directory, with or without
// this option).
func WithFileRoots(dirs ...string) Option {
	return func(o *options) {
		for _, d := range dirs {
			abs, err := filepath.Abs(d)
			if err != nil {
				o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithFileRoots: %s: %w", d, err))
				continue
			}
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				abs = r
			}
			o.fileRoots = append(o.fileRoots, abs)
		}
		o.fileRootsSet = true
	}
}

// refPattern is one parsed WithAllowedRefs pattern.
type refPattern struct {
	scheme string
	segs   []string
}

func (p refPattern) match(r driver.Ref) bool {
	return p.scheme == r.Scheme && matchSegs(p.segs, strings.Split(r.Name, "/"))
}

// matchSegs matches name segments against glob segments, "**" matching
// any number of them.
func matchSegs(glob, name []string) bool {
	for len(glob) > 0 {
		if glob[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegs(glob[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(glob[0], name[0]); !ok {
			return false
		}
		glob, name = glob[1:], name[1:]
	}
	return len(name) == 0
}

// admit checks a reference read from the environment or a .env file
// against the allow-lists.
func (o *options) admit(r driver.Ref) error {
	if r.Scheme == "file" && o.fileRootsSet {
		if err := o.underRoot(r.Name); err != nil {
			return err
		}
	}
	if !o.allowRefsSet {
		return nil
	}
	for _, p := range o.allowRefs {
		if p.match(r) {
			return nil
		}
	}
	// The reference is not shown: one nobody may read could be a mistyped
	// secret. The field and key are named by the caller.
	return fmt.Errorf("%w: the %s:// reference matches no WithAllowedRefs pattern", ErrNotAllowed, r.Scheme)
}

// underRoot reports an error unless the file p lies under a WithFileRoots
// directory, once cleaned and with its symbolic links resolved.
func (o *options) underRoot(p string) error {
	p = filepath.Clean(filepath.FromSlash(p))
	real := p
	if r, err := filepath.EvalSymlinks(p); err == nil {
		real = r
	}
	for _, root := range o.fileRoots {
		if within(root, p) && within(root, real) {
			return nil
		}
	}
	return fmt.Errorf("%w: file %s is outside the WithFileRoots directories", ErrNotAllowed, p)
}

// within reports whether p is dir or lies under it (both clean and absolute).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
