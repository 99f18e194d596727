package azkv_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
)

// TestHandleRotation: a running Handle sees a new version of a Key Vault
// secret over HTTPS, swaps its snapshot, reports the changed field and
// version, and keeps the previous version in the rotation field.
func TestHandleRotation(t *testing.T) {
	srv, p := newProvider(t)
	srv.Set("signing-key", "sig-one")
	type Config struct {
		Signing driftless.Rotating `env:"SIGNING" default:"azkv://testvault/signing-key"`
	}
	ctx := t.Context()
	h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(nil), driftless.WithProvider("azkv", p))
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, "sig-one", h.Current().Signing.Current().Value())
	v1 := h.Report().Fields[0].Version

	var mu sync.Mutex
	var changed []string
	h.OnChange(func(c driftless.Change[Config]) { mu.Lock(); changed = append(changed, c.Paths...); mu.Unlock() })
	prev, cur := srv.Rotate("signing-key", "sig-two")
	require.Equal(t, v1, prev)
	require.NoError(t, h.ForceRefresh(ctx))
	assert.Equal(t, "sig-two", h.Current().Signing.Current().Value())
	assert.Equal(t, "sig-one", h.Current().Signing.Previous().Value())
	assert.Equal(t, cur, h.Report().Fields[0].Version, "the version served is reported")
	mu.Lock()
	assert.Equal(t, []string{"Signing"}, changed)
	mu.Unlock()
}
