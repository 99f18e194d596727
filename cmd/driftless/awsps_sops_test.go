package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/driftless/driftless/providers/awsps/awspstest"
	"github.com/driftless/driftless/providers/sops/sopstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awspsEnv starts a fake Parameter Store and returns the variables of the
// AWS default chain that point the SDK at it.
func awspsEnv(t testing.TB) (*awspstest.Server, []string) {
	t.Helper()
	srv := awspstest.NewServer()
	t.Cleanup(srv.Close)
	return srv, []string{
		"AWS_ENDPOINT_URL_SSM=" + srv.URL,
		"AWS_REGION=" + awspstest.DefaultRegion,
		"AWS_ACCESS_KEY_ID=AKIDTEST",
		"AWS_SECRET_ACCESS_KEY=test-secret-key",
	}
}

// writeSOPS encrypts plaintext for recipient with sops's format and writes
// it to dir/name.
func writeSOPS(t testing.TB, dir, name, plaintext, format string, recipient *age.X25519Recipient) string {
	t.Helper()
	enc, err := sopstest.Encrypt([]byte(plaintext), format, recipient)
	require.NoError(t, err)
	return writeFile(t, dir, name, string(enc))
}

// TestExecAWSPSAndSOPS resolves Parameter Store references (the fake,
// through the AWS default chain) and SOPS-encrypted files (decrypted with
// the key that SOPS_AGE_KEY_FILE names), and fails, showing no value, with
// the wrong key.
func TestExecAWSPSAndSOPS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ps, psEnv := awspsEnv(t)
	ps.PutParameter("/prod/app/model", "gpt-5", awspstest.String)
	ps.PutParameter("/prod/app/api-key", canary("awsps"), awspstest.SecureString)

	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	keyFile := writeFile(t, dir, "keys/age.txt", id.String()+"\n")
	enc := writeSOPS(t, dir, "secrets.enc.yaml", "db:\n  password: "+canary("sops")+"\n", "yaml", id.Recipient())
	encEnv := writeSOPS(t, dir, "app.enc.env", "TOKEN="+canary("sops-env")+"\n", "dotenv", id.Recipient())
	writeFile(t, dir, ".env", strings.Join([]string{
		"MODEL=awsps:///prod/app/model",
		"API_KEY=awsps://prod/app/api-key",
		"DB_PASSWORD=sops://" + enc + "#/db/password",
		"TOKEN=sops://" + encEnv + "#TOKEN",
	}, "\n")+"\n")
	keys := []string{"MODEL", "API_KEY", "DB_PASSWORD", "TOKEN"}
	env := append(baseEnv(t, childEnv("env", keys...)...), psEnv...)

	r := runCLI(t, dir, append(env, "SOPS_AGE_KEY_FILE="+keyFile), "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, strings.Join([]string{
		"MODEL=gpt-5",
		"API_KEY=" + canary("awsps"),
		"DB_PASSWORD=" + canary("sops"),
		"TOKEN=" + canary("sops-env"),
	}, "\n")+"\n", r.stdout)

	// The key inline, as SOPS_AGE_KEY.
	r = runCLI(t, dir, append(env, "SOPS_AGE_KEY="+id.String()), "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "DB_PASSWORD="+canary("sops"))

	// explain --resolve names the providers, never a value.
	r = runCLI(t, dir, append(env, "SOPS_AGE_KEY_FILE="+keyFile), "explain", "--resolve")
	require.Equal(t, 0, r.code, r.stderr)
	for _, c := range []string{"awsps", "sops", "sops-env"} {
		assert.NotContains(t, r.output(), canary(c))
	}

	// Another key, and no key at all: the sops references fail with the
	// file named and no value shown; nothing runs.
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	otherKey := writeFile(t, dir, "keys/other.txt", other.String()+"\n")
	for _, extra := range [][]string{{"SOPS_AGE_KEY_FILE=" + otherKey}, nil} {
		r = runCLI(t, dir, append(env, extra...), "exec", "--", selfPath(t))
		assert.Equal(t, 2, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, "DB_PASSWORD (.env:3): sops://")
		assert.Contains(t, r.stderr, "permission denied")
		for _, c := range []string{"awsps", "sops", "sops-env"} {
			assert.NotContains(t, r.output(), canary(c))
		}
		assert.NotContains(t, r.output(), other.String())
	}

	// A tampered file fails too.
	data, err := os.ReadFile(enc)
	require.NoError(t, err)
	tampered := strings.Replace(string(data), "lastmodified:", "lastmodified: \"2001-01-01T00:00:00Z\"\n    was:", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secrets.enc.yaml"), []byte(tampered), 0o600))
	r = runCLI(t, dir, append(env, "SOPS_AGE_KEY_FILE="+keyFile), "exec", "--", selfPath(t))
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "integrity check failed")
	assert.NotContains(t, r.output(), canary("sops"))
}
