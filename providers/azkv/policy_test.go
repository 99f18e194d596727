package azkv_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
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

var policyOpts = azkv.PolicyOptions{
	PrincipalID:   "11111111-2222-3333-4444-555555555555",
	Subscription:  "00000000-0000-0000-0000-000000000000",
	ResourceGroup: "rg-prod",
}

// The documented forms: `az role assignment create --role ROLE
// --assignee-object-id ID --scope SCOPE`, with a secret's resource ID as
// its scope, and azurerm_role_assignment's scope, role_definition_name and
// principal_id arguments.
var (
	scopeRE = `/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w.()]+/providers/Microsoft\.KeyVault/vaults/[a-z][0-9a-z-]{1,22}[0-9a-z]/secrets/[0-9a-z-]{1,127}`
	azLine  = regexp.MustCompile(`^az role assignment create --role "Key Vault Secrets User" --assignee-object-id [0-9a-f-]{36} --scope ` + scopeRE + `$`)
	tfBlock = regexp.MustCompile(`(?m)^resource "azurerm_role_assignment" "[A-Za-z_][A-Za-z0-9_]*" \{\n  scope                = "` + scopeRE + `"\n  role_definition_name = "Key Vault Secrets User"\n  principal_id         = "[0-9a-f-]{36}"\n\}\n`)
)

// TestPolicyGolden checks the az and Terraform forms against golden files
// and the documented grammars: one assignment per secret, whatever version
// the references read.
func TestPolicyGolden(t *testing.T) {
	reads := []driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "azkv", Name: "prod-vault/db-password"}, Previous: true, Fields: []string{"DB.Password"}},
		{Ref: driver.Ref{Scheme: "azkv", Name: "Prod-Vault/DB-Password/0123abcd"}, Fields: []string{"Old"}},
		{Ref: driver.Ref{Scheme: "azkv", Name: "shared-kv/tls"}, Fields: []string{"TLS"}},
		{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Fields: []string{"Other"}},
	}
	az, tf, err := azkv.Policy(reads, policyOpts)
	require.NoError(t, err)
	golden(t, "policy/grants.sh", az)
	golden(t, "policy/grants.tf", tf)
	lines := strings.Split(strings.TrimSpace(string(az)), "\n")
	require.Len(t, lines, 2)
	for _, l := range lines {
		assert.Regexp(t, azLine, l)
	}
	blocks := tfBlock.FindAllString(string(tf), -1)
	assert.Len(t, blocks, 2)
	assert.Equal(t, string(tf), strings.Join(blocks, "\n"), "nothing but resource blocks")
}

// TestPolicyErrors names the fields of a malformed reference, never the
// reference, and checks the options.
func TestPolicyErrors(t *testing.T) {
	_, _, err := azkv.Policy([]driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "azkv", Name: "s3cr3t"}, Fields: []string{"DB"}},
	}, policyOpts)
	require.ErrorIs(t, err, driftless.ErrInvalidRef)
	assert.Contains(t, err.Error(), "DB")
	assert.NotContains(t, err.Error(), "s3cr3t")

	bad := policyOpts
	bad.ResourceGroup = "rg; rm -rf /"
	_, _, err = azkv.Policy(nil, bad)
	assert.Error(t, err)
}
