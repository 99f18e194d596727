// Package providertest is the conformance suite every driftless provider
// runs. Each test case checks one sentence of the contract written on
// driver.Provider, driver.Value and the optional interfaces, and a
// failure quotes that sentence, in the spirit of testing/slogtest and
// gocloud's drivertest:
//
//	--- FAIL: TestConformance/MissingIsErrNotFound
//	    providertest.go:210: Fetch of a missing secret: the error does not wrap ErrNotFound: ...
//	        the contract (driver.Provider.Fetch) says: "A secret (or version) that does not exist yields ..."
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

	"github.com/driftless/driftless/driver"
)

// Backend is a provider connected to a fresh, empty backend (or a namespace
// no other test uses), with the means to change that backend behind the
// provider's back.
type Backend struct {
	// Provider is the provider under test.
	Provider driver.Provider
	// Put stores data as the secret name: it creates the secret if it does not
	// exist, or adds a new version that becomes the current one. Names used by
	// the suite match [a-z][a-z0-9-]* and are at most 40 bytes.
	Put func(ctx context.Context, name string, data []byte) error
	// Ref returns the reference that reads the current version of name, with
	// a Key where the backend stores maps rather than single values (Vault KV).
	Ref func(name string) driver.Ref

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

// A contractCase checks one sentence of the contract.
type contractCase struct {
	name string
	// doc names the declaration in the driftless package whose doc comment
	// holds the sentence: a type ("Provider"), an interface method
	// ("Provider.Fetch") or a struct field ("Value.Data").
	doc string
	// sentence is quoted verbatim (line breaks aside) from that doc comment;
	// every failure of the case quotes it.
	sentence string
	run      func(c *checker, b Backend)
}

// cases lists the suite, one case per contract sentence.
var cases = []contractCase{
	{"ConcurrentFetches", "Provider",
		"A Provider must be safe for concurrent use by multiple goroutines.", testConcurrent},
	{"FetchReturnsStoredValue", "Provider.Fetch",
		"Fetch returns the value that ref names.", testFetch},
	{"ContextIsHonoured", "Provider.Fetch",
		"Fetch honours ctx: when ctx is cancelled or its deadline passes, Fetch returns promptly with an error that wraps ctx.Err().", testContext},
	{"MissingIsErrNotFound", "Provider.Fetch",
		"A secret (or version) that does not exist yields an error wrapping ErrNotFound; any other failure yields an error that does not wrap ErrNotFound.", testMissing},
	{"UnservableIsNotNotFound", "Provider.Fetch",
		`A secret that exists but cannot be served (disabled, destroyed, scheduled for deletion, expired, not yet valid, denied) is not "not found": it yields an error wrapping ErrPermission, so that a key-value source never silently falls through to a lower source.`, testUnservable},
	{"EmptyIsNotMissing", "Provider.Fetch",
		"A secret that exists with an empty value yields a Value with empty Data and a nil error: empty is not missing.", testEmpty},
	{"ErrorsNameSecretNeverValue", "Provider.Fetch",
		"The returned error names the secret and never contains any part of a secret value.", testErrors},
	{"ReturnedDataIsOwnedByCaller", "Provider.Fetch",
		"The returned Data is owned by the caller; the provider must not modify it afterwards.", testOwnership},
	{"DataIsExactBytes", "Value.Data",
		"Data is the secret's bytes, exactly as stored (text or binary).", testData},
	{"VersionIsSet", "Value.Version",
		"Version identifies the version served (a version id, a version number); empty when the backend has no versions.", testVersion},
	{"RotationIsNewVersion", "Value.Version",
		"A refresh compares it to tell that a secret rotated.", testRotation},
	{"ExpiresIsAhead", "Value.Expires",
		"Expires is when the value stops being valid (a Vault lease, a Key Vault exp attribute), zero if never.", testExpires},
	{"BatchMatchesFetch", "BatchFetcher.FetchBatch",
		"FetchBatch fetches refs and returns one Result per ref, in the same order, with the same meaning as Fetch for each.", testBatch},
	{"BatchHonoursContext", "BatchFetcher.FetchBatch",
		"It honours ctx as Fetch does.", testBatchContext},
	{"PreviousVersion", "PreviousFetcher.FetchPrevious",
		"FetchPrevious returns the version that preceded the current version of ref's secret.", testPrevious},
	{"NoPreviousIsNotFound", "PreviousFetcher.FetchPrevious",
		"When there is none it returns an error wrapping ErrNotFound.", testNoPrevious},
	{"WatchReportsChange", "Watcher.Watch",
		"Watch reports, by calling changed, each ref of refs whose value may have changed.", testWatch},
	{"WatchReturnsContextError", "Watcher.Watch",
		"It blocks until ctx is done and then returns ctx.Err(), or returns early with an error if watching failed.", testWatchReturns},
	{"CheckRefAcceptsWhatItServes", "RefChecker.CheckRef",
		"CheckRef returns nil when the provider can serve ref, or an error wrapping ErrInvalidRef (a *RefError) that says what is wrong without quoting the reference's text beyond its scheme.", testCheckRef},
	{"RenewUnleasedIsNotRenewable", "Renewer.Renew",
		"When the lease cannot be extended, or not by enough (near its max TTL), it returns an error wrapping ErrNotRenewable, and driftless fetches anew.", testRenewUnleased},
	{"RenewHonoursContext", "Renewer.Renew",
		"It honours ctx as Fetch does and never puts a value in an error.", testRenewContext},
	{"FetchAfterCloseIsErrClosed", "Closer",
		"Close waits for the provider's background work to stop; Fetch after Close returns an error wrapping ErrClosed.", testFetchAfterClose},
	{"CloseIsIdempotent", "Closer",
		"Close is safe to call more than once.", testCloseTwice},
}

// Run runs the conformance suite against the backends that h returns: one
// subtest per case, each with a Backend of its own.
func Run(t *testing.T, h Harness) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := h(t)
			if b.Provider == nil || b.Put == nil || b.Ref == nil {
				t.Fatal("providertest: harness returned a Backend without Provider, Put or Ref")
			}
			tc.run(&checker{T: t, doc: tc.doc, sentence: tc.sentence}, b)
		})
	}
}

// checker is the *testing.T of one case. Its Errorf and Fatalf quote the
// contract sentence the case checks, as testing/slogtest's failures do.
// Failures of the harness itself go to the embedded T's own Fatalf.
type checker struct {
	*testing.T
	doc      string
	sentence string
}

func (c *checker) explain(format string, args ...any) string {
	return fmt.Sprintf(format, args...) + fmt.Sprintf("\nthe contract (driver.%s) says: \"%s\"", c.doc, c.sentence)
}

// Errorf reports a broken contract and goes on.
func (c *checker) Errorf(format string, args ...any) {
	c.Helper()
	c.T.Error(c.explain(format, args...))
}

// Fatalf reports a broken contract and stops the case.
func (c *checker) Fatalf(format string, args ...any) {
	c.Helper()
	c.T.Fatal(c.explain(format, args...))
}

// Error reports a broken contract and goes on.
func (c *checker) Error(args ...any) {
	c.Helper()
	c.T.Error(c.explain("%s", fmt.Sprint(args...)))
}

// Fatal reports a broken contract and stops the case.
func (c *checker) Fatal(args ...any) {
	c.Helper()
	c.T.Fatal(c.explain("%s", fmt.Sprint(args...)))
}

// sub runs f as a subtest that checks the same sentence.
func (c *checker) sub(name string, f func(c *checker)) {
	c.Helper()
	c.Run(name, func(t *testing.T) { f(&checker{T: t, doc: c.doc, sentence: c.sentence}) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// put stores data with the harness; a failure is the harness's, not the
// provider's.
func put(c *checker, b Backend, name string, data []byte) {
	c.Helper()
	if err := b.Put(ctx(c.T), name, data); err != nil {
		c.T.Fatalf("harness Put(%q): %v", name, err)
	}
}

// fetch fetches ref and applies its Key as driftless does.
func fetch(c *checker, b Backend, ref driver.Ref) (driver.Value, []byte, error) {
	c.Helper()
	v, err := b.Provider.Fetch(ctx(c.T), ref.Secret())
	if err != nil {
		return v, nil, err
	}
	data, err := driver.Select(v.Data, ref.Key)
	return v, data, err
}

func mustFetch(c *checker, b Backend, name string) (driver.Value, []byte) {
	c.Helper()
	v, data, err := fetch(c, b, b.Ref(name))
	if err != nil {
		c.Fatalf("Fetch(%s): %v", b.Ref(name), err)
	}
	return v, data
}

// leaks reports whether err shows the canary, or a part of it, in any form.
func leaks(err error) bool {
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, Canary) || strings.Contains(s, Canary[7:20]) {
			return true
		}
	}
	return false
}

func testFetch(c *checker, b Backend) {
	name := uniqueName("fetch")
	put(c, b, name, []byte("hello-value"))
	_, data := mustFetch(c, b, name)
	if string(data) != "hello-value" {
		c.Errorf("Fetch returned %d bytes that differ from the %d stored", len(data), len("hello-value"))
	}
}

func testVersion(c *checker, b Backend) {
	if b.NoVersions {
		c.Skip("backend has no versions")
	}
	name := uniqueName("version")
	put(c, b, name, []byte("versioned"))
	v, _ := mustFetch(c, b, name)
	if v.Version == "" {
		c.Error("Fetch returned an empty Version from a versioned backend")
	}
}

func testExpires(c *checker, b Backend) {
	name := uniqueName("expires")
	put(c, b, name, []byte("fresh"))
	v, _ := mustFetch(c, b, name)
	if !v.Expires.IsZero() && v.Expires.Before(time.Now()) {
		c.Errorf("Fetch returned a value that already expired at %v", v.Expires)
	}
}

func testEmpty(c *checker, b Backend) {
	if b.NoEmpty {
		c.Skip("backend cannot store an empty value")
	}
	name := uniqueName("empty")
	put(c, b, name, []byte{})
	_, data, err := fetch(c, b, b.Ref(name))
	if err != nil {
		c.Fatalf("Fetch of an empty secret: %v", err)
	}
	if len(data) != 0 {
		c.Errorf("Fetch of an empty secret returned %d bytes", len(data))
	}
}

func testMissing(c *checker, b Backend) {
	c.sub("missing", func(c *checker) {
		name := uniqueName("missing")
		_, _, err := fetch(c, b, b.Ref(name))
		if err == nil {
			c.Fatal("Fetch of a missing secret returned no error")
		}
		if !errors.Is(err, driver.ErrNotFound) {
			c.Errorf("Fetch of a missing secret: the error does not wrap ErrNotFound: %v", err)
		}
	})
	c.sub("cancelled", func(c *checker) {
		name := uniqueName("notmissing")
		put(c, b, name, []byte("v"))
		cx, cancel := context.WithCancel(c.Context())
		cancel()
		_, err := b.Provider.Fetch(cx, b.Ref(name).Secret())
		if errors.Is(err, driver.ErrNotFound) {
			c.Errorf("a cancelled Fetch of an existing secret wraps ErrNotFound: %v", err)
		}
	})
}

func testUnservable(c *checker, b Backend) {
	if b.Unservable == nil {
		c.Skip("harness has no Unservable hook")
	}
	name := uniqueName("unservable")
	put(c, b, name, []byte(Canary))
	if err := b.Unservable(ctx(c.T), name); err != nil {
		c.T.Fatalf("harness Unservable(%q): %v", name, err)
	}
	check := func(how string, err error) {
		c.Helper()
		switch {
		case err == nil:
			c.Errorf("%s of an unservable secret returned no error", how)
		case errors.Is(err, driver.ErrNotFound):
			c.Errorf("%s of an unservable secret wraps ErrNotFound, so a key-value source would fall through silently: %v", how, err)
		case !errors.Is(err, driver.ErrPermission):
			c.Errorf("%s of an unservable secret does not wrap ErrPermission: %v", how, err)
		}
	}
	ref := b.Ref(name).Secret()
	_, err := b.Provider.Fetch(ctx(c.T), ref)
	check("Fetch", err)
	if bf, ok := b.Provider.(driver.BatchFetcher); ok {
		res, err := bf.FetchBatch(ctx(c.T), []driver.Ref{ref})
		switch {
		case err != nil:
			check("FetchBatch", err)
		case len(res) != 1:
			c.Errorf("FetchBatch returned %d results for 1 ref", len(res))
		default:
			check("FetchBatch", res[0].Err)
		}
	}
}

func testData(c *checker, b Backend) {
	values := []struct {
		name  string
		value []byte
	}{
		{"unicode", []byte("pässwörd-密码-🔑")},
		{"multiline", []byte("-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n")},
		{"spaces", []byte("  leading and trailing  ")},
		{"json", []byte(`{"user":"u","password":"p"}`)},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe, '\n', 0x80, 'x', 0}},
	}
	for _, tc := range values {
		c.sub(tc.name, func(c *checker) {
			if tc.name == "binary" && b.NoBinary {
				c.Skip("backend stores text only")
			}
			name := uniqueName(tc.name)
			put(c, b, name, tc.value)
			_, data := mustFetch(c, b, name)
			if !bytes.Equal(data, tc.value) {
				c.Errorf("the value changed in transit: got %d bytes, want %d", len(data), len(tc.value))
			}
		})
	}
}

func testRotation(c *checker, b Backend) {
	name := uniqueName("rotate")
	put(c, b, name, []byte("first"))
	v1, d1 := mustFetch(c, b, name)
	put(c, b, name, []byte("second"))
	v2, d2 := mustFetch(c, b, name)
	if string(d1) != "first" || string(d2) != "second" {
		c.Fatalf("rotation not seen: the values before and after do not match what was stored")
	}
	if !b.NoVersions && v1.Version == v2.Version {
		c.Errorf("rotation kept the same Version %q", v1.Version)
	}
}

func testContext(c *checker, b Backend) {
	c.sub("cancelled", func(c *checker) {
		name := uniqueName("cancel")
		put(c, b, name, []byte("v"))
		cx, cancel := context.WithCancel(c.Context())
		cancel()
		start := time.Now()
		_, err := b.Provider.Fetch(cx, b.Ref(name).Secret())
		if err == nil {
			c.Fatal("Fetch with a cancelled context returned no error")
		}
		if !errors.Is(err, context.Canceled) {
			c.Errorf("Fetch with a cancelled context: the error does not wrap context.Canceled: %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			c.Errorf("Fetch with a cancelled context took %v", d)
		}
	})
	c.sub("deadline", func(c *checker) {
		name := uniqueName("deadline")
		put(c, b, name, []byte("v"))
		cx, cancel := context.WithDeadline(c.Context(), time.Now().Add(-time.Second))
		defer cancel()
		_, err := b.Provider.Fetch(cx, b.Ref(name).Secret())
		if err == nil {
			c.Fatal("Fetch past its deadline returned no error")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			c.Errorf("Fetch past its deadline: the error does not wrap context.DeadlineExceeded: %v", err)
		}
	})
}

func testErrors(c *checker, b Backend) {
	c.sub("names", func(c *checker) {
		name := uniqueName("missing")
		_, _, err := fetch(c, b, b.Ref(name))
		if err == nil {
			c.T.Fatal("Fetch of a missing secret returned no error (see MissingIsErrNotFound)")
		}
		if !strings.Contains(err.Error(), name) {
			c.Errorf("the error for a missing secret does not name it (%q): %v", name, err)
		}
		if b.Unservable == nil {
			return
		}
		name = uniqueName("unservable")
		put(c, b, name, []byte(Canary))
		if err := b.Unservable(ctx(c.T), name); err != nil {
			c.T.Fatalf("harness Unservable(%q): %v", name, err)
		}
		check := func(how string, err error) {
			c.Helper()
			if err == nil {
				c.T.Errorf("%s of an unservable secret returned no error (see UnservableIsNotNotFound)", how)
				return
			}
			if !strings.Contains(err.Error(), name) {
				c.Errorf("%s: the error for an unservable secret does not name it (%q): %v", how, name, err)
			}
			if leaks(err) {
				c.Errorf("%s: the error for an unservable secret contains the secret value", how)
			}
		}
		ref := b.Ref(name).Secret()
		_, err = b.Provider.Fetch(ctx(c.T), ref)
		check("Fetch", err)
		if bf, ok := b.Provider.(driver.BatchFetcher); ok {
			if res, err := bf.FetchBatch(ctx(c.T), []driver.Ref{ref}); err != nil {
				check("FetchBatch", err)
			} else if len(res) == 1 {
				check("FetchBatch", res[0].Err)
			}
		}
	})
	c.sub("never-value", func(c *checker) {
		name := uniqueName("canary")
		put(c, b, name, []byte(Canary))
		// Errors that can happen once a canary is stored: a bad key, a
		// missing version, a cancelled fetch, a missing sibling.
		ref := b.Ref(name)
		var errs []error
		cx, cancel := context.WithCancel(c.Context())
		cancel()
		_, err := b.Provider.Fetch(cx, ref.Secret())
		errs = append(errs, err)
		_, _, err = fetch(c, b, driver.Ref{Scheme: ref.Scheme, Name: ref.Name, Query: ref.Query, Key: "no-such-key"})
		errs = append(errs, err)
		_, _, err = fetch(c, b, driver.Ref{Scheme: ref.Scheme, Name: ref.Name, Query: ref.Query, Key: "/no/such/pointer"})
		errs = append(errs, err)
		if pf, ok := b.Provider.(driver.PreviousFetcher); ok {
			_, err = pf.FetchPrevious(ctx(c.T), ref.Secret())
			errs = append(errs, err)
		}
		for i, err := range errs {
			if err != nil && leaks(err) {
				c.Errorf("error %d contains the secret value", i)
			}
		}
	})
}

func testConcurrent(c *checker, b Backend) {
	names := make([]string, 4)
	for i := range names {
		names[i] = uniqueName(fmt.Sprintf("par%d", i))
		put(c, b, names[i], []byte("value-"+names[i]))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				n := names[(g+i)%len(names)]
				v, err := b.Provider.Fetch(ctx(c.T), b.Ref(n).Secret())
				if err != nil {
					errs <- err.Error()
					return
				}
				data, err := driver.Select(v.Data, b.Ref(n).Key)
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
		c.Error(e)
	}
}

func testOwnership(c *checker, b Backend) {
	name := uniqueName("owned")
	put(c, b, name, []byte("original"))
	v1, err := b.Provider.Fetch(ctx(c.T), b.Ref(name).Secret())
	if err != nil {
		c.Fatalf("Fetch: %v", err)
	}
	for i := range v1.Data {
		v1.Data[i] = 'X'
	}
	_, data := mustFetch(c, b, name)
	if string(data) != "original" {
		c.Error("modifying the returned Data changed what a later Fetch returns")
	}
}

// batchRefs stores 25 secrets (more than AWS's 20 per call) and returns
// their refs followed by the ref of a missing secret, and the values stored.
func batchRefs(c *checker, b Backend) (refs []driver.Ref, want []string) {
	c.Helper()
	for i := 0; i < 25; i++ {
		n := uniqueName(fmt.Sprintf("batch%d", i))
		put(c, b, n, []byte("batch-"+n))
		refs = append(refs, b.Ref(n))
		want = append(want, "batch-"+n)
	}
	return append(refs, b.Ref(uniqueName("batchmissing"))), want
}

func secrets(refs []driver.Ref) []driver.Ref {
	out := make([]driver.Ref, len(refs))
	for i, r := range refs {
		out[i] = r.Secret()
	}
	return out
}

func testBatch(c *checker, b Backend) {
	bf, ok := b.Provider.(driver.BatchFetcher)
	if !ok {
		c.Skip("provider is not a BatchFetcher")
	}
	refs, want := batchRefs(c, b)
	res, err := bf.FetchBatch(ctx(c.T), secrets(refs))
	if err != nil {
		c.Fatalf("FetchBatch: %v", err)
	}
	if len(res) != len(refs) {
		c.Fatalf("FetchBatch returned %d results for %d refs", len(res), len(refs))
	}
	for i := range want {
		if res[i].Err != nil {
			c.Errorf("result %d: %v", i, res[i].Err)
			continue
		}
		data, err := driver.Select(res[i].Value.Data, refs[i].Key)
		if err != nil || string(data) != want[i] {
			c.Errorf("result %d does not hold the value of ref %d", i, i)
		}
	}
	if last := res[len(res)-1].Err; !errors.Is(last, driver.ErrNotFound) {
		c.Errorf("FetchBatch: the missing secret's result does not wrap ErrNotFound: %v", last)
	}
}

func testBatchContext(c *checker, b Backend) {
	bf, ok := b.Provider.(driver.BatchFetcher)
	if !ok {
		c.Skip("provider is not a BatchFetcher")
	}
	refs, _ := batchRefs(c, b)
	cx, cancel := context.WithCancel(c.Context())
	cancel()
	res, err := bf.FetchBatch(cx, secrets(refs[:2]))
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			c.Errorf("FetchBatch with a cancelled context: %v", err)
		}
		return
	}
	for i, r := range res {
		if !errors.Is(r.Err, context.Canceled) {
			c.Errorf("FetchBatch with a cancelled context: result %d: %v", i, r.Err)
		}
	}
}

func testPrevious(c *checker, b Backend) {
	pf, ok := b.Provider.(driver.PreviousFetcher)
	if !ok {
		c.Skip("provider is not a PreviousFetcher")
	}
	if b.NoHistory {
		c.Skip("backend keeps no earlier versions (see NoPreviousIsNotFound)")
	}
	name := uniqueName("prev")
	put(c, b, name, []byte("one"))
	put(c, b, name, []byte("two"))
	v, err := pf.FetchPrevious(ctx(c.T), b.Ref(name).Secret())
	if err != nil {
		c.Fatalf("FetchPrevious: %v", err)
	}
	data, err := driver.Select(v.Data, b.Ref(name).Key)
	if err != nil || string(data) != "one" {
		c.Error("FetchPrevious did not return the previous value")
	}
	cur, _ := mustFetch(c, b, name)
	if !b.NoVersions && cur.Version == v.Version {
		c.Errorf("the previous and the current version share Version %q", v.Version)
	}
}

func testNoPrevious(c *checker, b Backend) {
	pf, ok := b.Provider.(driver.PreviousFetcher)
	if !ok {
		c.Skip("provider is not a PreviousFetcher")
	}
	name := uniqueName("noprev")
	put(c, b, name, []byte("one"))
	if _, err := pf.FetchPrevious(ctx(c.T), b.Ref(name).Secret()); !errors.Is(err, driver.ErrNotFound) {
		c.Errorf("FetchPrevious with one version: want ErrNotFound, got %v", err)
	}
	if b.NoHistory {
		put(c, b, name, []byte("two"))
		if _, err := pf.FetchPrevious(ctx(c.T), b.Ref(name).Secret()); !errors.Is(err, driver.ErrNotFound) {
			c.Errorf("FetchPrevious on a backend without history: want ErrNotFound, got %v", err)
		}
	}
}

func testFetchAfterClose(c *checker, b Backend) {
	cl, ok := b.Provider.(driver.Closer)
	if !ok {
		c.Skip("provider is not a Closer")
	}
	name := uniqueName("close")
	put(c, b, name, []byte("v"))
	if err := cl.Close(); err != nil {
		c.Fatalf("Close: %v", err)
	}
	if _, err := b.Provider.Fetch(ctx(c.T), b.Ref(name).Secret()); !errors.Is(err, driver.ErrClosed) {
		c.Errorf("Fetch after Close: want ErrClosed, got %v", err)
	}
}

func testCloseTwice(c *checker, b Backend) {
	cl, ok := b.Provider.(driver.Closer)
	if !ok {
		c.Skip("provider is not a Closer")
	}
	if err := cl.Close(); err != nil {
		c.Fatalf("Close: %v", err)
	}
	if err := cl.Close(); err != nil {
		c.Errorf("second Close: %v", err)
	}
}

func testCheckRef(c *checker, b Backend) {
	rc, ok := b.Provider.(driver.RefChecker)
	if !ok {
		c.Skip("provider is not a RefChecker")
	}
	name := uniqueName("check")
	put(c, b, name, []byte(Canary))
	ref := b.Ref(name)
	if err := rc.CheckRef(ref); err != nil {
		c.Errorf("CheckRef refused the reference of a secret the provider serves: %v", err)
	}
	mustFetch(c, b, name)
	// No provider serves an empty name.
	bad := driver.Ref{Scheme: ref.Scheme, Query: ref.Query}
	err := rc.CheckRef(bad)
	switch {
	case err == nil:
		c.Error("CheckRef accepted a reference with an empty name")
	case !errors.Is(err, driver.ErrInvalidRef):
		c.Errorf("CheckRef's error does not wrap ErrInvalidRef: %v", err)
	}
}

// renewable returns the provider as a Renewer and a value it fetched for a
// new secret, which has no lease (the suite's secrets are stored with Put).
func renewable(c *checker, b Backend) (driver.Renewer, driver.Ref, driver.Value) {
	c.Helper()
	r, ok := b.Provider.(driver.Renewer)
	if !ok {
		c.Skip("provider is not a Renewer")
	}
	name := uniqueName("renew")
	put(c, b, name, []byte(Canary))
	v, _ := mustFetch(c, b, name)
	ref := b.Ref(name).Secret()
	if !v.Expires.IsZero() {
		c.Skip("the backend's values carry leases; the provider's own tests cover renewal")
	}
	return r, ref, v
}

func testRenewUnleased(c *checker, b Backend) {
	r, ref, v := renewable(c, b)
	_, err := r.Renew(ctx(c.T), ref, v)
	if !errors.Is(err, driver.ErrNotRenewable) {
		c.Errorf("Renew of a value without a lease: want an error wrapping ErrNotRenewable, got %v", err)
	}
	if err != nil && strings.Contains(err.Error(), Canary) {
		c.Error("Renew's error holds the secret's value")
	}
}

func testRenewContext(c *checker, b Backend) {
	r, ref, v := renewable(c, b)
	v.Expires = time.Now().Add(time.Hour) // as if it had a lease
	cx, cancel := context.WithCancel(c.Context())
	cancel()
	done := make(chan error, 1)
	go func() { _, err := r.Renew(cx, ref, v); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) && !errors.Is(err, driver.ErrNotRenewable) {
			c.Errorf("Renew with a cancelled context: want an error wrapping context.Canceled (or ErrNotRenewable), got %v", err)
		}
		if err != nil && strings.Contains(err.Error(), Canary) {
			c.Error("Renew's error holds the secret's value")
		}
	case <-time.After(10 * time.Second):
		c.Error("Renew with a cancelled context did not return within 10s")
	}
}

// startWatch fetches a new secret and starts watching it; the returned
// channels carry the refs reported and Watch's result.
func startWatch(c *checker, b Backend, w driver.Watcher, ctx context.Context) (string, driver.Ref, <-chan driver.Ref, <-chan error) {
	c.Helper()
	name := uniqueName("watch")
	put(c, b, name, []byte("before"))
	ref := b.Ref(name).Secret()
	if _, err := b.Provider.Fetch(ctx, ref); err != nil {
		c.Fatalf("Fetch(%s): %v", ref, err)
	}
	got := make(chan driver.Ref, 16)
	done := make(chan error, 1)
	go func() {
		done <- w.Watch(ctx, []driver.Ref{ref}, func(r driver.Ref) {
			select {
			case got <- r:
			default:
			}
		})
	}()
	return name, ref, got, done
}

func testWatch(c *checker, b Backend) {
	w, ok := b.Provider.(driver.Watcher)
	if !ok {
		c.Skip("provider is not a Watcher")
	}
	cx, cancel := context.WithCancel(c.Context())
	name, ref, got, done := startWatch(c, b, w, cx)
	defer func() {
		// Whether Watch returns is WatchReturnsContextError's to check;
		// this case only waits a bounded time for it.
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	}()
	// The watch may need a moment to be established; put again until seen.
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	put(c, b, name, []byte("after-0"))
	for i := 1; ; i++ {
		select {
		case r := <-got:
			if r != ref {
				c.Errorf("changed reported %v, want %v", r, ref)
			}
			return
		case err := <-done:
			c.Fatalf("Watch returned before reporting a change: %v", err)
		case <-tick.C:
			put(c, b, name, []byte(fmt.Sprintf("after-%d", i)))
		case <-deadline:
			c.Fatal("Watch did not report a change within 20s")
		}
	}
}

func testWatchReturns(c *checker, b Backend) {
	w, ok := b.Provider.(driver.Watcher)
	if !ok {
		c.Skip("provider is not a Watcher")
	}
	cx, cancel := context.WithCancel(c.Context())
	defer cancel()
	_, _, _, done := startWatch(c, b, w, cx)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			c.Errorf("Watch returned %v after its context was cancelled, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		c.Error("Watch did not return within 10s after its context was cancelled")
	}
}
