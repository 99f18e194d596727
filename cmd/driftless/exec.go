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
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
	"github.com/driftless/driftless/cmd/driftless/internal/mask"
	"github.com/driftless/driftless/cmd/driftless/internal/supervise"
)

const execText = `Runs CMD with the environment of driftless, the env files merged under it
(the process environment wins; among files the first listed wins), and
every value that is a reference (awssm://, awsps://, gcpsm://, azkv://,
vault://, sops://, file://) replaced by the secret it names. Each secret is
fetched once, providers concurrently. If any reference fails, every failure is listed
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
running command, is reported on stderr and retried with backoff. A value
whose lease the provider renews (Vault) is renewed rather than read anew.

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
	setup, cancelSetup := context.WithTimeout(context.Background(), *timeout)
	res, err := newResolver(setup, vars, backends.Factories(os.Getenv), resolverOptions(*timeout, *watch > 0)...)
	cancelSetup()
	if err != nil {
		logf("%v", err)
		return exitError
	}
	defer res.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var w *watcher
	var env, secrets []string
	var errs []error
	if *watch > 0 {
		w, errs = newWatcher(ctx, res, vars, *watch, *timeout, logf)
		if w != nil {
			defer w.Close()
			env, secrets = w.env()
		}
	} else {
		env, secrets, errs = resolveEnv(ctx, res, vars, *timeout)
	}
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

	if w != nil {
		restarts := make(chan []string)
		cfg.Restarts = restarts
		w.start(ctx, restarts, func(vals []string) {
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

// resolveEnv resolves the references among vars (within timeout) and
// returns the child's environment, the resolved secret values (for
// masking) and the failures: each reference that failed, and each value
// (plain or resolved) that holds a NUL byte.
func resolveEnv(ctx context.Context, res *resolver, vars []resolved, timeout time.Duration) (env, secrets []string, errs []error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errs = res.resolve(ctx, vars)
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

// execSnapshot is one resolution of exec --watch: the values and versions
// of the references, by key, and the command's environment.
type execSnapshot struct {
	Values   map[string]string `env:"DRIFTLESS_EXEC_VALUES" secret:"true"`
	Versions map[string]string `env:"DRIFTLESS_EXEC_VERSIONS"`

	environ []string // KEY=value, for the command
	secrets []string // the resolved values, for the masks
}

// passError holds the failures of one resolution.
type passError struct{ errs []error }

func (e *passError) Error() string { return errors.Join(e.errs...).Error() }

// watcher keeps the references of exec --watch fresh with a driftless
// Handle over one resolver: the Handle re-resolves at the interval (its
// first pass at a random point of the first interval, so that commands
// started together do not fetch in step), backs off after a failure and
// keeps the last good values; a provider that watches (the files
// provider) triggers a pass at once.
type watcher struct {
	h    *driftless.Handle[execSnapshot]
	res  *resolver
	vars []resolved
	logf func(string, ...any)
}

// newWatcher resolves vars a first time and returns the watcher, or the
// failures of that first resolution.
func newWatcher(ctx context.Context, res *resolver, vars []resolved, every, timeout time.Duration, logf func(string, ...any)) (*watcher, []error) {
	w := &watcher{res: res, vars: vars, logf: logf}
	load := func(ctx context.Context) (*execSnapshot, error) {
		next := slices.Clone(vars)
		environ, secrets, errs := resolveEnv(ctx, res, next, timeout)
		if len(errs) > 0 {
			return nil, &passError{errs: errs}
		}
		s := &execSnapshot{Values: map[string]string{}, Versions: map[string]string{}, environ: environ, secrets: secrets}
		for _, v := range next {
			if v.IsRef {
				s.Values[v.Key], s.Versions[v.Key] = v.Value, v.Version
			}
		}
		return s, nil
	}
	h, err := driftless.NewHandleFunc(ctx, load, driftless.WithRefreshInterval(every))
	if err != nil {
		var pe *passError
		if errors.As(err, &pe) {
			return nil, pe.errs
		}
		return nil, []error{err}
	}
	w.h = h
	return w, nil
}

// env returns the current environment of the command and the values to
// mask.
func (w *watcher) env() (environ, secrets []string) {
	s := w.h.Current()
	return s.environ, s.secrets
}

// start starts the refresh: when a value changed it updates the masks
// (old values stay masked) and sends the new environment on restarts.
func (w *watcher) start(ctx context.Context, restarts chan<- []string, setMasks func([]string)) {
	_, masked := w.env()
	w.h.OnChange(func(ch driftless.Change[execSnapshot]) {
		changed := 0
		for _, v := range w.vars {
			if v.IsRef && ch.Old.Values[v.Key] != ch.New.Values[v.Key] {
				changed++
				w.logf("watch: %s (%s) changed: version %q -> %q", v.Key, v.Ref, ch.Old.Versions[v.Key], ch.New.Versions[v.Key])
			}
		}
		if changed == 0 {
			return
		}
		masked = append(masked, ch.New.secrets...)
		setMasks(masked)
		select {
		case restarts <- ch.New.environ:
		case <-ctx.Done():
		}
	})
	w.h.OnError(func(err error) {
		var pe *passError
		if !errors.As(err, &pe) {
			w.logf("watch: %v; the command keeps its current values", err)
			return
		}
		for _, err := range pe.errs {
			w.logf("watch: %v", err)
		}
		w.logf("watch: %s; the command keeps its current values", failureSummary(pe.errs))
	})
	if err := w.h.Start(ctx); err != nil {
		w.logf("watch: %v", err)
		return
	}
	// Providers that watch (mounted files) trigger a pass at once.
	trigger := make(chan struct{}, 1)
	go w.res.watch(ctx, w.vars, func() {
		select {
		case trigger <- struct{}{}:
		default:
		}
	}, func(scheme string, err error) {
		w.logf("watch: watching %s:// references: %v (polling continues)", scheme, err)
	})
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-trigger:
				_ = w.h.Refresh(ctx) // a failure reaches OnError
			}
		}
	}()
}

// Close stops the refresh.
func (w *watcher) Close() error { return w.h.Close() }
