package sops

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"filippo.io/age"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/internal/fileread"
	"github.com/driftless/driftless/providers/files"
)

// Scheme is the reference scheme this provider serves:
// sops:///abs/path/secrets.enc.yaml#key.
const Scheme = "sops"

// The optional abilities a Handle looks for.
var (
	_ driver.BatchFetcher = (*Provider)(nil)
	_ driver.RefChecker   = (*Provider)(nil)
	_ driver.Watcher      = (*Provider)(nil)
	_ driver.Closer       = (*Provider)(nil)
)

// Provider decrypts SOPS-encrypted files for sops:// references and
// watches them for changes. Create one with New; the zero value is not
// usable.
//
// A Provider is safe for concurrent use by multiple goroutines.
type Provider struct {
	o     options
	files *files.Provider // reads (bounded, kubelet-consistent) and watches the encrypted files

	mu     sync.Mutex
	closed bool
}

// New returns a provider for sops:// references that decrypts with the age
// identities its options give (WithAgeIdentities, WithAgeKeys,
// WithAgeKeyFile, WithSOPSEnvironment); at least one of them is required,
// since a provider without keys could decrypt nothing. New reads no file
// and no environment variable of its own accord, and starts nothing until
// Watch. It fails when key material given inline is malformed; the error
// gives a line number, never the key.
func New(opts ...Option) (*Provider, error) {
	o := options{maxSize: DefaultMaxSize, poll: DefaultPollInterval}
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.errs) > 0 {
		return nil, errors.Join(o.errs...)
	}
	if !o.given {
		return nil, errors.New("sops: New: no age identities: give WithAgeIdentities, WithAgeKeys, WithAgeKeyFile or WithSOPSEnvironment")
	}
	return &Provider{
		o:     o,
		files: files.New(files.WithMaxSize(o.maxSize), files.WithPollInterval(o.poll)),
	}, nil
}

// Fetch reads the SOPS-encrypted file that ref.Name names (an absolute
// path; symlinks are followed, and only a regular file no larger than
// WithMaxSize is read), decrypts it with the provider's age identities and
// verifies its MAC. The file's format comes from ref's format query
// parameter (yaml, json, dotenv, ini or binary) or else from its name, as
// sops decides it: .yaml/.yml, .json, .env, .ini, anything else binary.
// For yaml, json, dotenv and ini, Value.Data is the decrypted document as
// JSON (an array of documents for a multi-document YAML file), so that
// "#key" and "#/a/b" pick from it; for binary it is the plaintext, exactly.
// Value.Version is a keyed hash of the encrypted file (HMAC-SHA256 under a
// random key of this process), never a digest of the plaintext;
// Value.Created is the file's sops lastmodified time.
//
// A file that does not exist yields an error wrapping driftless.ErrNotFound;
// one that no identity of the provider can decrypt (or no key file to read
// the identities from), driftless.ErrPermission, and the error lists the
// file's age recipients, which are public keys; one that fails its
// integrity check, ErrTampered; one that is not SOPS-encrypted, is not of
// its format, is too large or not a regular file, or a relative path,
// driftless.ErrInvalidRef. Errors name the path, never a value. Fetch
// returns when ctx is done with an error wrapping ctx.Err(), and returns an
// error wrapping driver.ErrClosed after Close.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("sops: reading %s: %w", ref.Name, err)
	}
	if p.isClosed() {
		return driver.Value{}, fmt.Errorf("%w: sops: reading %s", driver.ErrClosed, ref.Name)
	}
	f, err := parseRef(ref)
	if err != nil {
		return driver.Value{}, err
	}
	enc, err := p.files.Fetch(ctx, fileRef(ref.Name))
	if err != nil {
		return driver.Value{}, fmt.Errorf("sops: %w", err)
	}
	return p.decrypt(ctx, ref.Name, f, enc)
}

// FetchBatch implements driver.BatchFetcher: it reads the files as the
// files provider's FetchBatch does, so the files of one Kubernetes Secret
// volume all come from the same kubelet swap, and decrypts each as Fetch
// does.
func (p *Provider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sops: batch read: %w", err)
	}
	if p.isClosed() {
		return nil, fmt.Errorf("%w: sops: batch read", driver.ErrClosed)
	}
	out := make([]driver.Result, len(refs))
	formats := make([]format, len(refs))
	var frefs []driver.Ref
	var idx []int
	for i, r := range refs {
		f, err := parseRef(r)
		if err != nil {
			out[i].Err = err
			continue
		}
		formats[i] = f
		frefs = append(frefs, fileRef(r.Name))
		idx = append(idx, i)
	}
	res, err := p.files.FetchBatch(ctx, frefs)
	if err != nil {
		return nil, fmt.Errorf("sops: batch read: %w", err)
	}
	for j, r := range res {
		i := idx[j]
		if r.Err != nil {
			out[i].Err = fmt.Errorf("sops: %w", r.Err)
			continue
		}
		out[i].Value, out[i].Err = p.decrypt(ctx, refs[i].Name, formats[i], r.Value)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sops: batch read: %w", err)
	}
	return out, nil
}

// Watch reports, by calling changed, each ref of refs whose encrypted file
// changed since it was last fetched from p (or, for a file p never served,
// since Watch started). It watches as the files provider does (see
// files.Provider.Watch): directories and files, the Kubernetes ..data
// symlink swap included, debounced, and every WithPollInterval all files
// are read again whatever the events said. It blocks until ctx is done and
// then returns ctx.Err(); after Close it returns an error wrapping
// driver.ErrClosed. changed is called from the goroutine that runs Watch,
// never concurrently with itself.
func (p *Provider) Watch(ctx context.Context, refs []driver.Ref, changed func(driver.Ref)) error {
	if p.isClosed() {
		return fmt.Errorf("%w: sops: watch", driver.ErrClosed)
	}
	byPath := map[string][]driver.Ref{}
	var frefs []driver.Ref
	for _, r := range refs {
		if _, ok := byPath[r.Name]; !ok {
			frefs = append(frefs, fileRef(r.Name))
		}
		if !slices.Contains(byPath[r.Name], r) {
			byPath[r.Name] = append(byPath[r.Name], r)
		}
	}
	err := p.files.Watch(ctx, frefs, func(fr driver.Ref) {
		for _, r := range byPath[fr.Name] {
			changed(r)
		}
	})
	if errors.Is(err, driver.ErrClosed) {
		return fmt.Errorf("sops: watch: %w", err)
	}
	return err
}

// Close stops every Watch of p and waits for them to return. Fetch and
// Watch after Close return an error wrapping driver.ErrClosed. Close is
// safe to call more than once and always returns nil.
func (p *Provider) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return p.files.Close()
}

// String describes the provider.
func (p *Provider) String() string { return "sops.Provider" }

func (p *Provider) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// fileRef is the files provider's reference to the encrypted file at path.
func fileRef(path string) driver.Ref { return driver.Ref{Scheme: files.Scheme, Name: path} }

// identities returns the provider's age identities: those given inline and
// those of its key files, read now (bounded, ctx honoured).
func (p *Provider) identities(ctx context.Context) ([]age.Identity, error) {
	ids := slices.Clone(p.o.ids)
	var missing []string
	for _, kf := range p.o.keyFiles {
		data, _, err := fileread.Read(ctx, kf.path, maxKeyFileSize)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, fmt.Errorf("sops: reading age keys: %w", err)
			}
			if kf.optional && fileread.IsNotFound(err) {
				missing = append(missing, kf.path)
				continue
			}
			return nil, fmt.Errorf("%w: sops: age key file of %s: %w", driver.ErrPermission, kf.origin, err)
		}
		got, err := parseIdentities(data)
		clear(data)
		if err != nil {
			return nil, fmt.Errorf("%w: sops: age key file %s (%s): %w", driver.ErrPermission, kf.path, kf.origin, err)
		}
		ids = append(ids, got...)
	}
	if len(ids) == 0 {
		where := "the options gave none"
		if p.o.fromEnv {
			where = "no SOPS_AGE_KEY or SOPS_AGE_KEY_FILE is set"
			for _, m := range missing {
				where += " and " + filepath.ToSlash(m) + " does not exist"
			}
		}
		return nil, fmt.Errorf("%w: sops: no age identity to decrypt with: %s", driver.ErrPermission, where)
	}
	return ids, nil
}
