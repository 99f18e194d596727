// Package providertest is the conformance suite every driftless provider
// runs. Each test case checks one sentence of the contract written on
// driftless.Provider and its optional interfaces, in the spirit of
// testing/slogtest and gocloud's drivertest.
//
// A provider's test calls Run with a Harness that connects the provider to a
// fresh backend speaking the real wire protocol (a fake server, an emulator
// or a real server on loopback):
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) providertest.Backend {
//			srv := awssmtest.NewServer()
//			t.Cleanup(srv.Close)
//			return providertest.Backend{Provider: awssm.New(srv.Client()), Put: srv.Put, Ref: ...}
//		})
//	}
package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftless/driftless"
)

// Backend is a provider connected to a fresh, empty backend (or a namespace
// no other test uses), with the means to change that backend behind the
// provider's back.
type Backend struct {
	// Provider is the provider under test.
	Provider driftless.Provider
	// Put stores data as the secret name: it creates the secret if it does not
	// exist, or adds a new version that becomes the current one. Names used by
	// the suite match [a-z][a-z0-9-]* and are at most 40 bytes.
	Put func(ctx context.Context, name string, data []byte) error
	// Ref returns the reference that reads the current version of name, with
	// a Key where the backend stores maps rather than single values (Vault KV).
	Ref func(name string) driftless.Ref

	// NoEmpty is set when the backend cannot store an empty value.
	NoEmpty bool
	// NoBinary is set when the backend stores text only (valid UTF-8).
	NoBinary bool
	// NoVersions is set when the backend has no version identifiers, so
	// Value.Version may be empty and a rotation is seen only in Data.
	NoVersions bool
	// NoHistory is set when the backend keeps no earlier versions (Vault KV
	// v1), although the provider is a PreviousFetcher for backends that do:
	// FetchPrevious must then answer ErrNotFound, even after a rotation.
	NoHistory bool

	// Unservable, when set, makes the existing secret name (already stored
	// with Put) unservable behind the provider's back, the way an operator
	// or the backend would: disabled, destroyed, scheduled for deletion,
	// expired or denied to the provider's identity, whichever the backend
	// offers (one is enough). The case UnservableIsNotNotFound then checks
	// that Fetch (and FetchBatch) fail with ErrPermission and never with
	// ErrNotFound. When nil, that case is skipped.
	Unservable func(ctx context.Context, name string) error
}

// Harness returns a Backend for one test. It registers its own cleanup with
// t.Cleanup. It is called once per test case, possibly in parallel.
type Harness func(t *testing.T) Backend

// Canary is the value the suite stores to check that no error ever carries a
// secret. It is exported so provider tests can reuse it.
const Canary = "canary-7Hq9ZxV2-do-not-print"

var nameSeq atomic.Int64

func uniqueName(prefix string) string {
	return fmt.Sprintf("pt-%s-%d-%d", prefix, time.Now().UnixNano()%1e6, nameSeq.Add(1))
}

// Run runs the conformance suite against the backends that h returns.
func Run(t *testing.T, h Harness) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"FetchReturnsStoredValue", testFetch},
		{"EmptyIsNotMissing", testEmpty},
		{"MissingIsErrNotFound", testMissing},
		{"UnservableIsNotNotFound", testUnservable},
		{"BinaryValue", testBinary},
		{"UnicodeAndMultiline", testUnicode},
		{"RotationIsNewVersion", testRotation},
		{"CancelledContextReturnsPromptly", testCancelled},
		{"DeadlineReturnsPromptly", testDeadline},
		{"ErrorsNeverContainValue", testCanary},
		{"ConcurrentFetches", testConcurrent},
		{"ReturnedDataIsOwnedByCaller", testOwnership},
		{"BatchMatchesFetch", testBatch},
		{"PreviousVersion", testPrevious},
		{"WatchReportsChange", testWatch},
		{"CloseIsIdempotentAndFetchFails", testClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := h(t)
			if b.Provider == nil || b.Put == nil || b.Ref == nil {
				t.Fatal("providertest: harness returned a Backend without Provider, Put or Ref")
			}
			c.fn(t, b)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func put(t *testing.T, b Backend, name string, data []byte) {
	t.Helper()
	if err := b.Put(ctx(t), name, data); err != nil {
		t.Fatalf("harness Put(%q): %v", name, err)
	}
}

// fetch fetches ref and applies its Key as driftless does.
func fetch(t *testing.T, b Backend, ref driftless.Ref) (driftless.Value, []byte, error) {
	t.Helper()
	v, err := b.Provider.Fetch(ctx(t), ref.Secret())
	if err != nil {
		return v, nil, err
	}
	data, err := driftless.Select(v.Data, ref.Key)
	return v, data, err
}

func mustFetch(t *testing.T, b Backend, name string) (driftless.Value, []byte) {
	t.Helper()
	v, data, err := fetch(t, b, b.Ref(name))
	if err != nil {
		t.Fatalf("Fetch(%s): %v", b.Ref(name), err)
	}
	return v, data
}

// Sentence: Fetch returns the value that ref names.
func testFetch(t *testing.T, b Backend) {
	name := uniqueName("fetch")
	put(t, b, name, []byte("hello-value"))
	v, data := mustFetch(t, b, name)
	if string(data) != "hello-value" {
		t.Errorf("Fetch returned %d bytes that differ from the %d stored", len(data), len("hello-value"))
	}
	if !b.NoVersions && v.Version == "" {
		t.Error("Fetch returned an empty Version from a versioned backend")
	}
	if !v.Expires.IsZero() && v.Expires.Before(time.Now()) {
		t.Errorf("Fetch returned a value that already expired at %v", v.Expires)
	}
}

// Sentence: a secret that exists with an empty value yields empty Data and a nil error.
func testEmpty(t *testing.T, b Backend) {
	if b.NoEmpty {
		t.Skip("backend cannot store an empty value")
	}
	name := uniqueName("empty")
	put(t, b, name, []byte{})
	_, data, err := fetch(t, b, b.Ref(name))
	if err != nil {
		t.Fatalf("Fetch of an empty secret: %v (empty is not missing)", err)
	}
	if len(data) != 0 {
		t.Errorf("Fetch of an empty secret returned %d bytes", len(data))
	}
}

// Sentence: a secret that does not exist yields an error wrapping ErrNotFound.
func testMissing(t *testing.T, b Backend) {
	name := uniqueName("missing")
	_, _, err := fetch(t, b, b.Ref(name))
	if err == nil {
		t.Fatal("Fetch of a missing secret returned no error")
	}
	if !errors.Is(err, driftless.ErrNotFound) {
		t.Errorf("Fetch of a missing secret: error does not wrap ErrNotFound: %v", err)
	}
	if !strings.Contains(err.Error(), name) {
		t.Errorf("error for a missing secret does not name it (%q): %v", name, err)
	}
}

// sentenceUnservable is the sentence of the Provider contract that
// testUnservable checks, quoted in its failure messages.
const sentenceUnservable = `"A secret that exists but cannot be served (disabled, destroyed, scheduled for deletion, expired, not yet valid, denied) is not \"not found\": it yields an error wrapping ErrPermission"`

// Sentence: a secret that exists but cannot be served is not "not found": it yields an error wrapping ErrPermission.
func testUnservable(t *testing.T, b Backend) {
	if b.Unservable == nil {
		t.Skip("harness has no Unservable hook")
	}
	name := uniqueName("unservable")
	put(t, b, name, []byte(Canary))
	if err := b.Unservable(ctx(t), name); err != nil {
		t.Fatalf("harness Unservable(%q): %v", name, err)
	}
	check := func(how string, err error) {
		t.Helper()
		switch {
		case err == nil:
			t.Errorf("%s of an unservable secret returned no error; the contract says: %s", how, sentenceUnservable)
			return
		case errors.Is(err, driftless.ErrNotFound):
			t.Errorf("%s of an unservable secret wraps ErrNotFound, so a key-value source would fall through silently; the contract says: %s; got: %v", how, sentenceUnservable, err)
		case !errors.Is(err, driftless.ErrPermission):
			t.Errorf("%s of an unservable secret does not wrap ErrPermission; the contract says: %s; got: %v", how, sentenceUnservable, err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: the error for an unservable secret does not name it (%q): %v", how, name, err)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, Canary) || strings.Contains(s, Canary[7:20]) {
				t.Errorf("%s: the error for an unservable secret contains the secret value", how)
			}
		}
	}
	ref := b.Ref(name).Secret()
	_, err := b.Provider.Fetch(ctx(t), ref)
	check("Fetch", err)
	if bf, ok := b.Provider.(driftless.BatchFetcher); ok {
		res, err := bf.FetchBatch(ctx(t), []driftless.Ref{ref})
		switch {
		case err != nil:
			check("FetchBatch", err)
		case len(res) != 1:
			t.Errorf("FetchBatch returned %d results for 1 ref", len(res))
		default:
			check("FetchBatch", res[0].Err)
		}
	}
}

// Sentence: Data is the secret's bytes, exactly as stored (text or binary).
func testBinary(t *testing.T, b Backend) {
	if b.NoBinary {
		t.Skip("backend stores text only")
	}
	name := uniqueName("binary")
	want := []byte{0, 1, 2, 0xff, 0xfe, '\n', 0x80, 'x', 0}
	put(t, b, name, want)
	_, data := mustFetch(t, b, name)
	if !bytes.Equal(data, want) {
		t.Errorf("binary value changed in transit: got %d bytes, want %d", len(data), len(want))
	}
}

func testUnicode(t *testing.T, b Backend) {
	for _, tc := range []struct{ name, value string }{
		{"unicode", "pässwörd-密码-🔑"},
		{"multiline", "-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n"},
		{"spaces", "  leading and trailing  "},
		{"json", `{"user":"u","password":"p"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := uniqueName(tc.name)
			put(t, b, name, []byte(tc.value))
			_, data := mustFetch(t, b, name)
			if string(data) != tc.value {
				t.Errorf("value changed in transit: got %d bytes, want %d", len(data), len(tc.value))
			}
		})
	}
}

// Sentence: Version identifies the version served; a refresh compares it to tell that a secret rotated.
func testRotation(t *testing.T, b Backend) {
	name := uniqueName("rotate")
	put(t, b, name, []byte("first"))
	v1, d1 := mustFetch(t, b, name)
	put(t, b, name, []byte("second"))
	v2, d2 := mustFetch(t, b, name)
	if string(d1) != "first" || string(d2) != "second" {
		t.Fatalf("rotation not seen: values before and after do not match what was stored")
	}
	if !b.NoVersions && v1.Version == v2.Version {
		t.Errorf("rotation kept the same Version %q", v1.Version)
	}
}

// Sentence: when ctx is cancelled, Fetch returns promptly with an error that wraps ctx.Err().
func testCancelled(t *testing.T, b Backend) {
	name := uniqueName("cancel")
	put(t, b, name, []byte("v"))
	c, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	_, err := b.Provider.Fetch(c, b.Ref(name).Secret())
	if err == nil {
		t.Fatal("Fetch with a cancelled context returned no error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context: error does not wrap context.Canceled: %v", err)
	}
	if errors.Is(err, driftless.ErrNotFound) {
		t.Errorf("a cancelled Fetch must not look like not found: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch with a cancelled context took %v", d)
	}
}

// Sentence: when ctx's deadline passes, Fetch returns promptly with an error that wraps ctx.Err().
func testDeadline(t *testing.T, b Backend) {
	name := uniqueName("deadline")
	put(t, b, name, []byte("v"))
	c, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := b.Provider.Fetch(c, b.Ref(name).Secret())
	if err == nil {
		t.Fatal("Fetch past its deadline returned no error")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fetch past its deadline: error does not wrap context.DeadlineExceeded: %v", err)
	}
}

// Sentence: the returned error names the secret and never contains any part of a secret value.
func testCanary(t *testing.T, b Backend) {
	name := uniqueName("canary")
	put(t, b, name, []byte(Canary))
	// Errors that can happen once a canary is stored: a bad key, a missing
	// version, a cancelled fetch, a missing sibling.
	ref := b.Ref(name)
	var errs []error
	c, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.Provider.Fetch(c, ref.Secret())
	errs = append(errs, err)
	_, _, err = fetch(t, b, driftless.Ref{Scheme: ref.Scheme, Name: ref.Name, Query: ref.Query, Key: "no-such-key"})
	errs = append(errs, err)
	_, _, err = fetch(t, b, driftless.Ref{Scheme: ref.Scheme, Name: ref.Name, Query: ref.Query, Key: "/no/such/pointer"})
	errs = append(errs, err)
	if pf, ok := b.Provider.(driftless.PreviousFetcher); ok {
		_, err = pf.FetchPrevious(ctx(t), ref.Secret())
		errs = append(errs, err)
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, Canary) || strings.Contains(s, Canary[7:20]) {
				t.Errorf("error %d contains the secret value", i)
			}
		}
	}
}

// Sentence: a Provider must be safe for concurrent use by multiple goroutines.
func testConcurrent(t *testing.T, b Backend) {
	names := make([]string, 4)
	for i := range names {
		names[i] = uniqueName(fmt.Sprintf("par%d", i))
		put(t, b, names[i], []byte("value-"+names[i]))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				n := names[(g+i)%len(names)]
				v, err := b.Provider.Fetch(ctx(t), b.Ref(n).Secret())
				if err != nil {
					errs <- err.Error()
					return
				}
				data, err := driftless.Select(v.Data, b.Ref(n).Key)
				if err != nil || string(data) != "value-"+n {
					errs <- "concurrent fetch returned another secret's value"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Sentence: the returned Data is owned by the caller; the provider must not modify it afterwards.
func testOwnership(t *testing.T, b Backend) {
	name := uniqueName("owned")
	put(t, b, name, []byte("original"))
	v1, err := b.Provider.Fetch(ctx(t), b.Ref(name).Secret())
	if err != nil {
		t.Fatal(err)
	}
	for i := range v1.Data {
		v1.Data[i] = 'X'
	}
	_, data := mustFetch(t, b, name)
	if string(data) != "original" {
		t.Error("modifying returned Data changed what a later Fetch returns")
	}
}

// Sentence (BatchFetcher): FetchBatch returns one Result per ref, in the same order, with the same meaning as Fetch.
func testBatch(t *testing.T, b Backend) {
	bf, ok := b.Provider.(driftless.BatchFetcher)
	if !ok {
		t.Skip("provider is not a BatchFetcher")
	}
	var refs []driftless.Ref
	var want []string
	for i := 0; i < 25; i++ { // more than AWS's 20 per call
		n := uniqueName(fmt.Sprintf("batch%d", i))
		put(t, b, n, []byte("batch-"+n))
		refs = append(refs, b.Ref(n))
		want = append(want, "batch-"+n)
	}
	missing := b.Ref(uniqueName("batchmissing"))
	refs = append(refs, missing)
	secretRefs := make([]driftless.Ref, len(refs))
	for i, r := range refs {
		secretRefs[i] = r.Secret()
	}
	res, err := bf.FetchBatch(ctx(t), secretRefs)
	if err != nil {
		t.Fatalf("FetchBatch: %v", err)
	}
	if len(res) != len(refs) {
		t.Fatalf("FetchBatch returned %d results for %d refs", len(res), len(refs))
	}
	for i := range want {
		if res[i].Err != nil {
			t.Errorf("result %d: %v", i, res[i].Err)
			continue
		}
		data, err := driftless.Select(res[i].Value.Data, refs[i].Key)
		if err != nil || string(data) != want[i] {
			t.Errorf("result %d does not hold the value of ref %d", i, i)
		}
	}
	if last := res[len(res)-1].Err; !errors.Is(last, driftless.ErrNotFound) {
		t.Errorf("FetchBatch: missing secret's result does not wrap ErrNotFound: %v", last)
	}
	c, cancel := context.WithCancel(t.Context())
	cancel()
	if res, err := bf.FetchBatch(c, secretRefs[:2]); err == nil {
		for i, r := range res {
			if !errors.Is(r.Err, context.Canceled) {
				t.Errorf("FetchBatch with a cancelled context: result %d: %v", i, r.Err)
			}
		}
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("FetchBatch with a cancelled context: %v", err)
	}
}

// Sentence (PreviousFetcher): FetchPrevious returns the version that preceded the current one; none is ErrNotFound.
func testPrevious(t *testing.T, b Backend) {
	pf, ok := b.Provider.(driftless.PreviousFetcher)
	if !ok {
		t.Skip("provider is not a PreviousFetcher")
	}
	name := uniqueName("prev")
	put(t, b, name, []byte("one"))
	if b.NoHistory {
		put(t, b, name, []byte("two"))
		if _, err := pf.FetchPrevious(ctx(t), b.Ref(name).Secret()); !errors.Is(err, driftless.ErrNotFound) {
			t.Errorf("FetchPrevious on a backend without history: want ErrNotFound, got %v", err)
		}
		return
	}
	if _, err := pf.FetchPrevious(ctx(t), b.Ref(name).Secret()); !errors.Is(err, driftless.ErrNotFound) {
		t.Errorf("FetchPrevious with one version: want ErrNotFound, got %v", err)
	}
	put(t, b, name, []byte("two"))
	v, err := pf.FetchPrevious(ctx(t), b.Ref(name).Secret())
	if err != nil {
		t.Fatalf("FetchPrevious: %v", err)
	}
	data, err := driftless.Select(v.Data, b.Ref(name).Key)
	if err != nil || string(data) != "one" {
		t.Error("FetchPrevious did not return the previous value")
	}
	cur, _ := mustFetch(t, b, name)
	if !b.NoVersions && cur.Version == v.Version {
		t.Errorf("previous and current share Version %q", v.Version)
	}
}

// Sentence (Closer): Fetch after Close returns an error wrapping ErrClosed; Close is safe to call more than once.
func testClose(t *testing.T, b Backend) {
	cl, ok := b.Provider.(driftless.Closer)
	if !ok {
		t.Skip("provider is not a Closer")
	}
	name := uniqueName("close")
	put(t, b, name, []byte("v"))
	if err := cl.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := cl.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := b.Provider.Fetch(ctx(t), b.Ref(name).Secret()); !errors.Is(err, driftless.ErrClosed) {
		t.Errorf("Fetch after Close: want ErrClosed, got %v", err)
	}
}

// Sentence (Watcher): Watch reports, by calling changed, each ref whose value
// may have changed; it blocks until ctx is done and then returns ctx.Err().
func testWatch(t *testing.T, b Backend) {
	w, ok := b.Provider.(driftless.Watcher)
	if !ok {
		t.Skip("provider is not a Watcher")
	}
	name := uniqueName("watch")
	put(t, b, name, []byte("before"))
	ref := b.Ref(name).Secret()
	if _, err := b.Provider.Fetch(ctx(t), ref); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(t.Context())
	got := make(chan driftless.Ref, 16)
	done := make(chan error, 1)
	go func() {
		done <- w.Watch(c, []driftless.Ref{ref}, func(r driftless.Ref) {
			select {
			case got <- r:
			default:
			}
		})
	}()
	// The watch may need a moment to be established; put again until seen.
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	put(t, b, name, []byte("after-0"))
	for i := 1; ; i++ {
		select {
		case r := <-got:
			if r != ref {
				t.Errorf("changed reported %v, want %v", r, ref)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Watch returned %v after its context was cancelled, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Watch did not return after its context was cancelled")
			}
			return
		case <-tick.C:
			put(t, b, name, []byte(fmt.Sprintf("after-%d", i)))
		case <-deadline:
			cancel()
			t.Fatal("Watch did not report a change within 20s")
		}
	}
}
