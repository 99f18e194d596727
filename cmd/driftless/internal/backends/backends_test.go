package backends_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFactories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	tests := []struct {
		name    string
		scheme  string
		env     map[string]string
		wantErr string
	}{
		{"azkv default credential (created on first fetch)", "azkv", nil, ""},
		{"azkv endpoint", "azkv", map[string]string{backends.EnvAZKVEndpoint: "https://127.0.0.1:8443"}, ""},
		{"azkv endpoint must be https", "azkv", map[string]string{backends.EnvAZKVEndpoint: "http://127.0.0.1:8443"}, "https"},
		{"azkv CA without endpoint", "azkv", map[string]string{backends.EnvAZKVCAFile: notPEM}, "DRIFTLESS_AZKV_CA_FILE is set without DRIFTLESS_AZKV_ENDPOINT"},
		{"azkv emulator token without endpoint", "azkv", map[string]string{backends.EnvAZKVEmulatorToken: "t"}, "DRIFTLESS_AZKV_EMULATOR_TOKEN is set without DRIFTLESS_AZKV_ENDPOINT"},
		{"azkv emulator token", "azkv", map[string]string{backends.EnvAZKVEndpoint: "https://127.0.0.1:8443", backends.EnvAZKVEmulatorToken: "t"}, ""},
		{"azkv former token variable is refused", "azkv", map[string]string{backends.EnvAZKVEndpoint: "https://127.0.0.1:8443", "DRIFTLESS_AZKV_TOKEN": "t"}, "DRIFTLESS_AZKV_TOKEN is not read"},
		{"azkv CA not PEM", "azkv", map[string]string{backends.EnvAZKVEndpoint: "https://127.0.0.1:1", backends.EnvAZKVCAFile: notPEM}, "holds no PEM certificate"},
		{"azkv CA missing", "azkv", map[string]string{backends.EnvAZKVEndpoint: "https://127.0.0.1:1", backends.EnvAZKVCAFile: filepath.Join(dir, "absent")}, "reading DRIFTLESS_AZKV_CA_FILE"},
		{"gcpsm endpoint (no credentials, dials lazily)", "gcpsm", map[string]string{backends.EnvGCPSMEndpoint: "127.0.0.1:1", backends.EnvGCPSMProject: "p"}, ""},
		{"file", "file", nil, ""},
		{"awsps default chain (created on first fetch)", "awsps", nil, ""},
		{"sops without keys (fails on first fetch)", "sops", nil, ""},
		{"sops SOPS_AGE_KEY_FILE (read on each fetch)", "sops", map[string]string{"SOPS_AGE_KEY_FILE": filepath.Join(dir, "absent")}, ""},
		{"sops malformed SOPS_AGE_KEY", "sops", map[string]string{"SOPS_AGE_KEY": "AGE-SECRET-KEY-1NOTAKEY"}, "SOPS_AGE_KEY: line 1 is not an age identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := backends.Factories(func(k string) string { return tt.env[k] })[tt.scheme]
			require.NotNil(t, f)
			p, err := f(t.Context())
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, p)
			if c, ok := p.(interface{ Close() error }); ok {
				assert.NoError(t, c.Close())
			}
		})
	}
	_, ok := backends.Factories(os.Getenv)["file"]
	assert.True(t, ok)
	p, err := backends.Factories(os.Getenv)["file"](t.Context())
	require.NoError(t, err)
	assert.IsType(t, &files.Provider{}, p)
}
