package main_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of the policy tests")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got, "%s differs (go test -update rewrites it)", path)
}

// policyOptions are the backend options of the policy tests.
var policyOptions = []string{
	"--aws-account", "123456789012", "--aws-region", "us-east-1",
	"--kms-key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	"--gcp-member", "serviceAccount:inference@my-project.iam.gserviceaccount.com",
	"--azure-principal", "11111111-2222-3333-4444-555555555555",
	"--azure-subscription", "00000000-0000-0000-0000-000000000000", "--azure-resource-group", "rg-prod",
	"--vault-mount", "database=dynamic",
}

// TestPolicy prints the grants of the references of an env file and of
// the environment, for every backend, in every format.
func TestPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".env", strings.Join([]string{
		"PLAIN=not-a-reference",
		"DB_PASSWORD=awssm://prod/db#password",
		"MODEL=awsps://prod/inference/model",
		"API_KEY=gcpsm://api-key",
		"TLS=azkv://prod-vault/tls-cert",
		"APP_USER=vault://secret/app#user",
		"APP_PASSWORD=vault://secret/app#password",
		"PG=vault://database/creds/app",
		"FILE=file:///etc/app/secret",
	}, "\n")+"\n")
	env := baseEnv(t, "DRIFTLESS_GCPSM_PROJECT=my-project", "LEGACY=awssm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf")
	for _, tc := range []struct{ name, backend, format string }{
		{"all", "all", ""},
		{"all-terraform", "all", "terraform"},
		{"aws", "aws", ""},
		{"awsps", "awsps", ""},
		{"gcp-terraform", "gcp", "terraform"},
		{"azure-terraform", "azure", "terraform"},
		{"vault", "vault", "hcl"},
	} {
		args := append([]string{"policy", "--backend", tc.backend}, policyOptions...)
		if tc.format != "" {
			args = append(args, "--format", tc.format)
		}
		r := runCLI(t, dir, env, args...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Empty(t, r.stderr)
		golden(t, filepath.Join("testdata", "policy", tc.name+".txt"), r.stdout)
	}
}

// TestPolicyErrors: a malformed reference exits 1 naming its variable,
// never its value; a missing option of a backend read and a bad flag exit 2.
func TestPolicyErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".env", "BAD=azkv://s3cr3t-value\nOK=vault://secret/app#user\n")
	r := runCLI(t, dir, baseEnv(t), "policy")
	assert.Equal(t, 1, r.code, r.stderr)
	assert.Contains(t, r.stderr, "BAD")
	assert.NotContains(t, r.output(), "s3cr3t")

	writeFile(t, dir, ".env", "OK=gcpsm://p/s\n")
	r = runCLI(t, dir, baseEnv(t), "policy")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "member")

	for _, args := range [][]string{
		{"policy", "--backend", "ibm"},
		{"policy", "--backend", "aws", "--format", "hcl"},
		{"policy", "--vault-mount", "kv3"},
		{"policy", "extra"},
	} {
		r = runCLI(t, dir, baseEnv(t), args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
}

// TestPolicyExamples regenerates the example service's policy for each
// backend from its environment in examples/inference-service/policy and
// compares it with the policy kept there.
func TestPolicyExamples(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "inference-service", "policy"))
	require.NoError(t, err)
	for _, tc := range []struct{ backend, format, file string }{
		{"aws", "json", "aws.json"},
		{"gcp", "gcloud", "gcp.sh"},
		{"gcp", "terraform", "gcp.tf"},
		{"azure", "az", "azure.sh"},
		{"azure", "terraform", "azure.tf"},
		{"vault", "hcl", "vault.hcl"},
	} {
		args := append([]string{"policy", "--env-file", filepath.Join(dir, tc.backend+".env"), "--backend", tc.backend, "--format", tc.format}, policyOptions...)
		r := runCLI(t, t.TempDir(), baseEnv(t), args...)
		require.Equal(t, 0, r.code, r.stderr)
		golden(t, filepath.Join(dir, tc.file), r.stdout)
	}
}
