//go:build unix && !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package main

import "os"

// foregroundTerminal: where the foreground process group of a terminal
// cannot be read (TIOCGPGRP), driftless assumes it is not in it and
// forwards every signal; a command in a terminal may then get Ctrl-C twice.
func foregroundTerminal(*os.File) bool { return false }
