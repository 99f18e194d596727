package driftless

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/internal/fileread"
)

// SnapshotKey names the key that seals the snapshot of WithSnapshot: a
// key file, an environment variable, or a secret of a backend other than
// those the snapshot stands in for. Make one with SnapshotKeyFile,
// SnapshotKeyEnv or SnapshotKeyRef. The key material is at least 32 bytes
// (for example the output of `openssl rand -base64 32`); white space at
// either end is not part of it. The sealing key is derived from it with
// HKDF-SHA256.
type SnapshotKey struct {
	kind snapshotKeyKind
	name string // the file, the variable or the reference
}

type snapshotKeyKind uint8

const (
	snapshotKeyFile snapshotKeyKind = iota + 1
	snapshotKeyEnv
	snapshotKeyRef
)

// SnapshotKeyFile is the key held in the file at path (a mounted secret,
// for example). It must not be in the snapshot's directory.
func SnapshotKeyFile(path string) SnapshotKey { return SnapshotKey{kind: snapshotKeyFile, name: path} }

// SnapshotKeyEnv is the key held in the environment variable name, read
// through WithLookup (the process environment by default).
func SnapshotKeyEnv(name string) SnapshotKey { return SnapshotKey{kind: snapshotKeyEnv, name: name} }

// SnapshotKeyRef is the key held in the secret ref names
// ("vault://secret/snapshot#key"), fetched with the provider registered
// for its scheme. That scheme must be one that no reference of the config
// uses: a key stored in the backend the snapshot stands in for would be
// out of reach exactly when the snapshot is needed.
func SnapshotKeyRef(ref string) SnapshotKey { return SnapshotKey{kind: snapshotKeyRef, name: ref} }

// String describes where the key is, never the key.
func (k SnapshotKey) String() string {
	switch k.kind {
	case snapshotKeyFile:
		return "key file " + k.name
	case snapshotKeyEnv:
		return "key variable " + k.name
	case snapshotKeyRef:
		return "key reference " + k.name
	}
	return "no key"
}

// WithSnapshot keeps a sealed snapshot of the last good fetched values in
// the file at path (on the node's ephemeral volume or a mounted cache), so
// that a service can boot through an outage of its secrets managers.
//
// After each successful Load, and each refresh of a Handle that fetched
// something, the values fetched are written to path, encrypted and
// authenticated with AES-256-GCM under key, bound to the config type and
// to the set of references the config reads; the file is written
// atomically (a temporary file in the same directory, synced, renamed) and
// readable by its owner only (mode 0600).
//
// When a Load or NewHandle finds providers unreachable (errors wrapping
// ErrUnavailable, or a fetch that timed out), the values they could not
// serve are taken from the snapshot, provided it is at most maxAge old (by
// the time sealed inside it), and the config is built from them as usual.
// A Handle so built is degraded (Handle.Degraded, Report.Snapshot) and
// retries the backends on its usual backoff; the first successful refresh
// replaces the snapshot's values with live ones. Only a boot starts from
// the snapshot: a refresh in an outage fails as without it (OnError,
// backoff) and the Handle keeps its last good config. The snapshot is never used
// when a backend denied access (ErrPermission), and a secret the backend
// says does not exist (ErrNotFound) still fails; nor is a snapshot written
// from a config that holds values from the snapshot.
//
// A snapshot that is corrupt, older than maxAge, written for another
// config type or another set of references (another build, another
// environment), sealed with another key, or readable by other users is
// refused with a *SnapshotError naming why (never a value); the load then
// fails with the providers' errors and that one. The default is no
// snapshot.
func WithSnapshot(path string, key SnapshotKey, maxAge time.Duration) Option {
	return func(o *options) {
		s, err := newSnapshotStore(path, key, maxAge)
		if err != nil {
			o.optErrs = append(o.optErrs, err)
			return
		}
		o.snapshot = s
	}
}

// snapshotStore is the snapshot of one loader.
type snapshotStore struct {
	path   string
	key    SnapshotKey
	maxAge time.Duration
	keyRef driver.Ref // for a key reference

	mu      sync.Mutex          // guards written
	written map[cacheKey]*entry // the entries last written
}

func newSnapshotStore(path string, key SnapshotKey, maxAge time.Duration) (*snapshotStore, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("driftless: WithSnapshot: "+format, args...)
	}
	switch {
	case path == "":
		return nil, bad("empty path")
	case maxAge <= 0:
		return nil, bad("the maximum age must be positive")
	case key.kind == 0 || key.name == "":
		return nil, bad("no key (use SnapshotKeyFile, SnapshotKeyEnv or SnapshotKeyRef)")
	}
	s := &snapshotStore{path: path, key: key, maxAge: maxAge}
	switch key.kind {
	case snapshotKeyFile:
		dir, err := filepath.Abs(filepath.Dir(path))
		kdir, kerr := filepath.Abs(filepath.Dir(key.name))
		if err == nil && kerr == nil && dir == kdir {
			return nil, bad("the key file %s is in the snapshot's directory; keep the key apart from what it seals", key.name)
		}
	case snapshotKeyRef:
		r, err := driver.ParseRef(key.name)
		if err != nil {
			return nil, bad("key reference: %w", err)
		}
		s.keyRef = r
	}
	return s, nil
}

// snapshotFormat starts every snapshot file.
const snapshotFormat = "DLSNAP\x00\x01"

// The parts of a snapshot's header, which is authenticated with the
// ciphertext (GCM's additional data): format, key id, type and reference
// set digests, nonce.
const (
	snapKeyIDLen  = 16
	snapHeaderLen = len(snapshotFormat) + snapKeyIDLen + 2*sha256.Size + 12
	snapMaxSize   = 64 << 20
)

// snapshotPayload is what a snapshot seals.
type snapshotPayload struct {
	Written time.Time       `json:"written"`
	Entries []snapshotEntry `json:"entries"`
}

// snapshotEntry is one fetched value: a secret and version selector, and
// either its value or the backend's answer that it does not exist.
type snapshotEntry struct {
	Ref      string    `json:"ref"`
	Previous bool      `json:"previous,omitempty"`
	Missing  bool      `json:"missing,omitempty"`
	Data     []byte    `json:"data,omitempty"`
	Version  string    `json:"version,omitempty"`
	Created  time.Time `json:"created,omitzero"`
	Expires  time.Time `json:"expires,omitzero"`
}

// snapshotBinding is what a snapshot is bound to: the config type and the
// set of references read.
type snapshotBinding struct {
	typeSum [sha256.Size]byte
	refSum  [sha256.Size]byte
	keys    map[string]cacheKey // by snapshotKeyName
	schemes map[string]bool
}

func snapshotKeyName(k cacheKey) string {
	if k.previous {
		return k.ref.String() + "\x00previous"
	}
	return k.ref.String()
}

// binding binds a snapshot to the loader's type (its name and every
// field's path, key and type) and to keys.
func (l *loader) binding(keys []cacheKey) snapshotBinding {
	th := sha256.New()
	fmt.Fprintf(th, "%s\n", l.typ)
	for i := range l.plan.fields {
		f := &l.plan.fields[i]
		fmt.Fprintf(th, "%s\x00%s\x00%s\n", f.path, f.key, f.typ)
	}
	b := snapshotBinding{keys: make(map[string]cacheKey, len(keys)), schemes: map[string]bool{}}
	th.Sum(b.typeSum[:0])
	for _, k := range keys {
		b.keys[snapshotKeyName(k)] = k
		b.schemes[k.ref.Scheme] = true
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range b.keys {
			if !yield(n) {
				return
			}
		}
	})
	rh := sha256.New()
	for _, n := range names {
		fmt.Fprintf(rh, "%s\n", n)
	}
	rh.Sum(b.refSum[:0])
	return b
}

// snapKey is the key of a snapshot: the AES-256 key and its public id.
type snapKey struct {
	aead cipher.AEAD
	id   []byte
}

// deriveKey reads the key material and derives the sealing key.
func (s *snapshotStore) deriveKey(ctx context.Context, o *options, b snapshotBinding) (snapKey, error) {
	material, err := s.material(ctx, o, b)
	if err != nil {
		return snapKey{}, s.fail("cannot read the "+s.key.String(), err)
	}
	defer clear(material)
	m := bytes.TrimSpace(material)
	if len(m) < 32 {
		return snapKey{}, s.fail("the "+s.key.String()+" holds less than 32 bytes of key material", nil)
	}
	k, err := hkdf.Key(sha256.New, m, nil, "driftless snapshot v1 seal", 32)
	if err != nil {
		return snapKey{}, s.fail("deriving the key", err)
	}
	defer clear(k)
	id, err := hkdf.Key(sha256.New, m, nil, "driftless snapshot v1 key id", snapKeyIDLen)
	if err != nil {
		return snapKey{}, s.fail("deriving the key", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return snapKey{}, s.fail("deriving the key", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return snapKey{}, s.fail("deriving the key", err)
	}
	return snapKey{aead: aead, id: id}, nil
}

// material returns the key material, a copy the caller clears.
func (s *snapshotStore) material(ctx context.Context, o *options, b snapshotBinding) ([]byte, error) {
	switch s.key.kind {
	case snapshotKeyFile:
		data, _, err := fileread.Read(ctx, s.key.name, 64<<10)
		return data, err
	case snapshotKeyEnv:
		v, ok := o.lookup(s.key.name)
		if !ok {
			return nil, errors.New("the variable is not set")
		}
		return []byte(v), nil
	}
	r := s.keyRef
	if b.schemes[r.Scheme] {
		return nil, fmt.Errorf("%w: its scheme %q is one the snapshot stands in for (when that backend is down, so is the key); keep the key in another backend, a file or a variable", ErrNotAllowed, r.Scheme)
	}
	p := o.provider(r.Scheme)
	if p == nil {
		return nil, o.noProvider(r.Scheme)
	}
	if err := o.admit(r); err != nil {
		return nil, err
	}
	if err := o.checkRef(r); err != nil {
		return nil, err
	}
	v, err := p.Fetch(ctx, r.Secret())
	if err != nil {
		return nil, err
	}
	data, err := driver.Select(v.Data, r.Key)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(data), nil
}

// fail returns a *SnapshotError for the store's file.
func (s *snapshotStore) fail(reason string, err error) error {
	return &SnapshotError{Path: s.path, Reason: reason, Err: err}
}

// header returns a snapshot's header for the key and binding, with a new
// random nonce.
func snapshotHeader(k snapKey, b snapshotBinding) []byte {
	h := make([]byte, 0, snapHeaderLen)
	h = append(h, snapshotFormat...)
	h = append(h, k.id...)
	h = append(h, b.typeSum[:]...)
	h = append(h, b.refSum[:]...)
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	return append(h, nonce...)
}

// sealSnapshot encrypts the entries of fetched into a snapshot file's content.
func sealSnapshot(k snapKey, b snapshotBinding, fetched map[cacheKey]*entry, now time.Time) ([]byte, error) {
	p := snapshotPayload{Written: now.UTC()}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range b.keys {
			if !yield(n) {
				return
			}
		}
	}) {
		ck := b.keys[name]
		e := fetched[ck]
		if e == nil {
			continue
		}
		se := snapshotEntry{Ref: ck.ref.String(), Previous: ck.previous}
		switch {
		case e.err == nil:
			se.Data, se.Version, se.Created, se.Expires = e.val.Data, e.val.Version, e.val.Created, e.val.Expires
		case errors.Is(e.err, ErrNotFound):
			se.Missing = true
		default:
			continue // a failure the config did not need
		}
		p.Entries = append(p.Entries, se)
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	h := snapshotHeader(k, b)
	return k.aead.Seal(h, h[snapHeaderLen-12:], plain, h), nil
}

// open checks and decrypts a snapshot file's content.
func (s *snapshotStore) open(k snapKey, b snapshotBinding, data []byte, now time.Time) (*snapshotPayload, error) {
	if len(data) < snapHeaderLen+k.aead.Overhead() || string(data[:len(snapshotFormat)]) != snapshotFormat {
		return nil, s.fail("corrupt: not a driftless snapshot", nil)
	}
	h := data[:snapHeaderLen]
	rest := h[len(snapshotFormat):]
	id, rest := rest[:snapKeyIDLen], rest[snapKeyIDLen:]
	typeSum, rest := rest[:sha256.Size], rest[sha256.Size:]
	refSum, nonce := rest[:sha256.Size], rest[sha256.Size:]
	switch {
	case !bytes.Equal(typeSum, b.typeSum[:]):
		return nil, s.fail("written for another config type (another build of the service?)", nil)
	case !bytes.Equal(refSum, b.refSum[:]):
		return nil, s.fail("written for another set of references (another environment?)", nil)
	case !bytes.Equal(id, k.id):
		return nil, s.fail("sealed with another key than the "+s.key.String(), nil)
	}
	plain, err := k.aead.Open(nil, nonce, data[snapHeaderLen:], h)
	if err != nil {
		return nil, s.fail("corrupt or tampered with: authentication failed", nil)
	}
	defer clear(plain)
	var p snapshotPayload
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, s.fail("corrupt: the sealed content does not parse", nil)
	}
	if age := now.Sub(p.Written); age > s.maxAge {
		return nil, s.fail(fmt.Sprintf("expired: written %s ago, at %s; the maximum age is %s",
			age.Round(time.Second), p.Written.Format(time.RFC3339), s.maxAge), nil)
	}
	return &p, nil
}

// read reads, checks and decrypts the snapshot file.
func (s *snapshotStore) read(ctx context.Context, o *options, b snapshotBinding) (*snapshotPayload, error) {
	data, fi, err := fileread.Read(ctx, s.path, snapMaxSize)
	switch {
	case fileread.IsNotFound(err):
		return nil, s.fail("none written yet", nil)
	case err != nil:
		return nil, s.fail("cannot read", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, s.fail(fmt.Sprintf("readable by other users (mode %#o); only its owner may read it (0600)", fi.Mode().Perm()), nil)
	}
	k, err := s.deriveKey(ctx, o, b)
	if err != nil {
		return nil, err
	}
	return s.open(k, b, data, time.Now())
}

// write seals fetched and replaces the snapshot file atomically: a
// temporary file in the same directory, readable by its owner only, synced
// and renamed over the old one, then the directory synced, so that a crash
// leaves the old snapshot or the new one, never a torn file.
func (s *snapshotStore) write(ctx context.Context, o *options, b snapshotBinding, fetched map[cacheKey]*entry) error {
	k, err := s.deriveKey(ctx, o, b)
	if err != nil {
		return err
	}
	data, err := sealSnapshot(k, b, fetched, time.Now())
	if err != nil {
		return s.fail("cannot seal", err)
	}
	dir := filepath.Dir(s.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".tmp-*") // mode 0600
	if err != nil {
		return s.fail("cannot write", err)
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if _, werr := f.Write(data); err == nil {
		err = werr
	}
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return s.fail("cannot write", err)
	}
	if runtime.GOOS != "windows" {
		if d, err := os.Open(dir); err == nil {
			err = d.Sync()
			_ = d.Close()
			if err != nil {
				return s.fail("cannot sync its directory", err)
			}
		}
	}
	return nil
}

// isOutage reports whether err means the backend could not be reached or
// did not answer in time.
func isOutage(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// restore replaces, after the fetch, the values that unreachable providers
// could not serve with those of the snapshot. Nothing is restored when a
// backend denied access. A refusal of the snapshot is kept in snapErr,
// reported if the load fails.
func (p *pass) restore(ctx context.Context) {
	s := p.l.o.snapshot
	if s == nil || len(p.fetched) == 0 || p.l.loaded.Load() {
		// Only a boot starts from the snapshot: once a config is served,
		// a refresh in an outage fails (OnError, backoff) and the Handle
		// keeps its last good config.
		return
	}
	var down []cacheKey
	for k, e := range p.fetched {
		switch {
		case e.err == nil, errors.Is(e.err, ErrNotFound):
		case errors.Is(e.err, ErrPermission):
			return // the snapshot must not outlive a revocation
		case isOutage(e.err):
			down = append(down, k)
		}
	}
	if len(down) == 0 {
		return
	}
	b := p.l.binding(p.keys)
	snap, err := s.read(ctx, p.l.o, b)
	if err != nil {
		p.snapErr = err
		p.l.snapshotEvent(ctx, "driftless: providers unreachable and the snapshot refused", err, 0)
		return
	}
	held := make(map[cacheKey]snapshotEntry, len(snap.Entries))
	for _, se := range snap.Entries {
		r, err := driver.ParseRef(se.Ref)
		if err != nil {
			continue
		}
		held[cacheKey{ref: r, previous: se.Previous}] = se
	}
	restored := 0
	for _, k := range down {
		se, ok := held[k]
		if !ok {
			continue
		}
		e := &entry{done: closedChan}
		if se.Missing {
			e.err = fmt.Errorf("%w (as the snapshot recorded)", ErrNotFound)
		} else {
			e.val = driver.Value{Data: se.Data, Version: se.Version, Created: se.Created, Expires: se.Expires}
		}
		p.fetched[k] = e
		restored++
	}
	if restored > 0 {
		p.snapAt = snap.Written
		p.l.snapshotEvent(ctx, "driftless: providers unreachable; serving values from the snapshot", nil, time.Since(snap.Written))
	}
}

// snapshotDone ends a pass: a failed load reports why the snapshot was
// refused; a load that succeeded with live values only writes the
// snapshot, when something was fetched since the last write.
func (p *pass) snapshotDone(ctx context.Context) {
	s := p.l.o.snapshot
	switch {
	case s == nil || p.reads != nil:
		return
	case len(p.errs) > 0:
		if p.snapErr != nil {
			p.errs = append(p.errs, p.snapErr)
		}
		return
	case !p.snapAt.IsZero() || len(p.fetched) == 0:
		return
	}
	// The closure holds what writeSnapshot reads, not p: a pass that a
	// closure captured would be on the heap in every load.
	w := &pass{l: p.l, keys: p.keys, fetched: p.fetched}
	write := func(ctx context.Context) { w.writeSnapshot(ctx, s) }
	if len(p.l.o.gates) > 0 {
		// Written only once the gates admitted the candidate (commitSnapshot).
		p.l.snapPending = write
		return
	}
	write(ctx)
}

// commitSnapshot writes the snapshot of the last load, held back until its
// config passed the gates; rejected drops it.
func (l *loader) commitSnapshot(ctx context.Context, rejected bool) {
	w := l.snapPending
	l.snapPending = nil
	if w != nil && !rejected {
		w(ctx)
	}
}

// writeSnapshot seals the pass's fetched values into s, when something was
// fetched since the last write.
func (p *pass) writeSnapshot(ctx context.Context, s *snapshotStore) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.written) == len(p.fetched) && !p.fetchedSince(s.written) {
		return
	}
	if err := s.write(ctx, p.l.o, p.l.binding(p.keys), p.fetched); err != nil {
		p.l.snapshotEvent(ctx, "driftless: snapshot not written", err, 0)
		return
	}
	s.written = make(map[cacheKey]*entry, len(p.fetched))
	for k, e := range p.fetched {
		s.written[k] = e
	}
}

// fetchedSince reports whether any of the pass's entries is not in
// written, that is, was fetched after the last write.
func (p *pass) fetchedSince(written map[cacheKey]*entry) bool {
	for k, e := range p.fetched {
		if written[k] != e {
			return true
		}
	}
	return false
}

// snapshotEvent logs a use or a failure of the snapshot and reports it to
// the metrics hook (with the snapshot's age as Duration when it is used).
func (l *loader) snapshotEvent(ctx context.Context, msg string, err error, age time.Duration) {
	emitEvent(ctx, l.o, Event{Kind: EventSnapshot, Duration: age, Err: err})
	if l.o.logger == nil {
		return
	}
	attrs := []slog.Attr{slog.String("config", l.typ.String()), slog.String("snapshot", l.o.snapshot.path)}
	if err != nil {
		attrs = append(attrs, slog.String("error", strings.TrimPrefix(err.Error(), "driftless: ")))
	} else {
		attrs = append(attrs, slog.Duration("age", age.Round(time.Second)))
	}
	l.o.logger.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
}

// Degraded reports whether the current config holds values taken from the
// snapshot of WithSnapshot because providers were unreachable, and when
// that snapshot was written. The first successful refresh with live values
// ends it.
func (h *Handle[T]) Degraded() (bool, time.Time) {
	r := h.rep.Load()
	if r == nil || r.Snapshot.IsZero() {
		return false, time.Time{}
	}
	return true, r.Snapshot
}
