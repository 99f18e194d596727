package main

import (
	"bytes"
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// workspace returns the modules that go.work ties together: every module
// that requires a sibling or is required by one. A module connected to no
// sibling (internal/vaultserver, which pins Vault's own dependency graph,
// and internal/release) stays out: it builds alone, with GOWORK=off, so
// that no other module's requirements move its versions.
func (r *Repo) workspace() []*Module {
	in := map[*Module]bool{}
	for _, m := range r.Modules {
		for _, req := range r.siblingRequires(m) {
			in[m] = true
			in[r.byPath(req.Path)] = true
		}
	}
	var out []*Module
	for _, m := range r.Modules {
		if in[m] {
			out = append(out, m)
		}
	}
	return out
}

// goWork renders the go.work file for the repository: a use line per
// workspace module, and a replace line per sibling requirement so that a
// version required before it is published (the next release's) resolves to
// the working tree. Module go.mod files carry no replace lines.
func (r *Repo) goWork() []byte {
	ws := r.workspace()
	goLine := "1.21"
	for _, m := range ws {
		if m.Go != "" && version.Compare("go"+m.Go, "go"+goLine) > 0 {
			goLine = m.Go
		}
	}
	var b bytes.Buffer
	b.WriteString("// Development only: ties the modules together. Generated from the go.mod\n")
	b.WriteString("// files by `make work`; `make test` fails when it is out of date.\n")
	fmt.Fprintf(&b, "go %s\n\nuse (\n", goLine)
	for _, m := range ws {
		fmt.Fprintf(&b, "\t%s\n", dotSlash(m.Dir))
	}
	b.WriteString(")\n")
	type rep struct{ path, version, dir string }
	var reps []rep
	for _, m := range ws {
		for _, req := range r.siblingRequires(m) {
			x := rep{req.Path, req.Version, dotSlash(r.byPath(req.Path).Dir)}
			if !slices.Contains(reps, x) {
				reps = append(reps, x)
			}
		}
	}
	slices.SortFunc(reps, func(a, b rep) int {
		return strings.Compare(a.path+" "+a.version, b.path+" "+b.version)
	})
	if len(reps) > 0 {
		b.WriteString("\n// The versions the modules require of each other resolve to the working tree,\n")
		b.WriteString("// published or not.\nreplace (\n")
		for _, x := range reps {
			fmt.Fprintf(&b, "\t%s %s => %s\n", x.path, x.version, x.dir)
		}
		b.WriteString(")\n")
	}
	return b.Bytes()
}

func dotSlash(dir string) string {
	if dir == "." {
		return "."
	}
	return "./" + dir
}

// inWorkspace reports whether the module in dir (relative to the
// repository root) is a workspace module.
func (r *Repo) inWorkspace(dir string) bool {
	return slices.ContainsFunc(r.workspace(), func(m *Module) bool { return m.Dir == dir })
}

// runWork writes go.work, or with check set fails when go.work differs
// from what the go.mod files call for.
func runWork(r *Repo, check bool) error {
	want := r.goWork()
	file := filepath.Join(r.Root, "go.work")
	if !check {
		return os.WriteFile(file, want, 0o644)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("go.work: %w (run make work)", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("go.work is out of date with the go.mod files: run make work and commit it")
	}
	return nil
}
