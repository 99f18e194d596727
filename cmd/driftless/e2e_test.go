package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bin is the driftless binary built once by TestMain; every test drives it
// as a user would.
var bin string

// childMode is the variable that turns the test binary into the child
// process that driftless exec runs (see child).
const childMode = "DRIFTLESS_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childMode); mode != "" {
		os.Exit(child(mode))
	}
	dir, err := os.MkdirTemp("", "driftless-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	bin = filepath.Join(dir, "driftless")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building driftless: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// child is the test binary run by driftless exec. Modes:
//
//	env    print KEY=value for each key of DRIFTLESS_TEST_KEYS (comma
//	       separated), then exit with DRIFTLESS_TEST_EXIT (default 0)
//	split  write the value of DRIFTLESS_TEST_KEYS's first key to stdout and
//	       to stderr in two writes each, cut in the middle
//	encode print each key's value in the forms of encodedForms, one per
//	       line ("KEY.N=form") to stdout and to stderr, each in two writes
//	serve  print "pid=PID" and the keys as env does, then wait for SIGTERM,
//	       print "term" and exit 0; with DRIFTLESS_TEST_IGNORE_TERM=1 it
//	       ignores SIGTERM (and is killed)
func child(mode string) int {
	keys := strings.Split(os.Getenv("DRIFTLESS_TEST_KEYS"), ",")
	printKeys := func() {
		for _, k := range keys {
			if k != "" {
				fmt.Printf("%s=%s\n", k, os.Getenv(k))
			}
		}
	}
	switch mode {
	case "env":
		printKeys()
		code, _ := strconv.Atoi(os.Getenv("DRIFTLESS_TEST_EXIT"))
		return code
	case "split":
		v := os.Getenv(keys[0])
		for _, f := range []*os.File{os.Stdout, os.Stderr} {
			_, _ = f.WriteString("before " + v[:len(v)/2])
			_ = f.Sync()
			_, _ = f.WriteString(v[len(v)/2:] + " after\n")
		}
		return 0
	case "encode":
		for _, k := range keys {
			for i, f := range encodedForms(os.Getenv(k)) {
				for _, out := range []*os.File{os.Stdout, os.Stderr} {
					// Two writes, cut in the middle of the value.
					_, _ = fmt.Fprintf(out, "%s.%d=%s", k, i, f[:len(f)/2])
					_ = out.Sync()
					_, _ = fmt.Fprintf(out, "%s\n", f[len(f)/2:])
				}
			}
		}
		return 0
	case "serve":
		sigs := make(chan os.Signal, 1)
		if os.Getenv("DRIFTLESS_TEST_IGNORE_TERM") == "1" {
			signal.Ignore(syscall.SIGTERM)
		} else {
			signal.Notify(sigs, syscall.SIGTERM)
		}
		fmt.Printf("pid=%d\n", os.Getpid())
		printKeys()
		<-sigs
		fmt.Println("term")
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown child mode %q\n", mode)
	return 99
}

// encodedForms returns v as programs commonly print it (raw, JSON-escaped,
// base64, hex, URL-encoded) and, when v is a JSON object, each of its
// string members in the same forms.
func encodedForms(v string) []string {
	forms := func(s string) []string {
		q, _ := json.Marshal(s)
		return []string{
			s,
			string(q[1 : len(q)-1]),
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)),
			hex.EncodeToString([]byte(s)),
			strings.ToUpper(hex.EncodeToString([]byte(s))),
			url.QueryEscape(s),
			url.PathEscape(s),
		}
	}
	out := forms(v)
	var obj map[string]any
	if json.Unmarshal([]byte(v), &obj) == nil {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if m, ok := obj[k].(string); ok {
				out = append(out, forms(m)...)
			}
		}
	}
	return out
}

// selfPath is the test binary, used as the child of driftless exec.
func selfPath(t *testing.T) string {
	t.Helper()
	p, err := os.Executable()
	require.NoError(t, err)
	return p
}

// baseEnv is a clean environment for the binary: PATH, a HOME of its own
// (so no user git or cloud configuration leaks in), and no cloud metadata
// lookups.
func baseEnv(t testing.TB, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
	}
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	code           int
}

// output is stdout and stderr together, for "never contains" checks.
func (r result) output() string { return r.stdout + r.stderr }

// runCLI runs the binary in dir with env and returns its output and exit
// code.
func runCLI(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err, "running driftless")
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// writeFile writes content to dir/name with mode 0600.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	require.NoError(t, os.Chmod(p, 0o600))
	return p
}

// canary returns a value that must never appear in output other than the
// child's own.
func canary(name string) string { return "canary-" + name + "-Zq7xW3" }

// lines reads r line by line into a channel (closed at EOF).
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// waitLine returns the first line from ch that satisfies ok, failing the
// test if ch closes or a minute passes first.
func waitLine(t *testing.T, ch <-chan string, what string, ok func(string) bool) string {
	t.Helper()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	for {
		select {
		case l, open := <-ch:
			require.Truef(t, open, "output ended before %s", what)
			if ok(l) {
				return l
			}
		case <-timeout.C:
			require.FailNow(t, fmt.Sprintf("no %s within a minute", what))
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, cmd := range []string{"check", "exec", "explain", "diff"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, dir, baseEnv(t), cmd, "--help")
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stdout, "Usage: driftless "+cmd)
			require.Contains(t, r.stdout, "Exit codes:")
			require.Empty(t, r.stderr)
		})
	}
	r := runCLI(t, dir, baseEnv(t), "--help")
	require.Equal(t, 0, r.code)
	require.Contains(t, r.stdout, "DRIFTLESS_AZKV_ENDPOINT")

	for _, args := range [][]string{nil, {"nope"}, {"check", "--nope"}, {"diff", "one"}, {"exec"}, {"explain", "stray"}} {
		r := runCLI(t, dir, baseEnv(t), args...)
		require.Equal(t, 2, r.code, "args %q", args)
		require.NotEmpty(t, r.stderr, "args %q", args)
	}
}

// syncBuffer is a bytes.Buffer safe for a child's writer and a test reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// running is a driftless process started in the background.
type running struct {
	cmd    *exec.Cmd
	stdout io.Reader
	stderr *syncBuffer
}

// execCommand starts the binary with args and kills it at the end of the
// test if it is still running.
func execCommand(t *testing.T, dir string, env []string, args ...string) *running {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	r := &running{cmd: cmd, stdout: stdout, stderr: &syncBuffer{}}
	cmd.Stderr = r.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return r
}

// stop sends SIGTERM and requires a clean exit (the child exits 0 on it).
func (r *running) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, r.cmd.Wait(), r.stderr.String())
}
