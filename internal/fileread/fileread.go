// Package fileread reads mounted secret files with bounds, for the core's
// built-in file reader and for providers/files: regular files only (after
// following symlinks), a size limit, and the context honoured. It also
// computes the version shown for a file's content, keyed so that it cannot
// be used to guess the content.
//
// Errors name the path, never the content. They wrap the cause, so
// callers classify them with errors.Is: IsNotFound, fs.ErrPermission,
// ErrNotRegular, ErrTooLarge, or the context's error.
package fileread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"
)

// DefaultMaxSize is the default size limit, in bytes: 1 MiB, the largest
// Kubernetes Secret (Docker caps a secret at 500 KB), which holds any
// real certificate bundle or JSON secret.
const DefaultMaxSize int64 = 1 << 20

var (
	// ErrNotRegular is wrapped by the error for a path that is a
	// directory, a named pipe, a device, a socket or anything else that is
	// not a regular file once symlinks are followed.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by the error for a file larger than the
	// size limit.
	ErrTooLarge = errors.New("size limit exceeded")
)

// Read reads the regular file at path, following symlinks, and returns its
// content and its metadata. It opens nothing that is not a regular file
// (a named pipe cannot block it, a device is never read), reads at most
// maxSize bytes (DefaultMaxSize if maxSize <= 0) and fails beyond, and
// returns as soon as ctx is done, with an error wrapping ctx.Err(), even
// when the file system does not answer.
func Read(ctx context.Context, path string, maxSize int64) ([]byte, fs.FileInfo, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	maxSize = min(maxSize, math.MaxInt64-1) // one byte more is read to see the limit passed
	type result struct {
		data []byte
		fi   fs.FileInfo
		err  error
	}
	r, err := await(ctx, func() result {
		data, fi, err := read(path, maxSize)
		return result{data, fi, err}
	}, func(r result) { clear(r.data) })
	if err != nil {
		return nil, nil, fmt.Errorf("reading file %s: %w", path, err)
	}
	return r.data, r.fi, r.err
}

// await runs fn in its own goroutine and returns its result, or ctx.Err()
// as soon as ctx is done: a read stuck in the kernel (a hung network file
// system) cannot hold the caller. A result that arrives after the caller
// gave up is passed to discard.
func await[T any](ctx context.Context, fn func() T, discard func(T)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	ch := make(chan T) // unbuffered: a result is either received or discarded
	go func() {
		r := fn()
		select {
		case ch <- r:
		case <-ctx.Done():
			discard(r)
		}
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// read opens path if it is a regular file and reads it, up to maxSize
// bytes.
func read(path string, maxSize int64) ([]byte, fs.FileInfo, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return readOpen(f, path, maxSize)
}

// openRegular opens path, following symlinks, if it is a regular file. It
// stats before opening, so that a device is never opened (opening one can
// have effects), and opens without blocking (see open), so that a file
// replaced by a named pipe between the two cannot block. A symlink that
// dangles for a moment is tried again: on a Kubernetes volume, key ->
// ..data/key resolves into the previous timestamped directory while the
// kubelet removes it, just after the swap.
func openRegular(path string) (*os.File, error) {
	var err error
	for range 3 {
		var fi fs.FileInfo
		fi, err = os.Stat(path)
		if err == nil {
			if err := checkMode(path, fi); err != nil {
				return nil, err
			}
			var f *os.File
			f, err = open(path)
			if err == nil {
				return f, nil
			}
		}
		if !IsNotFound(err) {
			break
		}
		if _, lerr := os.Lstat(path); lerr != nil {
			break // the name itself is gone: really not found
		}
	}
	return nil, pathErr(path, err)
}

// readOpen checks that the open file f is a regular file no larger than
// maxSize and reads it. It checks the open file itself: the path may name
// something else by now.
func readOpen(f *os.File, path string, maxSize int64) ([]byte, fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, pathErr(path, err)
	}
	if err := checkMode(path, fi); err != nil {
		return nil, nil, err
	}
	if fi.Size() > maxSize {
		return nil, nil, tooLarge(path, maxSize)
	}
	// The size is a hint (a file may grow, /proc reports 0): read to EOF,
	// but never more than maxSize+1 bytes.
	data := make([]byte, 0, fi.Size()+1)
	r := io.LimitReader(f, maxSize+1)
	for {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(int64(2*cap(data)+512), maxSize+1))
			copy(grown, data)
			clear(data)
			data = grown
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			clear(data)
			return nil, nil, pathErr(path, err)
		}
	}
	if int64(len(data)) > maxSize {
		clear(data)
		return nil, nil, tooLarge(path, maxSize)
	}
	return data, fi, nil
}

func checkMode(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	what := "something else"
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("file %s is %s: %w", path, what, ErrNotRegular)
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("file %s is larger than %d bytes: %w", path, limit, ErrTooLarge)
}

// IsNotFound reports whether err says that a file does not exist, or that
// its path goes through something that is not a directory.
func IsNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// pathErr names path and keeps the cause of an os error. A *fs.PathError
// holds only the operation, the path and the cause, never content.
func pathErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("file %s: %w", path, err)
}
