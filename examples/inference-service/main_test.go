package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoRotatesWithoutLeaking(t *testing.T) {
	var out, logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	require.NoError(t, runDemo(t.Context(), logger, &out), "demo:\n%s\n%s", out.String(), logs.String())
	all := out.String() + logs.String()
	for _, secret := range []string{"demo-key-v1", "demo-key-v2"} {
		// Not assert.NotContains: it would print the value.
		assert.False(t, strings.Contains(all, secret), "output contains a secret value")
	}
	for _, want := range []string{"model: gpt-4-turbo says: hello", "model: gpt-4-turbo says: hello again", "OPENAI_API_KEY",
		"GET /healthz/ready: 200 ok", "GET /healthz/live: 200", "GET /metrics: 200", "driftless_swaps_total"} {
		assert.Contains(t, out.String(), want, "demo output")
	}
	assert.Contains(t, logs.String(), "config changed", "the change hook did not fire")
}
