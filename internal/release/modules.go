package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// unreleasedMarker, on a comment line of its own in a go.mod file, keeps
// that module out of releases (examples, benchmarks). Modules under an
// internal/ directory are never released and need no marker.
const unreleasedMarker = "driftless:unreleased"

// Module is one module of the repository, found by its go.mod file.
type Module struct {
	Dir      string // slash-separated, relative to the repository root: "." or "providers/awssm"
	Path     string // module path
	Go       string // go line
	Released bool   // tagged and published (see isReleased)
	File     *modfile.File
}

// TagPrefix is the prefix of the module's git tags: "" for the root module,
// "providers/awssm/" for the module in providers/awssm.
func (m *Module) TagPrefix() string {
	if m.Dir == "." {
		return ""
	}
	return m.Dir + "/"
}

// Repo is the repository: its root directory and its modules.
type Repo struct {
	Root    string
	Modules []*Module // sorted by Dir
}

// findRepo finds every module under root by its go.mod file (skipping .git,
// testdata and vendor directories, which the go command skips too).
func findRepo(root string) (*Repo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	r := &Repo{Root: root}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "vendor":
				return filepath.SkipDir
			}
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		m, err := readModule(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		r.Modules = append(r.Modules, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(r.Modules) == 0 {
		return nil, fmt.Errorf("no go.mod under %s", root)
	}
	slices.SortFunc(r.Modules, func(a, b *Module) int { return strings.Compare(a.Dir, b.Dir) })
	return r, nil
}

func readModule(root, dir string) (*Module, error) {
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s: no module line", gomod)
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	m := &Module{Dir: filepath.ToSlash(rel), Path: f.Module.Mod.Path, File: f}
	if f.Go != nil {
		m.Go = f.Go.Version
	}
	m.Released = isReleased(m.Dir, data)
	return m, nil
}

// isReleased is the release rule: a module is released unless its
// directory is inside an internal/ directory (test-only modules) or its
// go.mod carries the unreleased marker on a comment line.
func isReleased(dir string, gomod []byte) bool {
	if slices.Contains(strings.Split(dir, "/"), "internal") {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "//"); ok && strings.HasPrefix(strings.TrimSpace(c), unreleasedMarker) {
			return false
		}
	}
	return true
}

// Released returns the released modules.
func (r *Repo) Released() []*Module {
	var out []*Module
	for _, m := range r.Modules {
		if m.Released {
			out = append(out, m)
		}
	}
	return out
}

// byPath returns the module with that path, or nil.
func (r *Repo) byPath(p string) *Module {
	for _, m := range r.Modules {
		if m.Path == p {
			return m
		}
	}
	return nil
}

// siblingRequires returns m's requirements on other modules of the repository.
func (r *Repo) siblingRequires(m *Module) []module.Version {
	var out []module.Version
	for _, req := range m.File.Require {
		if r.byPath(req.Mod.Path) != nil {
			out = append(out, req.Mod)
		}
	}
	return out
}

// check reports what would break a release: a replace or exclude directive
// in a released module (go install pkg@version refuses them), a released
// module that requires an unreleased one, and requirements on siblings at
// more than one version, or at a version that is not a semantic version.
func (r *Repo) check() error {
	var errs []error
	versions := map[string]bool{}
	for _, m := range r.Modules {
		for _, rep := range m.File.Replace {
			if m.Released || r.byPath(rep.Old.Path) != nil {
				errs = append(errs, fmt.Errorf("%s/go.mod: replace %s: go.work ties the modules together; released modules and sibling requirements carry no replace", m.Dir, rep.Old.Path))
			}
		}
		if m.Released && len(m.File.Exclude) > 0 {
			errs = append(errs, fmt.Errorf("%s/go.mod: exclude directives are ignored for users of a released module: remove them", m.Dir))
		}
		for _, req := range r.siblingRequires(m) {
			if dep := r.byPath(req.Path); m.Released && !dep.Released {
				errs = append(errs, fmt.Errorf("%s/go.mod: the released module requires %s, which is not released", m.Dir, req.Path))
			}
			if !semver.IsValid(req.Version) || module.IsPseudoVersion(req.Version) {
				errs = append(errs, fmt.Errorf("%s/go.mod: requires %s %s: siblings are required at a tagged version", m.Dir, req.Path, req.Version))
			}
			versions[req.Version] = true
		}
	}
	if len(versions) > 1 {
		errs = append(errs, fmt.Errorf("siblings are required at several versions %v: a release tags every released module at one version", slices.Sorted(maps.Keys(versions))))
	}
	return errors.Join(errs...)
}

// releaseVersion is the version that the released modules' go.mod files
// require of their siblings: the version every released module is tagged
// with by the next release.
func (r *Repo) releaseVersion() (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	for _, m := range r.Modules {
		for _, req := range r.siblingRequires(m) {
			return req.Version, nil
		}
	}
	return "", errors.New("no module requires a sibling: pass -version")
}

// trackedFiles lists the files of the repository that git tracks or would
// track (untracked files that .gitignore does not exclude), relative to the
// root and slash-separated: what a commit of the working tree would hold.
// Without git (a source archive) every regular file is listed.
func (r *Repo) trackedFiles() ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "-c", "-o", "--exclude-standard")
	cmd.Dir = r.Root
	out, err := cmd.Output()
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(r.Root, ".git")); statErr == nil {
			return nil, fmt.Errorf("git ls-files: %w", err)
		}
		var files []string
		err := filepath.WalkDir(r.Root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(r.Root, p)
			files = append(files, filepath.ToSlash(rel))
			return nil
		})
		return files, err
	}
	var files []string
	for f := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
		if f == "" {
			continue
		}
		if st, err := os.Lstat(filepath.Join(r.Root, filepath.FromSlash(f))); err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or a symlink (module zips hold neither)
		}
		files = append(files, f)
	}
	slices.Sort(files)
	return files, nil
}

// moduleFiles returns the files of m among files (repository-relative):
// those under m.Dir that belong to no nested module and to no vendor
// directory, relative to m.Dir.
func (r *Repo) moduleFiles(m *Module, files []string) []string {
	var out []string
	for _, f := range files {
		rel, ok := underDir(m.Dir, f)
		if !ok || slices.Contains(strings.Split(path.Dir(rel), "/"), "vendor") {
			continue
		}
		if owner := r.owner(f); owner != m {
			continue
		}
		out = append(out, rel)
	}
	return out
}

// owner returns the module whose directory is the longest prefix of the
// repository-relative file f.
func (r *Repo) owner(f string) *Module {
	var best *Module
	for _, m := range r.Modules {
		if _, ok := underDir(m.Dir, f); ok && (best == nil || len(m.Dir) > len(best.Dir) || best.Dir == ".") {
			best = m
		}
	}
	return best
}

func underDir(dir, f string) (string, bool) {
	if dir == "." {
		return f, true
	}
	rel, ok := strings.CutPrefix(f, dir+"/")
	return rel, ok
}
