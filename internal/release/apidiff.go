package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
	"golang.org/x/tools/go/packages"
)

// loadAPI loads the API of the module modPath in dir: the types of its
// packages that users can import (not main, not internal).
func loadAPI(ctx context.Context, dir, modPath string, env []string) (*apidiff.Module, error) {
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName, Dir: dir, Env: env}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("listing %s in %s: %w", modPath, dir, err)
	}
	var paths []string
	for _, p := range pkgs {
		if p.Name != "main" && !isInternal(p.PkgPath) {
			paths = append(paths, p.PkgPath)
		}
	}
	m := &apidiff.Module{Path: modPath}
	if len(paths) == 0 {
		return m, nil // commands only: no API
	}
	cfg.Mode |= packages.NeedTypes
	if pkgs, err = packages.Load(cfg, paths...); err != nil {
		return nil, fmt.Errorf("loading %s in %s: %w", modPath, dir, err)
	}
	var errs []error
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, fmt.Errorf("%s: %v", p.PkgPath, e))
		}
		if p.Types != nil {
			m.Packages = append(m.Packages, p.Types)
		}
	}
	return m, errors.Join(errs...)
}

func isInternal(pkgPath string) bool {
	return slices.Contains(strings.Split(pkgPath, "/"), "internal")
}

// lastTag returns the highest semantic version among m's tags, or "".
func (r *Repo) lastTag(m *Module) (string, error) {
	cmd := exec.Command("git", "tag", "--list", m.TagPrefix()+"v*")
	cmd.Dir = r.Root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git tag --list: %w", err)
	}
	best := ""
	for t := range strings.FieldsSeq(string(out)) {
		v := strings.TrimPrefix(t, m.TagPrefix())
		if semver.IsValid(v) && (best == "" || semver.Compare(v, best) > 0) {
			best = v
		}
	}
	return best, nil
}

// minNext returns the lowest version that may follow last given the
// changes: a new major version for incompatible changes from v1 on (a new
// minor one before v1), a new minor version for compatible additions, a
// patch otherwise.
func minNext(last string, incompatible, additions bool) string {
	var major, minor, patch int
	fmt.Sscanf(semver.Canonical(last), "v%d.%d.%d", &major, &minor, &patch)
	switch {
	case incompatible && major >= 1:
		return fmt.Sprintf("v%d.0.0", major+1)
	case incompatible || additions:
		return fmt.Sprintf("v%d.%d.0", major, minor+1)
	default:
		return fmt.Sprintf("v%d.%d.%d", major, minor, patch+1)
	}
}

// judge decides on a module's report between its last release (base) and
// the next release version: an error when next is too low for the changes.
// When next is not above base, nothing is being released yet and the
// changes are only reported, with the version they will call for.
func judge(mod, base, next string, rep apidiff.Report) (note string, err error) {
	var incompatible, additions bool
	for _, c := range rep.Changes {
		if c.Compatible {
			additions = true
		} else {
			incompatible = true
		}
	}
	if !incompatible && !additions {
		return "no API change", nil
	}
	need := minNext(base, incompatible, additions)
	kind := "compatible additions"
	if incompatible {
		kind = "incompatible changes"
	}
	if semver.Compare(next, base) <= 0 {
		return fmt.Sprintf("%s; the next release must be %s or later", kind, need), nil
	}
	if semver.Compare(next, need) < 0 {
		return "", fmt.Errorf("%s: %s since %s call for %s or later, but the go.mod files release %s:\n%s", mod, kind, base, need, next, rep)
	}
	return fmt.Sprintf("%s; %s is fine", kind, next), nil
}

// runAPIDiff compares the API of every released module in the working tree
// with its last tag (or with base, when given). A module never tagged is
// compared with the zip of the working tree in a local proxy, as the
// rehearsal makes it: the check then runs end to end and must find no
// change. h, when not nil, is a finished rehearsal whose proxy and module
// cache are reused.
func runAPIDiff(ctx context.Context, r *Repo, base string, h *rehearsal, keep bool, logf func(string, ...any)) error {
	next, err := r.releaseVersion()
	if err != nil {
		return err
	}
	// The old side of each module: its last tag (or base), else the zip
	// of the working tree.
	bases := map[*Module]string{}
	for _, m := range r.Released() {
		v := base
		if v == "" {
			if v, err = r.lastTag(m); err != nil {
				return err
			}
		}
		bases[m] = v
		if v == next {
			h = nil // the rehearsal's zips of next are the working tree's, not the tag's
		}
	}
	if h == nil {
		tmp, err := os.MkdirTemp("", "driftless-apidiff-")
		if err != nil {
			return err
		}
		proxy, err := newProxy(filepath.Join(tmp, "proxy"))
		if err != nil {
			return err
		}
		h = &rehearsal{Version: next, Proxy: proxy, Env: consumerEnv(proxy, r.byDir(".").Path, tmp, logf), Tmp: tmp}
		defer h.done(keep, logf)
	}
	files, err := r.trackedFiles()
	if err != nil {
		return err
	}
	type side struct {
		mv    module.Version
		label string
	}
	olds := map[*Module]side{}
	for _, m := range r.Released() {
		if v := bases[m]; v != "" {
			mv := module.Version{Path: m.Path, Version: v}
			if err := h.Proxy.AddFromVCS(r, m, v); err != nil {
				return err
			}
			olds[m] = side{mv, m.TagPrefix() + v}
			continue
		}
		mv := module.Version{Path: m.Path, Version: next}
		if _, ok := h.Proxy.Hash(mv); !ok {
			if err := h.Proxy.Add(r, m, files, next); err != nil {
				return err
			}
		}
		olds[m] = side{mv, "the zip of the working tree (never tagged)"}
	}
	var errs []error
	for _, m := range r.Released() {
		old := olds[m]
		oldDir := filepath.Join(h.Tmp, "old", filepath.FromSlash(m.Dir))
		if err := zip.Unzip(oldDir, old.mv, h.Proxy.zipPath(old.mv)); err != nil {
			return fmt.Errorf("unzipping %s: %w", old.mv, err)
		}
		oldAPI, err := loadAPI(ctx, oldDir, m.Path, h.Env.env)
		if err != nil {
			return fmt.Errorf("%s (old): %w", old.mv, err)
		}
		newEnv := withEnv(os.Environ(), map[string]string{"GOWORK": r.gowork(m)})
		newAPI, err := loadAPI(ctx, filepath.Join(r.Root, filepath.FromSlash(m.Dir)), m.Path, newEnv)
		if err != nil {
			return fmt.Errorf("%s (working tree): %w", m.Path, err)
		}
		rep := apidiff.ModuleChanges(oldAPI, newAPI)
		base := old.mv.Version
		if bases[m] == "" {
			base = "v0.0.0" // never released: whatever the changes, next is a first release
		}
		note, err := judge(m.Path, base, next, rep)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		logf("%s: compared %d packages with %s: %s", m.Path, len(newAPI.Packages), old.label, note)
		if len(rep.Changes) > 0 {
			fmt.Fprint(os.Stderr, rep.String())
		}
	}
	return errors.Join(errs...)
}

// gowork is the GOWORK value to build the module m in the working tree.
func (r *Repo) gowork(m *Module) string {
	if r.inWorkspace(m.Dir) {
		return filepath.Join(r.Root, "go.work")
	}
	return "off"
}

// AddFromVCS zips m as git holds it at its tag for version v and
// publishes it in the proxy.
func (p *Proxy) AddFromVCS(r *Repo, m *Module, v string) error {
	mv := module.Version{Path: m.Path, Version: v}
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(p.Dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	zf, err := os.Create(filepath.Join(dir, v+".zip"))
	if err != nil {
		return err
	}
	defer zf.Close()
	subdir := m.Dir
	if subdir == "." {
		subdir = ""
	}
	if err := zip.CreateFromVCS(zf, mv, r.Root, m.TagPrefix()+v, subdir); err != nil {
		return fmt.Errorf("zipping %s from git: %w", mv, err)
	}
	cmd := exec.Command("git", "show", m.TagPrefix()+v+":"+filepath.ToSlash(filepath.Join(subdir, "go.mod")))
	cmd.Dir = r.Root
	gomod, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("reading go.mod of %s: %w", mv, err)
	}
	if err := os.WriteFile(filepath.Join(dir, v+".mod"), gomod, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, v+".info"), fmt.Appendf(nil, `{"Version":%q}`, v), 0o644)
}
