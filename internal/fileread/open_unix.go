//go:build unix

package fileread

import (
	"os"
	"syscall"
)

// open opens path for reading without blocking: O_NONBLOCK makes the open
// of a named pipe return at once (a blocking open waits for a writer), and
// O_NOCTTY keeps a terminal from becoming the controlling one. Neither
// changes how a regular file is read.
func open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
