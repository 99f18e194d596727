//go:build unix

package main

import (
	"os"
	"syscall"
)

// canExecInPlace: driftless exec without --mask and --watch replaces
// itself with the command (exec(2)).
const canExecInPlace = true

// execInPlace replaces the driftless process with the command.
func execInPlace(path string, argv, env []string) error {
	return syscall.Exec(path, argv, env)
}

// forwardSignals are the signals exec forwards to a supervised command.
var forwardSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}
