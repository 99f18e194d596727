//go:build !unix

package main

import (
	"errors"
	"os"
)

// canExecInPlace: Windows has no exec(2); driftless exec always runs the
// command as its child and exits with the command's exit code.
const canExecInPlace = false

func execInPlace(string, []string, []string) error { return errors.ErrUnsupported }

// forwardSignals: only Ctrl-C and Ctrl-Break (os.Interrupt) reach driftless,
// and none can be forwarded: the console delivers them to the command too.
var forwardSignals = []os.Signal{os.Interrupt}

// foregroundTerminal: the console, not driftless, delivers Ctrl-C to the
// command.
func foregroundTerminal(*os.File) bool { return true }
