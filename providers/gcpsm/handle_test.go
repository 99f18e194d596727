package gcpsm_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// TestHandleRotation: a running Handle sees a new version of a secret
// (added over gRPC through the official client's server), swaps its
// snapshot, reports the changed field, and keeps the previous enabled
// version in the rotation field.
func TestHandleRotation(t *testing.T) {
	srv, _, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "signing-key", []byte("sig-one")))
	type Config struct {
		Signing driftless.Rotating `env:"SIGNING" default:"gcpsm://test-project/signing-key"`
	}
	h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(nil), driftless.WithProvider("gcpsm", p))
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, "sig-one", h.Current().Signing.Current().Value())
	assert.Equal(t, "1", h.Report().Fields[0].Version, "latest resolves to a version number")

	var mu sync.Mutex
	var changed []string
	h.OnChange(func(c driftless.Change[Config]) { mu.Lock(); changed = append(changed, c.Paths...); mu.Unlock() })
	v, err := srv.Rotate(ctx, "signing-key", []byte("sig-two"))
	require.NoError(t, err)
	require.Equal(t, 2, v)
	require.NoError(t, h.ForceRefresh(ctx))
	assert.Equal(t, "sig-two", h.Current().Signing.Current().Value())
	assert.Equal(t, "sig-one", h.Current().Signing.Previous().Value())
	assert.Equal(t, "2", h.Report().Fields[0].Version)
	mu.Lock()
	assert.Equal(t, []string{"Signing"}, changed)
	mu.Unlock()
}
