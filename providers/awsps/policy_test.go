package awsps_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
)

var update = flag.Bool("update", false, "rewrite the golden files of the policy tests")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs (go test -update rewrites it)", path)
}

// policyReads is a config's reads: a hierarchical name written both ways,
// a flat name, a label, a previous version, an ARN of another region, and
// a read of another backend.
func policyReads() []driftless.SecretRead {
	return []driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "awsps", Name: "/prod/db/password"}, Previous: true, Fields: []string{"DB.Password"}},
		{Ref: driver.Ref{Scheme: "awsps", Name: "prod/inference/model", Query: "label=live"}, Fields: []string{"Model"}},
		{Ref: driver.Ref{Scheme: "awsps", Name: "feature-flags"}, Fields: []string{"Flags"}},
		{Ref: driver.Ref{Scheme: "awsps", Name: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/tls"}, Fields: []string{"TLS"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Fields: []string{"Other"}},
	}
}

// TestPolicyGolden checks the policy documents against golden files.
func TestPolicyGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reads []driftless.SecretRead
		opts  awsps.PolicyOptions
	}{
		{"policy/names.json", policyReads(), awsps.PolicyOptions{Region: "us-east-1", Account: "123456789012"}},
		{"policy/kms-paths.json", policyReads(), awsps.PolicyOptions{Region: "us-east-1", Account: "123456789012",
			Paths:   []string{"/prod/inference/", "prod/db"},
			KMSKeys: []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
		{"policy/govcloud.json", policyReads()[1:3], awsps.PolicyOptions{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012"}},
		{"policy/none.json", policyReads()[4:], awsps.PolicyOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := awsps.Policy(tc.reads, tc.opts)
			require.NoError(t, err)
			require.True(t, json.Valid(got))
			golden(t, tc.name, got)
		})
	}
}

// A name's leading "/" is the one after "parameter" in its ARN, never doubled.
func TestPolicyLeadingSlash(t *testing.T) {
	for _, name := range []string{"/prod/x", "prod/x"} {
		got, err := awsps.Policy([]driftless.SecretRead{{Ref: driver.Ref{Scheme: "awsps", Name: name}, Fields: []string{"X"}}},
			awsps.PolicyOptions{Region: "us-east-1", Account: "123456789012"})
		require.NoError(t, err)
		assert.Contains(t, string(got), `"arn:aws:ssm:us-east-1:123456789012:parameter/prod/x"`, name)
		assert.NotContains(t, string(got), "parameter//", name)
	}
}

// Errors name the fields, never the reference.
func TestPolicyErrors(t *testing.T) {
	_, err := awsps.Policy([]driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "awsps", Name: "prod/x", Query: "version=zero-secretish"}, Fields: []string{"A"}},
		{Ref: driver.Ref{Scheme: "awsps", Name: "prod/y"}, Fields: []string{"B"}},
	}, awsps.PolicyOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrInvalidRef)
	assert.Contains(t, err.Error(), "A")
	assert.Contains(t, err.Error(), "policy for B")
	assert.NotContains(t, err.Error(), "secretish")
	assert.NotContains(t, err.Error(), "prod/")
}
