// Command release holds the repository's release machinery, run by make:
//
//	go run ./internal/release modules [-released]   list the modules (found by their go.mod)
//	go run ./internal/release work [-check]          write (or check) go.work from the go.mod files
//	go run ./internal/release rehearse               release every released module into a local
//	                                                 module proxy and use it as a user would,
//	                                                 then run the API check (as apidiff)
//	go run ./internal/release apidiff                API compatibility of each released module
//	                                                 between its last tag and the working tree
//	go run ./internal/release crossbuild             build the released modules for every
//	                                                 GOOS/GOARCH pair users run
//	go run ./internal/release tags                   the git tags of the next release
//
// A module is released unless it lies under an internal/ directory or its
// go.mod has a comment line starting with "driftless:unreleased". The
// released modules are tagged together, each with its directory as the tag
// prefix (v0.1.0, providers/awssm/v0.1.0, cmd/driftless/v0.1.0), at the
// version their go.mod files require of each other.
//
// It runs from anywhere inside the repository, with GOWORK=off (the module
// stands alone: it is no part of the workspace).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: release modules|work|rehearse|apidiff|crossbuild|tags [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "release %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	rootDir := fs.String("root", "", "repository root (default: the git top level of the current directory)")
	released := fs.Bool("released", false, "modules: only the released ones")
	workspace := fs.Bool("workspace", false, "modules: only the workspace (go.work) ones")
	check := fs.Bool("check", false, "work: fail when go.work is out of date instead of writing it")
	quickstart := fs.String("quickstart", "examples/quickstart", "rehearse: the example a user builds first (repository-relative; empty: none)")
	keep := fs.Bool("keep", false, "rehearse, apidiff: keep the temporary proxy and modules, and print where")
	base := fs.String("base", "", "apidiff: compare against this version of every released module instead of its last tag")
	noAPI := fs.Bool("noapi", false, "rehearse: skip the API check (which otherwise follows, reusing the rehearsal's proxy)")
	targets := fs.String("targets", "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64", "crossbuild: GOOS/GOARCH pairs")
	_ = fs.Parse(args)

	root := *rootDir
	if root == "" {
		out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
		if err != nil {
			return fmt.Errorf("not in a git repository (pass -root): %w", err)
		}
		root = strings.TrimSpace(string(out))
	}
	r, err := findRepo(root)
	if err != nil {
		return err
	}
	start := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[%5.1fs] "+format+"\n", append([]any{time.Since(start).Seconds()}, a...)...)
	}

	switch cmd {
	case "modules":
		for _, m := range r.Modules {
			if (*released && !m.Released) || (*workspace && !r.inWorkspace(m.Dir)) {
				continue
			}
			fmt.Println(dotSlash(m.Dir))
		}
		return nil
	case "work":
		return runWork(r, *check)
	case "tags":
		v, err := r.releaseVersion()
		if err != nil {
			return err
		}
		for _, m := range r.Released() {
			fmt.Printf("%s%s\n", m.TagPrefix(), v)
		}
		return nil
	case "rehearse":
		h, err := rehearse(ctx, r, *quickstart, logf)
		if h != nil {
			defer h.done(*keep, logf)
		}
		if err != nil {
			return err
		}
		logf("rehearsal of %s passed: %d modules", h.Version, len(r.Released()))
		if *noAPI {
			return nil
		}
		return runAPIDiff(ctx, r, *base, h, *keep, logf)
	case "apidiff":
		return runAPIDiff(ctx, r, *base, nil, *keep, logf)
	case "crossbuild":
		return crossbuild(ctx, r, strings.Split(*targets, ","), logf)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// done removes the rehearsal's files, or with keep says where they are.
func (h *rehearsal) done(keep bool, logf func(string, ...any)) {
	if keep {
		logf("kept %s (proxy: %s)", h.Tmp, filepath.Join(h.Tmp, "proxy"))
		return
	}
	h.cleanup()
}
