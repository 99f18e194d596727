package awssm_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
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

// policyReads is a config's reads: names, an ARN of another region, a
// version stage, a previous version, and a read of another backend.
func policyReads() []driftless.SecretRead {
	return []driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "awssm", Name: "prod/db"}, Previous: true, Fields: []string{"DB.Password"}},
		{Ref: driver.Ref{Scheme: "awssm", Name: "prod/api", Query: "version-stage=AWSPENDING"}, Fields: []string{"API"}},
		{Ref: driver.Ref{Scheme: "awssm", Name: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/tls-AbCdEf"}, Fields: []string{"TLS"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Fields: []string{"Other"}},
	}
}

// TestPolicyGolden checks the policy documents against golden files.
func TestPolicyGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reads []driftless.SecretRead
		opts  awssm.PolicyOptions
	}{
		{"policy/names.json", policyReads(), awssm.PolicyOptions{Region: "us-east-1", Account: "123456789012"}},
		{"policy/kms.json", policyReads(), awssm.PolicyOptions{Region: "us-east-1", Account: "123456789012",
			KMSKeys: []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}},
		{"policy/govcloud-versioned.json", policyReads()[1:2], awssm.PolicyOptions{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012"}},
		{"policy/none.json", policyReads()[3:], awssm.PolicyOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := awssm.Policy(tc.reads, tc.opts)
			require.NoError(t, err)
			golden(t, tc.name, got)
		})
	}
}

// secretARN is the ARN grammar of a secret in AWS's Service Authorization
// Reference (arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}),
// where the secret id of a name ends in a dash and six random characters,
// here the six ? wildcards that match them.
var secretARN = regexp.MustCompile(`^arn:aws(-[a-z-]+)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-(\?{6}|[A-Za-z0-9]{6})$`)

// TestPolicyARNForms checks every resource of the generated policies
// against the documented ARN forms, and the name form against a secret
// name that moto (like Secrets Manager) suffixes.
func TestPolicyARNForms(t *testing.T) {
	got, err := awssm.Policy(policyReads(), awssm.PolicyOptions{Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Action   []string
			Resource any
		}
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	require.NotEmpty(t, doc.Statement)
	for _, s := range doc.Statement {
		switch s.Action[0] {
		case "secretsmanager:GetSecretValue":
			for _, r := range s.Resource.([]any) {
				assert.Regexp(t, secretARN, r)
			}
		case "secretsmanager:BatchGetSecretValue":
			// No resource-level permission: the action takes "*" only.
			assert.Equal(t, "*", s.Resource)
		}
	}
	// The wildcard form matches the name's suffixed ARN and no longer name.
	pattern := regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-......$`)
	assert.Regexp(t, pattern, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3")
	assert.NotRegexp(t, pattern, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-old-a1B2c3")
}

// TestPolicyErrors names the fields of a reference a policy cannot grant,
// never the reference.
func TestPolicyErrors(t *testing.T) {
	_, err := awssm.Policy([]driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "awssm", Name: "prod/db", Query: "bogus=s3cr3t"}, Fields: []string{"DB"}},
	}, awssm.PolicyOptions{Region: "us-east-1", Account: "123456789012"})
	require.ErrorIs(t, err, driftless.ErrInvalidRef)
	assert.Contains(t, err.Error(), "DB")
	assert.NotContains(t, err.Error(), "s3cr3t")

	_, err = awssm.Policy(policyReads(), awssm.PolicyOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DB.Password")
	assert.Contains(t, err.Error(), "region")
}
