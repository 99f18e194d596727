package awsps

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/driftless/driftless/driver"
	"golang.org/x/sync/errgroup"
)

// batchSize is the most names one GetParameters call may hold.
const batchSize = 10

// slot is one distinct parameter selector of a FetchBatch call and the
// indexes of the refs that name it.
type slot struct {
	sel selector
	idx []int
	val driver.Value
	err error
}

// FetchBatch fetches refs with GetParameters, 10 names (with their version
// or label selectors) per call, all calls sent concurrently (see
// WithConcurrency), SecureStrings decrypted. A name GetParameters reports
// as invalid (a parameter, version or label that does not exist) fails
// with driftless.ErrNotFound; a parameter the answer leaves out otherwise
// is read with GetParameter. Duplicate refs cost one read.
//
// It returns one Result per ref, in order, each as Fetch would; the error
// is non-nil only when ctx was already done.
func (p *Provider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("awsps: batch of %d references: %w", len(refs), err)
	}
	res := make([]driver.Result, len(refs))
	var slots []*slot
	bySel := map[selector]*slot{}
	for i, ref := range refs {
		sel, err := parse(ref)
		if err != nil {
			res[i].Err = err
			continue
		}
		sl := bySel[sel]
		if sl == nil {
			sl = &slot{sel: sel}
			bySel[sel] = sl
			slots = append(slots, sl)
		}
		sl.idx = append(sl.idx, i)
	}
	batches := slices.Collect(slices.Chunk(slots, batchSize))

	var mu sync.Mutex
	var again []*slot
	p.run(len(batches), func(i int) {
		if left := p.batch(ctx, batches[i]); len(left) > 0 {
			mu.Lock()
			again = append(again, left...)
			mu.Unlock()
		}
	})
	p.run(len(again), func(i int) {
		sl := again[i]
		sl.val, sl.err = p.get(ctx, sl.sel)
	})

	for _, sl := range slots {
		for k, i := range sl.idx {
			res[i] = driver.Result{Value: sl.val, Err: sl.err}
			if k > 0 && sl.err == nil {
				res[i].Value.Data = bytes.Clone(sl.val.Data)
			}
		}
	}
	return res, nil
}

// run calls fn(0) ... fn(n-1), at most WithConcurrency at once, and waits.
func (p *Provider) run(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(p.opts.concurrency)
	for i := range n {
		g.Go(func() error { fn(i); return nil })
	}
	_ = g.Wait() // fn reports through its slots, never an error
}

// batch reads chunk (at most 10 parameters) with GetParameters, fills in
// each slot's outcome and returns the slots the answer says nothing about.
func (p *Provider) batch(ctx context.Context, chunk []*slot) []*slot {
	names := make([]string, len(chunk))
	for i, sl := range chunk {
		names[i] = sl.sel.id()
	}
	if err := ctx.Err(); err != nil {
		for _, sl := range chunk {
			sl.err = fmt.Errorf("awsps: %s: %w", sl.sel, err)
		}
		return nil
	}
	out, err := p.client.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)}, tagCredentials)
	if err != nil {
		for _, sl := range chunk {
			sl.err = wrap(ctx, sl.sel, err)
		}
		return nil
	}
	var left []*slot
	for _, sl := range chunk {
		if prm := answer(sl.sel, out.Parameters); prm != nil {
			sl.val = value(prm.Value, prm.Version, prm.LastModifiedDate)
			continue
		}
		if slices.Contains(out.InvalidParameters, sl.sel.id()) {
			sl.err = fmt.Errorf("%w: awsps: %s: GetParameters lists it as invalid (no such parameter, version or label)", driver.ErrNotFound, sl.sel)
			continue
		}
		left = append(left, sl)
	}
	return left
}

// answer returns the parameter of a GetParameters answer that is what s
// asked for, or nil. Parameter Store says which selector each parameter
// answers (Selector, ":3" or ":live"); an answer without selectors (moto's)
// is matched by version: the current version is the highest, a version
// selector names its number, and a label cannot be told apart, so that a
// parameter read by label is then read with GetParameter.
func answer(s selector, params []types.Parameter) *types.Parameter {
	var best *types.Parameter
	for i := range params {
		prm := &params[i]
		if aws.ToString(prm.Name) != s.name && aws.ToString(prm.ARN) != s.name {
			continue
		}
		switch sel := aws.ToString(prm.Selector); {
		case s.version > 0:
			if sel == fmt.Sprintf(":%d", s.version) || (sel == "" && prm.Version == s.version) {
				return prm
			}
		case s.label != "":
			if sel == ":"+s.label {
				return prm
			}
		case sel == "" && (best == nil || prm.Version > best.Version):
			best = prm
		}
	}
	return best
}
