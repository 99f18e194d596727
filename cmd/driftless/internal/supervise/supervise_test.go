//go:build unix

package supervise_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/driftless/driftless/cmd/driftless/internal/supervise"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sh(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	return p
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
		want   int
	}{
		{"success", "exit 0", 0},
		{"exit code", "exit 3", 3},
		{"killed by a signal", "kill -TERM $$", 128 + int(syscall.SIGTERM)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, err := supervise.Run(supervise.Config{
				Path: sh(t), Args: []string{"sh", "-c", tt.script},
				Stdout: io.Discard, Stderr: io.Discard, Grace: time.Second,
			}, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, code)
		})
	}
	_, err := supervise.Run(supervise.Config{Path: "/nonexistent/cmd", Args: []string{"cmd"}}, nil)
	assert.Error(t, err)
}

func TestRunRestartsAndForwards(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	sigs := make(chan os.Signal, 1)
	restarts := make(chan []string)
	// The first child waits for SIGTERM; the second exits 4 at once after
	// saying hello, unless it gets SIGUSR1 first.
	script := `trap 'echo term; exit 0' TERM; trap 'echo usr1; exit 5' USR1; echo "start $V"; [ "$V" = 2 ] && exit 4; while :; do sleep 1 & wait $!; done`
	done := make(chan int, 1)
	go func() {
		code, err := supervise.Run(supervise.Config{
			Path: sh(t), Args: []string{"sh", "-c", script},
			Stdout: pw, Stderr: io.Discard, Grace: time.Minute,
			Signals: sigs, Restarts: restarts,
		}, []string{"V=1"})
		assert.NoError(t, err)
		_ = pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	next := func() string { require.True(t, sc.Scan()); return sc.Text() }
	assert.Equal(t, "start 1", next())
	restarts <- []string{"V=2"}
	assert.Equal(t, "term", next())
	assert.Equal(t, "start 2", next())
	assert.Equal(t, 4, <-done)

	// Forwarding: a signal reaches the child, whose code is returned.
	pr, pw = io.Pipe()
	go func() {
		code, err := supervise.Run(supervise.Config{
			Path: sh(t), Args: []string{"sh", "-c", script},
			Stdout: pw, Stderr: io.Discard, Grace: time.Minute, Signals: sigs,
		}, []string{"V=1"})
		assert.NoError(t, err)
		_ = pw.Close()
		done <- code
	}()
	sc = bufio.NewScanner(pr)
	assert.Equal(t, "start 1", next())
	sigs <- syscall.SIGUSR1
	assert.Equal(t, "usr1", next())
	assert.Equal(t, 5, <-done)
}

func TestRunTerminalSignalsNotForwardedTwice(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	sigs := make(chan os.Signal, 2)
	script := `trap 'echo int; exit 6' INT; trap 'echo term; exit 0' TERM; echo ready; while :; do sleep 1 & wait $!; done`
	done := make(chan int, 1)
	go func() {
		code, err := supervise.Run(supervise.Config{
			Path: sh(t), Args: []string{"sh", "-c", script},
			Stdout: pw, Stderr: io.Discard, Grace: time.Minute, Signals: sigs, Terminal: true,
		}, nil)
		assert.NoError(t, err)
		_ = pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	require.True(t, sc.Scan())
	require.Equal(t, "ready", sc.Text())
	// The terminal delivered SIGINT to the child already (here: it did
	// not); driftless must not send it again. SIGTERM is forwarded.
	sigs <- syscall.SIGINT
	sigs <- syscall.SIGTERM
	require.True(t, sc.Scan())
	assert.Equal(t, "term", sc.Text())
	assert.Equal(t, 0, <-done)
}
