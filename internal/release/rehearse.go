package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
)

// goEnv runs go commands with a fixed environment in a directory.
type goEnv struct {
	env []string
	log func(format string, args ...any)
}

// run runs go with args in dir and returns its standard output; on failure
// the error holds the command's output.
func (g *goEnv) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = g.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	g.log("go %s (%.1fs)", strings.Join(args, " "), time.Since(start).Seconds())
	if err != nil {
		return nil, fmt.Errorf("go %s in %s: %w\n%s%s", strings.Join(args, " "), dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// withEnv returns environ with the variables of set replacing their
// namesakes.
func withEnv(environ []string, set map[string]string) []string {
	out := slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		_, ok := set[k]
		return ok
	})
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// goEnvValue returns `go env NAME` as the caller's go command sees it.
func goEnvValue(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// consumerEnv is the environment of a user of the released modules:
// outside the repository and any workspace, with the module proxy in dir
// first. The driftless modules come only from that proxy (it holds them,
// so the go command never asks the next entry) and are never looked up in
// the checksum database (GONOSUMDB: they are not published); third-party
// modules come from the module cache of the caller (read as a file proxy,
// so a warm cache needs no network) and then from the caller's GOPROXY.
// GOMODCACHE is a fresh directory so that no earlier download of a
// driftless module (say, an earlier rehearsal of the same version) can
// stand in for the zips just made. With GOPROXY=off and a warm cache every
// step but go install works offline: go install pkg@version has no go.sum
// and checks third-party modules with the checksum database, which the go
// command reaches through the proxy.
func consumerEnv(p *Proxy, rootPath, tmp string, log func(string, ...any)) *goEnv {
	proxies := []string{p.URL()}
	if mc := goEnvValue("GOMODCACHE"); mc != "" {
		proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(mc, "cache", "download")))
	}
	upstream := goEnvValue("GOPROXY")
	if upstream == "" {
		upstream = "https://proxy.golang.org,direct"
	}
	proxies = append(proxies, upstream)
	return &goEnv{log: log, env: withEnv(os.Environ(), map[string]string{
		"GOWORK":      "off",
		"GOFLAGS":     "-mod=mod -trimpath",
		"GOPROXY":     strings.Join(proxies, ","),
		"GONOSUMDB":   rootPath,
		"GONOPROXY":   "",
		"GOPRIVATE":   "",
		"GOTOOLCHAIN": "local",
		"GOMODCACHE":  filepath.Join(tmp, "modcache"),
		"GOBIN":       filepath.Join(tmp, "bin"),
	})}
}

// rehearsal is the outcome of a rehearsal, for the API check to reuse.
type rehearsal struct {
	Version string
	Proxy   *Proxy
	Env     *goEnv
	Tmp     string
}

// cleanup removes the rehearsal's files (the module cache is read-only,
// so it goes through go clean).
func (h *rehearsal) cleanup() {
	_, _ = h.Env.run(context.Background(), h.Tmp, "clean", "-modcache")
	_ = os.RemoveAll(h.Tmp)
}

// rehearse releases every released module of r at the version the go.mod
// files require of each other into a local module proxy, and then, as a
// user outside the repository would: go gets each of them in a fresh
// module, builds all their packages and the quickstart and runs it, and go
// installs each command at that version and runs it with --help. It checks
// that every driftless module the builds used is the zip it made.
func rehearse(ctx context.Context, r *Repo, quickstart string, log func(string, ...any)) (*rehearsal, error) {
	v, err := r.releaseVersion()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "driftless-rehearsal-")
	if err != nil {
		return nil, err
	}
	proxy, err := newProxy(filepath.Join(tmp, "proxy"))
	if err != nil {
		return nil, err
	}
	root := r.byDir(".")
	if root == nil {
		return nil, errors.New("no module at the repository root")
	}
	h := &rehearsal{Version: v, Proxy: proxy, Env: consumerEnv(proxy, root.Path, tmp, log), Tmp: tmp}
	if err := h.run(ctx, r, quickstart); err != nil {
		return h, err
	}
	return h, nil
}

func (h *rehearsal) run(ctx context.Context, r *Repo, quickstart string) error {
	files, err := r.trackedFiles()
	if err != nil {
		return err
	}
	released := r.Released()
	var gosum []byte
	goLine := "1.21"
	for _, m := range released {
		if err := h.Proxy.Add(r, m, files, h.Version); err != nil {
			return err
		}
		h.Env.log("zipped %s@%s", m.Path, h.Version)
		if b, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(m.Dir), "go.sum")); err == nil {
			gosum = append(gosum, b...)
		}
		if m.Go != "" && version.Compare("go"+m.Go, "go"+goLine) > 0 {
			goLine = m.Go
		}
	}

	// A fresh module outside the repository. Its go.sum starts with the
	// released modules' own go.sum lines (checked when they were written),
	// so that a warm module cache needs no checksum database.
	consumer := filepath.Join(h.Tmp, "consumer")
	if err := os.MkdirAll(consumer, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(consumer, "go.mod"), fmt.Appendf(nil, "module example.com/consumer\n\ngo %s\n", goLine), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(consumer, "go.sum"), gosum, 0o644); err != nil {
		return err
	}
	args := []string{"get"}
	for _, m := range released {
		args = append(args, m.Path+"@"+h.Version)
	}
	if _, err := h.Env.run(ctx, consumer, args...); err != nil {
		return err
	}
	// Every package of every released module (fakes, the conformance
	// suite, the commands) builds as a dependency.
	args = []string{"build"}
	for _, m := range released {
		args = append(args, m.Path+"/...")
	}
	if _, err := h.Env.run(ctx, consumer, args...); err != nil {
		return err
	}
	if quickstart != "" {
		if err := h.quickstart(ctx, r, consumer, quickstart); err != nil {
			return err
		}
	}
	if err := h.verifySums(filepath.Join(consumer, "go.sum"), released); err != nil {
		return err
	}
	return h.install(ctx, r, released)
}

// quickstart copies the non-test Go files of the quickstart example into
// the consumer module, builds it and runs it.
func (h *rehearsal) quickstart(ctx context.Context, r *Repo, consumer, dir string) error {
	src := filepath.Join(r.Root, filepath.FromSlash(dir))
	ents, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("quickstart: %w", err)
	}
	dst := filepath.Join(consumer, "quickstart")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	n := 0
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("quickstart: no Go files in %s", dir)
	}
	if _, err := h.Env.run(ctx, consumer, "build", "-o", filepath.Join(h.Tmp, "quickstart.bin"), "./quickstart"); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(h.Tmp, "quickstart.bin"))
	cmd.Dir = h.Tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("running the quickstart built from the zips: %w\n%s", err, out)
	}
	h.Env.log("ran the quickstart built from the zips")
	return nil
}

// verifySums checks that the consumer's go.sum records, for every released
// module, the hash of the zip in the proxy: the build used those zips and
// nothing else.
func (h *rehearsal) verifySums(gosum string, released []*Module) error {
	b, err := os.ReadFile(gosum)
	if err != nil {
		return err
	}
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
			got[f[0]+"@"+f[1]] = f[2]
		}
	}
	for _, m := range released {
		mv := module.Version{Path: m.Path, Version: h.Version}
		want, _ := h.Proxy.Hash(mv)
		if got[mv.String()] != want {
			return fmt.Errorf("%s: the consumer's go.sum has %q, the rehearsal's zip is %s: the build did not use the zip", mv, got[mv.String()], want)
		}
	}
	return nil
}

// install runs go install <command>@version for every main package at the
// root of a released module, from a directory outside any module, and
// runs the installed command with --help. The binary's build information
// must name the zips' hashes.
func (h *rehearsal) install(ctx context.Context, r *Repo, released []*Module) error {
	outside := filepath.Join(h.Tmp, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		return err
	}
	for _, m := range released {
		if !isMainDir(filepath.Join(r.Root, filepath.FromSlash(m.Dir))) {
			continue
		}
		if _, err := h.Env.run(ctx, outside, "install", m.Path+"@"+h.Version); err != nil {
			return err
		}
		bin := filepath.Join(h.Tmp, "bin", filepath.Base(m.Path))
		if _, err := os.Stat(bin + ".exe"); err == nil {
			bin += ".exe"
		}
		cmd := exec.CommandContext(ctx, bin, "--help")
		cmd.Dir = outside
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) == 0 {
			return fmt.Errorf("%s --help, installed with go install %s@%s: %v\n%s", bin, m.Path, h.Version, err, out)
		}
		bi, err := h.Env.run(ctx, outside, "version", "-m", bin)
		if err != nil {
			return err
		}
		for _, dep := range released {
			want, _ := h.Proxy.Hash(module.Version{Path: dep.Path, Version: h.Version})
			if bytes.Contains(bi, []byte("\t"+dep.Path+"\t")) && !bytes.Contains(bi, []byte("\t"+dep.Path+"\t"+h.Version+"\t"+want)) {
				return fmt.Errorf("%s: its build information does not name %s %s %s:\n%s", bin, dep.Path, h.Version, want, bi)
			}
		}
		h.Env.log("go install %s@%s: the command runs", m.Path, h.Version)
	}
	return nil
}

// isMainDir reports whether the non-test Go files in dir are package main.
func isMainDir(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name == "main"
		}
	}
	return false
}

// byDir returns the module in dir, or nil.
func (r *Repo) byDir(dir string) *Module {
	for _, m := range r.Modules {
		if m.Dir == dir {
			return m
		}
	}
	return nil
}
