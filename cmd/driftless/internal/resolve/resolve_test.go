package resolve_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/resolve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memProvider serves secrets from a map and counts calls.
type memProvider struct {
	data    map[string]string
	fetches atomic.Int32
	batches atomic.Int32
}

func (p *memProvider) Fetch(ctx context.Context, ref driftless.Ref) (driftless.Value, error) {
	p.fetches.Add(1)
	v, ok := p.data[ref.Name]
	if !ok {
		return driftless.Value{}, fmt.Errorf("%w: %s", driftless.ErrNotFound, ref.Name)
	}
	return driftless.Value{Data: []byte(v), Version: "v1"}, nil
}

// batchProvider adds FetchBatch to memProvider.
type batchProvider struct{ *memProvider }

func (p batchProvider) FetchBatch(ctx context.Context, refs []driftless.Ref) ([]driftless.Result, error) {
	p.batches.Add(1)
	out := make([]driftless.Result, len(refs))
	for i, r := range refs {
		v, ok := p.data[r.Name]
		if !ok {
			out[i].Err = fmt.Errorf("%w: %s", driftless.ErrNotFound, r.Name)
			continue
		}
		out[i].Value = driftless.Value{Data: []byte(v), Version: "b1"}
	}
	return out, nil
}

func mustRef(t *testing.T, s string) driftless.Ref {
	t.Helper()
	r, err := driftless.ParseRef(s)
	require.NoError(t, err)
	return r
}

func TestResolve(t *testing.T) {
	t.Parallel()
	data := map[string]string{"db": `{"user":"app","password":"pw"}`, "key": "k1"}
	tests := []struct {
		name        string
		batch       bool
		wantFetches int32
		wantBatches int32
	}{
		{"one fetch per secret", false, 2, 0},
		{"batch", true, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := &memProvider{data: data}
			var p driftless.Provider = mem
			if tt.batch {
				p = batchProvider{mem}
			}
			var made atomic.Int32
			r := resolve.New(map[string]resolve.Factory{
				"awssm": func(context.Context) (driftless.Provider, error) { made.Add(1); return p, nil },
				"gcpsm": func(context.Context) (driftless.Provider, error) { t.Error("gcpsm provider created"); return nil, nil },
			}, 4)
			refs := []driftless.Ref{
				mustRef(t, "awssm://db#user"), mustRef(t, "awssm://db#password"),
				mustRef(t, "awssm://key"), mustRef(t, "awssm://db#missing"), mustRef(t, "awssm://absent"),
				mustRef(t, "azkv://vault/none"),
			}
			got := r.Resolve(t.Context(), refs)
			assert.Equal(t, "app", string(got[refs[0]].Value))
			assert.Equal(t, "pw", string(got[refs[1]].Value))
			assert.Equal(t, "k1", string(got[refs[2]].Value))
			assert.ErrorIs(t, got[refs[3]].Err, driftless.ErrNotFound)
			assert.NotContains(t, got[refs[3]].Err.Error(), "pw")
			assert.ErrorIs(t, got[refs[4]].Err, driftless.ErrNotFound)
			assert.ErrorIs(t, got[refs[5]].Err, driftless.ErrNoProvider)
			assert.Equal(t, int32(1), made.Load())
			if tt.batch {
				assert.Equal(t, int32(1), mem.batches.Load())
			} else {
				assert.Equal(t, int32(3), mem.fetches.Load(), "db, key and absent: one fetch each")
			}
			require.NoError(t, r.Close())
		})
	}
}

func TestFactoryError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	r := resolve.New(map[string]resolve.Factory{
		"vault": func(context.Context) (driftless.Provider, error) {
			calls.Add(1)
			return nil, errors.New("no VAULT_ADDR")
		},
	}, 0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := mustRef(t, "vault://secret/app")
			got := r.Resolve(t.Context(), []driftless.Ref{ref})
			assert.ErrorContains(t, got[ref].Err, "configuring the vault provider: no VAULT_ADDR")
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load(), "the factory runs once")
	assert.NoError(t, r.Close(), "a failed factory's typed nil is not closed")
}
