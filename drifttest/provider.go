package drifttest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/driftless/driftless/driver"
)

// Provider is an in-memory driver.Provider with versions, for unit tests
// and examples. Register it under a scheme of your choice:
//
//	mem := drifttest.NewProvider()
//	mem.Set("prod/db", `{"password":"pw"}`)
//	driftless.Load(ctx, &cfg, driftless.WithProvider("mem", mem))  // DB_PASSWORD=mem://prod/db#password
//
// A reference's Name is the secret name; "?version=N" pins version N
// (numbered from 1). It can inject latency and failures, and counts calls.
// It is safe for concurrent use.
type Provider struct {
	mu      sync.Mutex
	secrets map[string][][]byte
	created map[string][]time.Time
	expires map[string]time.Duration
	maxTTL  map[string]time.Duration
	renewed int
	fail    map[string]error
	failAll error
	latency time.Duration
	calls   int
	closed  bool
	batches int
}

// NewProvider returns an empty Provider.
func NewProvider() *Provider {
	return &Provider{secrets: map[string][][]byte{}, created: map[string][]time.Time{}, expires: map[string]time.Duration{}, maxTTL: map[string]time.Duration{}, fail: map[string]error{}}
}

// Set stores value as a new version of name and returns its version id.
func (p *Provider) Set(name, value string) string { return p.SetBytes(name, []byte(value)) }

// SetBytes stores data as a new version of name and returns its version id.
func (p *Provider) SetBytes(name string, data []byte) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secrets[name] = append(p.secrets[name], append([]byte(nil), data...))
	p.created[name] = append(p.created[name], time.Now())
	return strconv.Itoa(len(p.secrets[name]))
}

// Put is Set in the form providertest.Backend expects.
func (p *Provider) Put(_ context.Context, name string, data []byte) error {
	p.SetBytes(name, data)
	return nil
}

// Delete removes name and all its versions.
func (p *Provider) Delete(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.secrets, name)
	delete(p.created, name)
}

// SetLease makes fetches of name report an expiry d after the fetch, like a
// Vault lease.
func (p *Provider) SetLease(name string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expires[name] = d
}

// SetMaxLease makes the leases of name renewable (see Renew) up to max
// after the version was created, like a Vault lease's max TTL.
func (p *Provider) SetMaxLease(name string, max time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxTTL[name] = max
}

// Renewals returns the number of successful Renew calls.
func (p *Provider) Renewals() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.renewed
}

// Renew implements driver.Renewer for secrets given a lease with
// SetLease and a max with SetMaxLease: it extends v's lease, keeping its
// data (as Vault keeps dynamic credentials), until less than half a lease
// is left before the max, and then fails with driver.ErrNotRenewable.
func (p *Provider) Renew(ctx context.Context, ref driver.Ref, v driver.Value) (driver.Value, error) {
	if err := p.wait(ctx); err != nil {
		return driver.Value{}, fmt.Errorf("drifttest: renewing %s: %w", ref.Name, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ttl, max := p.expires[ref.Name], p.maxTTL[ref.Name]
	if ttl <= 0 || max <= 0 {
		return driver.Value{}, fmt.Errorf("drifttest: renewing %s: %w", ref.Name, driver.ErrNotRenewable)
	}
	now := time.Now()
	end := v.Created.Add(max)
	exp := now.Add(ttl)
	if exp.After(end) {
		if end.Sub(now) < ttl/2 {
			return driver.Value{}, fmt.Errorf("drifttest: renewing %s: %w: near its max lease", ref.Name, driver.ErrNotRenewable)
		}
		exp = end
	}
	p.renewed++
	v.Expires = exp
	return v, nil
}

// SetLatency makes every call wait d (or until its context is done).
func (p *Provider) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Fail makes fetches of name fail with err (nil clears it).
func (p *Provider) Fail(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		delete(p.fail, name)
	} else {
		p.fail[name] = err
	}
}

// FailAll makes every call fail with err, as an unreachable backend does
// (nil clears it).
func (p *Provider) FailAll(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failAll = err
}

// Calls returns the number of backend calls made so far (a batch is one).
func (p *Provider) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// Batches returns the number of batch calls made through Batching.
func (p *Provider) Batches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.batches
}

func (p *Provider) wait(ctx context.Context) error {
	p.mu.Lock()
	p.calls++
	d, closed := p.latency, p.closed
	p.mu.Unlock()
	if closed {
		return driver.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Fetch implements driver.Provider.
func (p *Provider) Fetch(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	if err := p.wait(ctx); err != nil {
		return driver.Value{}, fmt.Errorf("drifttest: fetching %s: %w", ref.Name, err)
	}
	return p.lookup(ref, 0)
}

// FetchPrevious implements driver.PreviousFetcher.
func (p *Provider) FetchPrevious(ctx context.Context, ref driver.Ref) (driver.Value, error) {
	if err := p.wait(ctx); err != nil {
		return driver.Value{}, fmt.Errorf("drifttest: fetching %s: %w", ref.Name, err)
	}
	return p.lookup(ref, 1)
}

// lookup returns the version back steps before the selected one.
func (p *Provider) lookup(ref driver.Ref, back int) (driver.Value, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failAll != nil {
		return driver.Value{}, fmt.Errorf("drifttest: fetching %s: %w", ref.Name, p.failAll)
	}
	if err := p.fail[ref.Name]; err != nil {
		return driver.Value{}, fmt.Errorf("drifttest: fetching %s: %w", ref.Name, err)
	}
	versions := p.secrets[ref.Name]
	n := len(versions)
	if v := ref.Param("version"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 1 || i > len(versions) {
			return driver.Value{}, fmt.Errorf("%w: drifttest: %s version %s", driver.ErrNotFound, ref.Name, v)
		}
		n = i
	}
	n -= back
	if n < 1 {
		return driver.Value{}, fmt.Errorf("%w: drifttest: %s (version %d)", driver.ErrNotFound, ref.Name, n)
	}
	v := driver.Value{
		Data:    append([]byte(nil), versions[n-1]...),
		Version: strconv.Itoa(n),
		Created: p.created[ref.Name][n-1],
	}
	if d := p.expires[ref.Name]; d > 0 {
		v.Expires = time.Now().Add(d)
	}
	return v, nil
}

// Close implements driver.Closer: later calls fail with ErrClosed.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

// Batching returns a view of p that also implements driver.BatchFetcher,
// counting one call per batch of up to max references (as AWS's
// BatchGetSecretValue does with 20).
func (p *Provider) Batching(max int) *BatchProvider { return &BatchProvider{Provider: p, max: max} }

// BatchProvider is a Provider that fetches in batches; see Provider.Batching.
type BatchProvider struct {
	*Provider
	max int
}

// FetchBatch implements driver.BatchFetcher: one call (and one latency)
// per batch of up to max references, batches sent concurrently.
func (b *BatchProvider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	out := make([]driver.Result, len(refs))
	var wg sync.WaitGroup
	errs := make(chan error, len(refs)/max(b.max, 1)+1)
	for start := 0; start < len(refs); start += max(b.max, 1) {
		end := min(start+max(b.max, 1), len(refs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.mu.Lock()
			b.batches++
			b.mu.Unlock()
			if err := b.wait(ctx); err != nil {
				errs <- fmt.Errorf("drifttest: batch fetch: %w", err)
				return
			}
			for i := start; i < end; i++ {
				v, err := b.lookup(refs[i], 0)
				out[i] = driver.Result{Value: v, Err: err}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}
