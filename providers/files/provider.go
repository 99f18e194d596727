package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/internal/fileread"
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
	// DefaultMaxSize is the largest file Fetch reads, 1 MiB (Kubernetes
	// caps a Secret at 1 MiB, Docker a secret at 500 KB), the same as the
	// core's built-in reader (driftless.WithMaxFileSize).
	DefaultMaxSize = fileread.DefaultMaxSize
)

// The optional abilities a Handle looks for.
var (
	_ driver.Watcher = (*Provider)(nil)
	_ driver.Closer  = (*Provider)(nil)
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
// cannot exhaust memory; the error names the path and the limit. The
// default is DefaultMaxSize (1 MiB); n <= 0 keeps the default.
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
// per-key links of a Kubernetes Secret volume). Only a regular file is
// read: a named pipe, a device, a socket or a directory is never opened
// for reading, so none can block Fetch or exhaust memory. Value.Version is
// a keyed hash of the content (HMAC-SHA256 under a random key of this
// process): two reads of the same bytes have the same version and a
// rewrite with new bytes a new one, even with the same size and
// modification time, but the version tells nothing about the content and
// differs between processes. Value.Created is the file's modification
// time.
//
// A file that does not exist (or a path through something that is not a
// directory) yields an error wrapping driftless.ErrNotFound; a file the
// process may not read, driftless.ErrPermission; a relative path, a
// directory, a named pipe, a device, a socket or a file larger than
// WithMaxSize, driftless.ErrInvalidRef. An empty file is an empty value,
// not a missing one. Errors name the path, never the content. Fetch
// returns when ctx is done, even if the file system does not answer, with
// an error wrapping ctx.Err(), and returns an error wrapping
// driver.ErrClosed after Close.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("files: reading %s: %w", ref.Name, err)
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return driver.Value{}, fmt.Errorf("%w: files: reading %s", driver.ErrClosed, ref.Name)
	}
	v, state, err := p.read(ctx, ref)
	if state != "" {
		p.mu.Lock()
		p.seen[ref.Name] = state
		p.mu.Unlock()
	}
	if err != nil {
		return driver.Value{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("files: reading %s: %w", ref.Name, err)
	}
	return v, nil
}

// Close stops every Watch of p and waits for them to return. Fetch and
// Watch after Close return an error wrapping driver.ErrClosed. Close is
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
// when it was read, or "!" and the reason it could not be ("!not found"),
// or "" when ctx ended the read (nothing is known). The state is what a
// watch compares; it never holds content.
func (p *Provider) read(ctx context.Context, ref driver.Ref) (driver.Value, string, error) {
	path := ref.Name
	if ref.Scheme != "" && ref.Scheme != Scheme {
		return driver.Value{}, "", fmt.Errorf("%w: files: %s: scheme %q is not %q", driver.ErrInvalidRef, path, ref.Scheme, Scheme)
	}
	if ref.Query != "" {
		return driver.Value{}, "", fmt.Errorf("%w: files: %s: file references take no query parameters", driver.ErrInvalidRef, path)
	}
	if !filepath.IsAbs(path) {
		return driver.Value{}, "", fmt.Errorf("%w: files: %q is not an absolute path (want file:///path)", driver.ErrInvalidRef, path)
	}
	data, fi, err := fileread.Read(ctx, path, p.o.maxSize)
	if err != nil {
		return driver.Value{}, failState(ctx, err), readErr(err)
	}
	if p.o.trim {
		data = bytes.TrimSuffix(data, []byte("\n"))
		data = bytes.TrimSuffix(data, []byte("\r"))
	}
	version := fileread.Version(data)
	return driver.Value{Data: data, Version: version, Created: fi.ModTime()}, version, nil
}

// readErr tags an error of fileread.Read, which names the path and never
// the content, with a driftless sentinel.
func readErr(err error) error {
	switch {
	case fileread.IsNotFound(err):
		return fmt.Errorf("%w: %w", driver.ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %w", driver.ErrPermission, err)
	case errors.Is(err, fileread.ErrTooLarge):
		return fmt.Errorf("%w: files: %w (see WithMaxSize)", driver.ErrInvalidRef, err)
	case errors.Is(err, fileread.ErrNotRegular):
		return fmt.Errorf("%w: files: %w", driver.ErrInvalidRef, err)
	}
	return fmt.Errorf("files: %w", err)
}

// failState is the watch state of a file that could not be read: the kind
// of failure, which never holds content, or "" when ctx ended the read.
func failState(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ""
	case fileread.IsNotFound(err):
		return "!not found"
	case errors.Is(err, fs.ErrPermission):
		return "!permission denied"
	case errors.Is(err, fileread.ErrTooLarge):
		return "!too large"
	case errors.Is(err, fileread.ErrNotRegular):
		return "!not a regular file"
	}
	return "!" + err.Error()
}
