package gcpsm_test

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
	"github.com/driftless/driftless/providers/gcpsm"
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

const member = "serviceAccount:app@my-project.iam.gserviceaccount.com"

var policyReads = []driftless.SecretRead{
	{Ref: driver.Ref{Scheme: "gcpsm", Name: "my-project/db-password"}, Previous: true, Fields: []string{"DB.Password"}},
	{Ref: driver.Ref{Scheme: "gcpsm", Name: "projects/my-project/secrets/db-password/versions/3"}, Fields: []string{"Old"}},
	{Ref: driver.Ref{Scheme: "gcpsm", Name: "api-key"}, Fields: []string{"API"}},
	{Ref: driver.Ref{Scheme: "gcpsm", Name: "projects/shared-123/secrets/tls_cert"}, Fields: []string{"TLS"}},
	{Ref: driver.Ref{Scheme: "vault", Name: "secret/app"}, Fields: []string{"Other"}},
}

// The documented forms: `gcloud secrets add-iam-policy-binding SECRET
// --member=PRINCIPAL --role=ROLE` (with --project and, for a regional
// secret, --location), and the google provider's
// google_secret_manager_secret_iam_member arguments.
var (
	gcloudLine = regexp.MustCompile(`^gcloud secrets add-iam-policy-binding [A-Za-z0-9_-]{1,255} --project=[a-z0-9-]+( --location=[a-z0-9-]+)? --member=(user|serviceAccount|group|domain|principal|principalSet):\S+ --role=roles/secretmanager\.secretAccessor$`)
	tfBlock    = regexp.MustCompile(`(?m)^resource "google_secret_manager_(regional_)?secret_iam_member" "[A-Za-z_][A-Za-z0-9_-]*" \{\n  project   = "[a-z0-9-]+"\n(  location  = "[a-z0-9-]+"\n)?  secret_id = "[A-Za-z0-9_-]+"\n  role      = "roles/secretmanager\.secretAccessor"\n  member    = "[^"]+"\n\}\n`)
)

// TestPolicyGolden checks the gcloud and Terraform forms against golden
// files and the documented grammars: one binding per secret, whatever
// version the references read.
func TestPolicyGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts gcpsm.PolicyOptions
	}{
		{"global", gcpsm.PolicyOptions{Member: member, Project: "my-project"}},
		{"regional", gcpsm.PolicyOptions{Member: member, Project: "my-project", Region: "europe-west1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reads := policyReads
			if tc.opts.Region != "" {
				reads = reads[2:3]
			}
			g, tf, err := gcpsm.Policy(reads, tc.opts)
			require.NoError(t, err)
			golden(t, "policy/"+tc.name+".sh", g)
			golden(t, "policy/"+tc.name+".tf", tf)
			lines := strings.Split(strings.TrimSpace(string(g)), "\n")
			for _, l := range lines {
				assert.Regexp(t, gcloudLine, l)
			}
			blocks := tfBlock.FindAllString(string(tf), -1)
			assert.Len(t, blocks, len(lines))
			assert.Equal(t, string(tf), strings.Join(blocks, "\n"), "nothing but resource blocks")
		})
	}
}

// TestPolicyErrors names the fields of a malformed reference, never the
// reference, and wants a member.
func TestPolicyErrors(t *testing.T) {
	_, _, err := gcpsm.Policy([]driftless.SecretRead{
		{Ref: driver.Ref{Scheme: "gcpsm", Name: "s3cr3t"}, Fields: []string{"DB"}},
	}, gcpsm.PolicyOptions{Member: member})
	require.ErrorIs(t, err, driftless.ErrInvalidRef)
	assert.Contains(t, err.Error(), "DB")
	assert.NotContains(t, err.Error(), "s3cr3t")

	_, _, err = gcpsm.Policy(policyReads, gcpsm.PolicyOptions{Project: "p"})
	assert.ErrorContains(t, err, "member")
}
