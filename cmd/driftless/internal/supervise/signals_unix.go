//go:build unix

package supervise

import (
	"os"
	"syscall"
)

// CanStopGracefully reports whether a child can be asked to exit (SIGTERM)
// before it is killed. Restarts rely on it.
const CanStopGracefully = true

// askToStop asks p to exit gracefully.
func askToStop(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// forwardable reports whether sig is sent on to the child: every signal,
// except those a terminal delivers to its whole foreground process group
// (Ctrl-C, Ctrl-\, a resize) when driftless runs in that group.
func forwardable(sig os.Signal, terminal bool) bool {
	if terminal {
		switch sig {
		case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGWINCH:
			return false
		}
	}
	return true
}

// terminating reports whether sig asks driftless itself to stop.
func terminating(sig os.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT:
		return true
	}
	return false
}
