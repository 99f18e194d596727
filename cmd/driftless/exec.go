package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/cmd/driftless/internal/mask"
	"github.com/driftless/driftless/cmd/driftless/internal/resolve"
	"github.com/driftless/driftless/cmd/driftless/internal/supervise"
)

const execText = `Runs CMD with the environment of driftless, the env files merged under it
(the process environment wins; among files the first listed wins), and
every value that is a reference (awssm://, gcpsm://, azkv://, vault://,
file://) replaced by the secret it names. Each secret is fetched once,
providers concurrently. If any reference fails, every failure is listed
(key, source, reference, cause; never a value) and nothing runs.

Without --env-file, ./.env is used when it exists.
Without --mask and --watch, driftless replaces itself with CMD (exec(2)):
signals and the exit code are the command's own. Otherwise driftless stays
as the parent, forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
and SIGWINCH, and exits with the command's exit code (128+N if signal N
killed it). In a terminal, Ctrl-C, Ctrl-\ and resizes reach the command
from the terminal itself and are not sent twice.

--mask replaces with [MASKED], in the command's stdout and stderr, every
resolved secret value, each string member of a secret that is a JSON
object or array, and each line of a multi-line one (each of 4 bytes or
more), and their JSON-escaped, base64, hex and URL-encoded forms, even
when split across writes. Other encodings, or values the command
transforms, are not caught (see the README).
--watch re-resolves the references at that interval; when a value changed
it stops the command gracefully (SIGTERM, then SIGKILL after --grace) and
starts it again with the new values. A failed re-resolution keeps the
running command and is reported on stderr.

On Windows there is no exec(2) and no POSIX signal: driftless always runs
CMD as its child and exits with its exit code; Ctrl-C and Ctrl-Break reach
CMD from the console, and no signal is forwarded. --watch is refused there
(exit 2): a restart needs SIGTERM to stop CMD gracefully.

Exit codes: the command's own; 2 usage error, a reference that failed or
a value holding a NUL byte (nothing ran); 126 the command exists but could
not be run; 127 it was not found (not in PATH, or no such file).
`

func runExec(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("exec", "[--env-file FILE]... [--mask] [--watch DURATION] [--grace DURATION] -- CMD [ARG...]", execText, stdout, stderr)
	var envFiles stringList
	fs.Var(&envFiles, "env-file", "a .env file to merge under the environment (repeatable; first listed wins)")
	maskOut := fs.Bool("mask", false, "mask resolved secret values in the command's stdout and stderr")
	watch := fs.Duration("watch", 0, "re-resolve references at this interval and restart the command when a value changed (0: never)")
	grace := fs.Duration("grace", 10*time.Second, "with --watch: how long the command may take to exit after SIGTERM before SIGKILL")
	timeout := fs.Duration("timeout", defaultTimeout, "bound on resolving the references")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	argv := fs.Args()
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "driftless exec: no command given (driftless exec [flags] -- CMD [ARG...])")
		return exitError
	}
	if *watch < 0 || *grace < 0 {
		fmt.Fprintln(stderr, "driftless exec: --watch and --grace must not be negative")
		return exitError
	}
	if *watch > 0 && !supervise.CanStopGracefully {
		fmt.Fprintf(stderr, "driftless exec: --watch is not supported on %s: a restart must stop the command gracefully (SIGTERM), which %s cannot do\n", runtime.GOOS, runtime.GOOS)
		return exitError
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "driftless exec: "+format+"\n", a...) }

	paths, optional := []string(envFiles), false
	if len(paths) == 0 {
		paths, optional = []string{".env"}, true
	}
	files, err := envchain.ParseFiles(paths, os.LookupEnv, optional)
	if err != nil {
		logf("%v", err)
		return exitError
	}
	set := envchain.Merge(os.Environ(), files, false, nil)
	vars := parseRefs(set.Vars, os.Getenv)
	res := newResolver()
	defer res.Close()

	env, secrets, errs := resolveEnv(res, vars, *timeout)
	if len(errs) > 0 {
		for _, err := range errs {
			logf("%v", err)
		}
		logf("%s; %s was not run", failureSummary(errs), argv[0])
		return exitError
	}

	path, err := exec.LookPath(argv[0])
	if err != nil {
		logf("%v", err)
		return lookPathExit(err)
	}

	if !*maskOut && *watch == 0 && canExecInPlace {
		err := execInPlace(path, argv, env)
		logf("running %s: %v", argv[0], err)
		return exitCannotRun
	}

	cfg := supervise.Config{Path: path, Args: argv, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Grace: *grace, Log: logf}
	var outMask, errMask *mask.Writer
	if *maskOut {
		outMask = mask.NewWriter(stdout, secrets)
		errMask = mask.NewWriter(stderr, secrets)
		cfg.Stdout, cfg.Stderr = outMask, errMask
		defer outMask.Close()
		defer errMask.Close()
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardSignals...)
	defer signal.Stop(sigs)
	cfg.Signals = sigs
	cfg.Terminal = foregroundTerminal(os.Stdin)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if *watch > 0 {
		restarts := make(chan []string)
		cfg.Restarts = restarts
		go watchRefs(ctx, res, vars, *watch, *timeout, restarts, logf, func(vals []string) {
			if outMask != nil {
				outMask.SetValues(vals)
				errMask.SetValues(vals)
			}
		})
	}
	code, err := supervise.Run(cfg, env)
	if err != nil {
		logf("running %s: %v", argv[0], err)
		return exitCannotRun
	}
	return code
}

// Exit codes of a command that cannot be run, as POSIX shells use them.
const (
	exitCannotRun = 126 // found but not executable (permissions, a directory, a bad format)
	exitNotFound  = 127 // not found: not in PATH, or the path names nothing
)

// lookPathExit returns the exit code for an error of exec.LookPath: 127
// when the command does not exist (a name not in PATH, or a path such as
// /nonexistent/program), 126 when it exists but cannot be run.
func lookPathExit(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return exitNotFound
	}
	return exitCannotRun
}

// nulError reports a variable whose value holds a NUL byte, which no
// environment variable can carry. It names the key, its source and the
// reference (if any), never the value.
type nulError struct {
	v resolved
}

func (e *nulError) Error() string {
	if e.v.IsRef {
		return fmt.Sprintf("%s (%s): %s: the secret holds a NUL byte, which an environment variable cannot carry", e.v.Key, e.v.Source, e.v.Ref)
	}
	return fmt.Sprintf("%s (%s): the value holds a NUL byte, which an environment variable cannot carry", e.v.Key, e.v.Source)
}

// failureSummary counts errs (from resolveEnv) by kind: failed
// references, and values an environment cannot carry.
func failureSummary(errs []error) string {
	var nul int
	for _, err := range errs {
		var ne *nulError
		if errors.As(err, &ne) {
			nul++
		}
	}
	var parts []string
	if n := len(errs) - nul; n > 0 {
		parts = append(parts, fmt.Sprintf("%d reference(s) failed", n))
	}
	if nul > 0 {
		parts = append(parts, fmt.Sprintf("%d value(s) hold a NUL byte", nul))
	}
	return strings.Join(parts, ", ")
}

// resolveEnv resolves the references among vars and returns the child's
// environment, the resolved secret values (for masking) and the failures:
// each reference that failed, and each value (plain or resolved) that
// holds a NUL byte.
func resolveEnv(res *resolve.Resolver, vars []resolved, timeout time.Duration) (env, secrets []string, errs []error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errs = resolveAll(ctx, res, vars)
	for _, v := range vars {
		if v.Err == nil && (strings.IndexByte(v.Key, 0) >= 0 || strings.IndexByte(v.Value, 0) >= 0) {
			errs = append(errs, &nulError{v: v})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	env = make([]string, 0, len(vars))
	for _, v := range vars {
		env = append(env, v.Key+"="+v.Value)
		if v.IsRef {
			secrets = append(secrets, v.Value)
		}
	}
	return env, secrets, nil
}

// watchRefs re-resolves vars every interval; when a value changed it
// updates the masks (old values stay masked) and sends the new environment
// on restarts.
func watchRefs(ctx context.Context, res *resolve.Resolver, vars []resolved, every, timeout time.Duration,
	restarts chan<- []string, logf func(string, ...any), setMasks func([]string)) {
	cur := append([]resolved(nil), vars...)
	var masked []string
	for _, v := range cur {
		if v.IsRef {
			masked = append(masked, v.Value)
		}
	}
	// Providers that watch (mounted files) trigger a re-resolution at once.
	trigger := make(chan struct{}, 1)
	var refs []driftless.Ref
	for _, v := range cur {
		if v.IsRef {
			refs = append(refs, v.Ref)
		}
	}
	go res.Watch(ctx, refs, func() {
		select {
		case trigger <- struct{}{}:
		default:
		}
	}, func(scheme string, err error) {
		logf("watch: watching %s:// references: %v (polling continues)", scheme, err)
	})
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-trigger:
		}
		next := make([]resolved, len(cur))
		copy(next, cur)
		for i := range next {
			if next[i].IsRef {
				next[i].Value, next[i].Version = "", ""
			}
		}
		env, secrets, errs := resolveEnv(res, next, timeout)
		if len(errs) > 0 {
			for _, err := range errs {
				logf("watch: %v", err)
			}
			logf("watch: %s; the command keeps its current values", failureSummary(errs))
			continue
		}
		changed := 0
		for i := range next {
			if next[i].IsRef && next[i].Value != cur[i].Value {
				changed++
				logf("watch: %s (%s) changed: version %q -> %q", next[i].Key, next[i].Ref, cur[i].Version, next[i].Version)
			}
		}
		if changed == 0 {
			continue
		}
		masked = append(masked, secrets...)
		setMasks(masked)
		select {
		case restarts <- env:
			cur = next
		case <-ctx.Done():
			return
		}
	}
}
