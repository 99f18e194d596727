//go:build !unix

package supervise

import "os"

// CanStopGracefully reports whether a child can be asked to exit before it
// is killed. Not here: Windows has no SIGTERM, a process can only be
// terminated (os.Process.Kill). The CLI refuses restarts (exec --watch).
const CanStopGracefully = false

// askToStop cannot ask; the caller kills p when the grace period ends.
func askToStop(*os.Process) error { return errNoGracefulStop }

// forwardable reports whether sig is sent on to the child: never. Windows
// cannot send signals to another process; the console delivers Ctrl-C and
// Ctrl-Break to every process attached to it, the child included.
func forwardable(os.Signal, bool) bool { return false }

// terminating reports whether sig asks driftless itself to stop.
func terminating(sig os.Signal) bool { return sig == os.Interrupt }
