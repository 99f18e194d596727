package driftless

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/internal/fileread"
)

// fileReader is the built-in provider for file:// references: it reads the
// file on each fetch, bounded (see WithReadFile and WithMaxFileSize).
// providers/files adds watching and directory sources.
type fileReader struct {
	read    func(context.Context, string) ([]byte, error) // nil: fileread.Read
	maxSize int64
}

// CheckRef accepts an absolute path with no query.
func (p fileReader) CheckRef(ref driver.Ref) error {
	if ref.Query != "" {
		return &driver.RefError{Scheme: ref.Scheme, Reason: "file references take no query parameters"}
	}
	if !strings.HasPrefix(ref.Name, "/") {
		return &driver.RefError{Scheme: ref.Scheme, Reason: "want an absolute path: file:///path"}
	}
	return nil
}

// Fetch reads the file ref.Name. The version is keyed (fileread.Version):
// it shows a change without telling anything about the content.
func (p fileReader) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("reading file %s: %w", ref.Name, err)
	}
	b, err := p.readFile(ctx, ref.Name)
	if err != nil {
		switch {
		case fileread.IsNotFound(err):
			return driver.Value{}, fmt.Errorf("%w: %w", ErrNotFound, err)
		case errors.Is(err, fs.ErrPermission):
			return driver.Value{}, fmt.Errorf("%w: %w", ErrPermission, err)
		case errors.Is(err, fileread.ErrTooLarge):
			return driver.Value{}, fmt.Errorf("%w: %w (see WithMaxFileSize)", ErrInvalidRef, err)
		case errors.Is(err, fileread.ErrNotRegular):
			return driver.Value{}, fmt.Errorf("%w: %w", ErrInvalidRef, err)
		}
		return driver.Value{}, err
	}
	return driver.Value{Data: b, Version: fileread.Version(b)}, nil
}

// readFile reads path with the bounded reader, or with the WithReadFile
// function, whose errors are then made to name the path as the bounded
// reader's do, and whose content is held to the same limit.
func (p fileReader) readFile(ctx context.Context, path string) ([]byte, error) {
	if p.read == nil {
		b, _, err := fileread.Read(ctx, path, p.maxSize)
		return b, err
	}
	b, err := p.read(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", path, scrubPathErr(err))
	}
	if int64(len(b)) > p.maxSize {
		return nil, fmt.Errorf("file %s is larger than %d bytes: %w", path, p.maxSize, fileread.ErrTooLarge)
	}
	return b, nil
}

// scrubPathErr keeps the os error's kind and drops nothing secret (a path
// error holds only the path and the cause).
func scrubPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
