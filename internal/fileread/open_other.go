//go:build !unix

package fileread

import "os"

// open opens path for reading. openRegular has checked that it is a
// regular file; readOpen checks the open file again.
func open(path string) (*os.File, error) { return os.Open(path) }
