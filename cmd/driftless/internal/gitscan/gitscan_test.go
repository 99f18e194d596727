package gitscan_test

import (
	"testing"

	"github.com/driftless/driftless/cmd/driftless/internal/gitscan"
	"github.com/stretchr/testify/assert"
)

func TestIsEnvFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{".env", true},
		{"svc/.env", true},
		{".env.local", true},
		{"deploy/.env.production", true},
		{".env.example", false},
		{".env.sample", false},
		{".env.template", false},
		{".env.dist", false},
		{"env", false},
		{"prod.env", false},
		{".envrc", false},
		{".environment", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, gitscan.IsEnvFile(tt.path), tt.path)
	}
}
