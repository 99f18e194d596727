package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/driftless/driftless"
)

// Scheme is the reference scheme this provider serves: file:///abs/path.
const Scheme = "file"

// Defaults of the options.
const (
	// DefaultPollInterval is how often a watch reads every watched file
	// again, whatever the file-system events said.
	DefaultPollInterval = 30 * time.Second
	// DefaultDebounce is how long a watch waits after the first event of a
	// burst before it reads the files that the burst touched.
	DefaultDebounce = 100 * time.Millisecond
	// DefaultMaxSize is the largest file Fetch reads (Kubernetes caps a
	// Secret at 1 MiB, Docker a secret at 500 KB).
	DefaultMaxSize = 4 << 20
)

// The optional abilities a Handle looks for.
var (
	_ driftless.Watcher = (*Provider)(nil)
	_ driftless.Closer  = (*Provider)(nil)
)

// Option configures a Provider.
type Option func(*options)

type options struct {
	poll     time.Duration
	debounce time.Duration
	maxSize  int64
	trim     bool
}

// WithPollInterval sets how often a watch reads every watched file again
// and re-adds the watches on its directories, so that an event the
// operating system dropped (an inotify queue overflow, a directory that
// was replaced, a network file system that sends no events) is caught up
// within d. The default is DefaultPollInterval (30 seconds); d <= 0 keeps
// the default.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.poll = d
		}
	}
}

// WithDebounce sets how long a watch waits after the first event of a
// burst (the kubelet's swap of a Secret volume is four or five events)
// before it reads the files again, so one update is reported once. The
// default is DefaultDebounce (100 milliseconds); d < 0 means 0.
func WithDebounce(d time.Duration) Option {
	return func(o *options) { o.debounce = max(d, 0) }
}

// WithMaxSize sets the largest file, in bytes, that Fetch reads; a larger
// file is an error, so a reference to the wrong file (a log, a device)
// cannot exhaust memory. The default is DefaultMaxSize (4 MiB); n <= 0
// keeps the default.
func WithMaxSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// WithTrimNewline makes Fetch drop one trailing "\n" (or "\r\n") from
// every file, as the core does for NAME_FILE files: a secret written with
// echo, or a Kubernetes Secret created --from-file from such a file, then
// has no stray newline. The default is to return the bytes exactly as
// stored.
func WithTrimNewline() Option {
	return func(o *options) { o.trim = true }
}

// Provider reads mounted secret files for file:// references and watches
// them for changes. Create one with New; the zero value is not usable.
//
// A Provider is safe for concurrent use by multiple goroutines.
type Provider struct {
	o options

	mu     sync.Mutex
	closed bool
	stop   chan struct{} // closed by Close
	wg     sync.WaitGroup
	seen   map[string]string // path -> state last served by Fetch
}

// New returns a provider for file:// references. It reads nothing until
// the first Fetch and starts nothing until Watch.
func New(opts ...Option) *Provider {
	o := options{poll: DefaultPollInterval, debounce: DefaultDebounce, maxSize: DefaultMaxSize}
	for _, opt := range opts {
		opt(&o)
	}
	return &Provider{o: o, stop: make(chan struct{}), seen: map[string]string{}}
}

// Fetch reads the file that ref.Name names, following symlinks (the
// per-key links of a Kubernetes Secret volume). Value.Version is a short
// hash of the content, so two reads of the same bytes have the same
// version and a rewrite with new bytes a new one; Value.Created is the
// file's modification time.
//
// A file that does not exist (or a path through something that is not a
// directory) yields an error wrapping driftless.ErrNotFound; a file the
// process may not read, driftless.ErrPermission; a relative path, a
// directory, a device or a file larger than WithMaxSize,
// driftless.ErrInvalidRef. An empty file is an empty value, not a missing
// one. Errors name the path, never the content. Fetch honours ctx and
// returns an error wrapping driftless.ErrClosed after Close.
func (p *Provider) Fetch(ctx context.Context, ref driftless.Ref) (driftless.Value, error) {
	if err := ctx.Err(); err != nil {
		return driftless.Value{}, fmt.Errorf("files: reading %s: %w", ref.Name, err)
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return driftless.Value{}, fmt.Errorf("%w: files: reading %s", driftless.ErrClosed, ref.Name)
	}
	v, state, err := p.read(ref)
	if state != "" {
		p.mu.Lock()
		p.seen[ref.Name] = state
		p.mu.Unlock()
	}
	if err != nil {
		return driftless.Value{}, err
	}
	if err := ctx.Err(); err != nil {
		return driftless.Value{}, fmt.Errorf("files: reading %s: %w", ref.Name, err)
	}
	return v, nil
}

// Close stops every Watch of p and waits for them to return. Fetch and
// Watch after Close return an error wrapping driftless.ErrClosed. Close is
// safe to call more than once and always returns nil.
func (p *Provider) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.stop)
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

// String describes the provider.
func (p *Provider) String() string { return "files.Provider" }

// read reads ref's file and returns its value and its state: the version
// when it was read, or "!" and the reason it could not be ("!not found").
// The state is what a watch compares; it never holds content.
func (p *Provider) read(ref driftless.Ref) (driftless.Value, string, error) {
	path := ref.Name
	if ref.Scheme != "" && ref.Scheme != Scheme {
		return driftless.Value{}, "", fmt.Errorf("%w: files: %s: scheme %q is not %q", driftless.ErrInvalidRef, path, ref.Scheme, Scheme)
	}
	if ref.Query != "" {
		return driftless.Value{}, "", fmt.Errorf("%w: files: %s: file references take no query parameters", driftless.ErrInvalidRef, path)
	}
	if !filepath.IsAbs(path) {
		return driftless.Value{}, "", fmt.Errorf("%w: files: %q is not an absolute path (want file:///path)", driftless.ErrInvalidRef, path)
	}
	f, err := openRegular(path)
	if err != nil {
		return driftless.Value{}, failState(err), err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return driftless.Value{}, failState(err), pathErr(path, err)
	}
	if err := checkMode(path, fi); err != nil {
		return driftless.Value{}, "!not a regular file", err
	}
	if fi.Size() > p.o.maxSize {
		return driftless.Value{}, "!too large", tooLarge(path, p.o.maxSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, p.o.maxSize+1))
	if err != nil {
		return driftless.Value{}, failState(err), pathErr(path, err)
	}
	if int64(len(data)) > p.o.maxSize {
		return driftless.Value{}, "!too large", tooLarge(path, p.o.maxSize)
	}
	if p.o.trim {
		data = bytes.TrimSuffix(data, []byte("\n"))
		data = bytes.TrimSuffix(data, []byte("\r"))
	}
	version := versionOf(data)
	return driftless.Value{Data: data, Version: version, Created: fi.ModTime()}, version, nil
}

// openRegular opens path, following symlinks, if it is a regular file.
// It stats before opening so that a FIFO is never opened (which would
// block). A symlink that dangles for a moment is opened again: on a
// Kubernetes volume, key -> ..data/key resolves into the previous
// timestamped directory while the kubelet removes it, just after the swap.
func openRegular(path string) (*os.File, error) {
	var err error
	for try := 0; try < 3; try++ {
		var fi fs.FileInfo
		fi, err = os.Stat(path)
		if err == nil {
			if err := checkMode(path, fi); err != nil {
				return nil, err
			}
			var f *os.File
			f, err = os.Open(path)
			if err == nil {
				return f, nil
			}
		}
		if !isNotFound(err) {
			break
		}
		if _, lerr := os.Lstat(path); lerr != nil {
			break // the name itself is gone: really not found
		}
	}
	return nil, pathErr(path, err)
}

func checkMode(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "not a regular file"
	if fi.IsDir() {
		what = "a directory"
	}
	return fmt.Errorf("%w: files: %s is %s", driftless.ErrInvalidRef, path, what)
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%w: files: %s is larger than %d bytes (see WithMaxSize)", driftless.ErrInvalidRef, path, limit)
}

// versionOf is the version of content: the first 8 bytes of its SHA-256 in
// hex, as the core's built-in file reader computes it.
func versionOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

func isNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// pathErr tags an os error with a driftless sentinel. A *fs.PathError holds
// only the operation, the path and the cause, never content.
func pathErr(path string, err error) error {
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case isNotFound(err):
		return fmt.Errorf("%w: file %s: %w", driftless.ErrNotFound, path, cause)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: file %s: %w", driftless.ErrPermission, path, cause)
	}
	return fmt.Errorf("files: reading %s: %w", path, cause)
}

// failState is the watch state of a file that could not be read.
func failState(err error) string {
	switch {
	case isNotFound(err):
		return "!not found"
	case errors.Is(err, fs.ErrPermission):
		return "!permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "!" + pe.Err.Error()
	}
	return "!" + err.Error()
}
