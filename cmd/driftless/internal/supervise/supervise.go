package supervise

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Config describes the child to run.
type Config struct {
	// Path is the executable, Args its arguments (Args[0] is its name).
	Path string
	Args []string
	// Stdin, Stdout and Stderr are the child's standard streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Grace is how long a child may take to exit after SIGTERM before it
	// is killed with SIGKILL.
	Grace time.Duration
	// Signals delivers the signals driftless receives; each is forwarded
	// to the child. A terminating signal (SIGINT, SIGTERM, SIGHUP,
	// SIGQUIT) also stops restarts: driftless exits with the child.
	Signals <-chan os.Signal
	// Terminal says that driftless runs in the foreground of a terminal,
	// in the child's process group: the terminal itself delivers SIGINT,
	// SIGQUIT and SIGWINCH (Ctrl-C, Ctrl-\, a resize) to the child, so
	// they are not forwarded again (a second SIGINT would force-quit many
	// programs in the middle of a graceful shutdown).
	Terminal bool
	// Restarts delivers new environments; on each, the running child is
	// stopped gracefully and a new one started with that environment.
	Restarts <-chan []string
	// Log reports restarts (never values); nil for none.
	Log func(format string, args ...any)
}

// ExitCode returns the status a shell would report for a child that ended
// with state: its exit code, or 128 plus the signal that killed it.
func ExitCode(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}

// errNoGracefulStop is askToStop's answer where a child can only be killed.
var errNoGracefulStop = errors.New("this platform cannot ask a process to exit gracefully")

type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (c Config) start(env []string) (*child, error) {
	cmd := &exec.Cmd{Path: c.Path, Args: c.Args, Env: env, Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr,
		// A grandchild that keeps the output pipe open must not keep
		// driftless waiting once the child itself has exited.
		WaitDelay: 2 * time.Second}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{cmd: cmd, done: make(chan struct{})}
	go func() {
		ch.err = cmd.Wait()
		close(ch.done)
	}()
	return ch, nil
}

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		c.Log(format, args...)
	}
}

// Run starts the child with env and supervises it until it exits without
// a restart pending. It returns the child's exit code (see ExitCode), or
// an error when a child could not be started.
func Run(c Config, env []string) (int, error) {
	ch, err := c.start(env)
	if err != nil {
		return 0, err
	}
	stopping := false
	for {
		select {
		case <-ch.done:
			return exitCode(ch)
		case sig := <-c.Signals:
			c.forward(ch, sig)
			if terminating(sig) {
				stopping = true
			}
		case newEnv := <-c.Restarts:
			if stopping {
				continue
			}
			c.logf("restarting the command: sending SIGTERM (grace period %s)", c.Grace)
			if c.stop(ch) {
				return exitCode(ch)
			}
			if ch, err = c.start(newEnv); err != nil {
				return 0, fmt.Errorf("restarting: %w", err)
			}
			c.logf("restarted the command (pid %d)", ch.cmd.Process.Pid)
		}
	}
}

// stop ends ch gracefully: SIGTERM, then SIGKILL after the grace period.
// Signals that arrive meanwhile are forwarded; it returns true when one of
// them asked driftless to stop too.
func (c Config) stop(ch *child) (stopping bool) {
	grace := c.Grace
	if err := askToStop(ch.cmd.Process); errors.Is(err, errNoGracefulStop) {
		c.logf("%v: killing the command", err)
		grace = 0
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	for {
		select {
		case <-ch.done:
			return stopping
		case sig := <-c.Signals:
			c.forward(ch, sig)
			stopping = stopping || terminating(sig)
		case <-t.C:
			c.logf("the command did not exit within %s of SIGTERM: sending SIGKILL", c.Grace)
			_ = ch.cmd.Process.Kill()
		}
	}
}

// forward sends sig to the child, unless the terminal (or on Windows the
// console) already did.
func (c Config) forward(ch *child, sig os.Signal) {
	if forwardable(sig, c.Terminal) {
		_ = ch.cmd.Process.Signal(sig)
	}
}

func exitCode(ch *child) (int, error) {
	var ee *exec.ExitError
	if ch.err == nil || errors.As(ch.err, &ee) {
		return ExitCode(ch.cmd.ProcessState), nil
	}
	// An I/O error copying the child's output; the child still exited.
	if ch.cmd.ProcessState != nil {
		return ExitCode(ch.cmd.ProcessState), nil
	}
	return 0, ch.err
}
