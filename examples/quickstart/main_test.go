package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartPrintsNoSecret(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	require.NoError(t, run(t.Context(), f), "quickstart failed")
	b, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	out := string(b)
	for _, secret := range []string{"sk-demo-not-a-real-key", "demo-db-password"} {
		// Not assert.NotContains: it would print the value.
		assert.False(t, strings.Contains(out, secret), "output contains a secret value")
	}
	for _, want := range []string{"serving gpt-4-turbo", "OPENAI_API_KEY", "demo.env:2", "DB_PASSWORD_FILE", "[REDACTED] hmac:"} {
		assert.Contains(t, out, want)
	}
}
