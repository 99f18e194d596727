package awssm

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/driftless/driftless/driver"
	"golang.org/x/sync/errgroup"
)

// batchSize is the most secrets one BatchGetSecretValue call may name.
const batchSize = 20

// maxPages bounds the pages read for one BatchGetSecretValue call.
const maxPages = 10

// slot is one distinct secret selector of a FetchBatch call and the
// indexes of the refs that name it.
type slot struct {
	sel selector
	idx []int
	val driver.Value
	err error
}

// FetchBatch fetches refs with as few round trips as Secrets Manager
// allows: secrets named without a version selector are read with
// BatchGetSecretValue, 20 per call, all calls sent concurrently (see
// WithConcurrency); the others are read with concurrent GetSecretValue
// calls. Names and ARNs of the client's own region share their calls; only
// ARNs of other regions are grouped apart, one group of calls per region.
// (The client's region is known when the client has an Options method, as
// *secretsmanager.Client does; with another API, every ARN is grouped by
// its region.) Duplicate refs cost one read.
//
// When BatchGetSecretValue is denied (the identity has only
// secretsmanager:GetSecretValue; or HTTP 401 or 403 with a body that is not
// Secrets Manager's, from a proxy or an emulator enforcing IAM) or unknown
// to the endpoint, FetchBatch reads the same secrets with GetSecretValue
// and remembers not to batch again for the Provider's life.
//
// It returns one Result per ref, in order, each as Fetch would; the error
// is non-nil only when ctx was already done.
func (p *Provider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("awssm: batch of %d references: %w", len(refs), err)
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

	var batches [][]*slot
	var singles []*slot
	if p.opts.batch && !p.batchOff.Load() {
		byRegion := map[string][]*slot{}
		var regions []string
		for _, sl := range slots {
			if !sl.sel.batchable() {
				singles = append(singles, sl)
				continue
			}
			region := sl.sel.region
			if region == p.region {
				region = "" // the client's own region
			}
			if _, ok := byRegion[region]; !ok {
				regions = append(regions, region)
			}
			byRegion[region] = append(byRegion[region], sl)
		}
		for _, r := range regions {
			group := byRegion[r]
			for len(group) > 0 {
				n := min(batchSize, len(group))
				batches = append(batches, group[:n])
				group = group[n:]
			}
		}
	} else {
		singles = slots
	}

	var mu sync.Mutex
	var again []*slot
	p.run(len(batches)+len(singles), func(i int) {
		if i < len(batches) {
			if left := p.batch(ctx, batches[i]); len(left) > 0 {
				mu.Lock()
				again = append(again, left...)
				mu.Unlock()
			}
			return
		}
		sl := singles[i-len(batches)]
		sl.val, sl.err = p.get(ctx, sl.sel)
	})
	// Secrets the batch calls did not answer for: read them one by one.
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

// batch reads chunk (at most 20 secrets of one region) with
// BatchGetSecretValue, fills in each slot's outcome and returns the slots
// it has no answer for (all of them when batching is not available).
func (p *Provider) batch(ctx context.Context, chunk []*slot) []*slot {
	if ctx.Err() == nil && p.batchOff.Load() {
		return chunk
	}
	ids := make([]string, len(chunk))
	for i, sl := range chunk {
		ids[i] = sl.sel.id
	}
	in := &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids}
	var values []types.SecretValueEntry
	var failed []types.APIErrorType
	for page := 0; page < maxPages; page++ {
		region := chunk[0].sel.region
		if region == p.region {
			region = ""
		}
		out, err := p.client.BatchGetSecretValue(ctx, in, callOptions(region)...)
		if err != nil {
			if ctx.Err() == nil && unsupported(err) {
				p.batchOff.Store(true)
				return chunk
			}
			for _, sl := range chunk {
				sl.err = wrap(ctx, sl.sel, err)
			}
			return nil
		}
		values = append(values, out.SecretValues...)
		failed = append(failed, out.Errors...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}

	var left []*slot
next:
	for _, sl := range chunk {
		for _, e := range values {
			if names(sl.sel.id, aws.ToString(e.Name), aws.ToString(e.ARN)) {
				sl.val = value(e.SecretString, bytes.Clone(e.SecretBinary), e.VersionId, e.CreatedDate)
				continue next
			}
		}
		for _, e := range failed {
			if aws.ToString(e.SecretId) == sl.sel.id {
				sl.err = wrap(ctx, sl.sel, &smithy.GenericAPIError{Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.Message)})
				continue next
			}
		}
		left = append(left, sl)
	}
	return left
}

// names reports whether id (a name, a full ARN or a partial ARN without
// the six-character suffix) names the secret called name with arn.
func names(id, name, arn string) bool {
	return id == name || id == arn || (strings.HasPrefix(arn, id+"-") && len(arn) == len(id)+7)
}
