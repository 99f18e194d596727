package main_test

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// azkvEnv starts a fake Key Vault and returns the variables that point the
// CLI at it: the endpoint, a PEM of its certificate, and, as the emulator
// token (in place of a credential), a token the fake accepts (obtained
// from its credential the way the SDK would).
func azkvEnv(t testing.TB, dir string) (*azkvtest.Server, []string) {
	t.Helper()
	srv := azkvtest.NewServer(t)
	base := srv.VaultURL(azkvtest.DefaultVault)
	u, err := url.Parse(base)
	require.NoError(t, err)
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reading the fake's own certificate
	require.NoError(t, err)
	cert := conn.ConnectionState().PeerCertificates[0]
	require.NoError(t, conn.Close())
	ca := writeFile(t, dir, "azkv-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	tok, err := srv.Credential().GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{azkvtest.Scope}, TenantID: azkvtest.TenantID})
	require.NoError(t, err)
	return srv, []string{
		"DRIFTLESS_AZKV_ENDPOINT=" + base,
		"DRIFTLESS_AZKV_CA_FILE=" + ca,
		"DRIFTLESS_AZKV_EMULATOR_TOKEN=" + tok.Token,
	}
}

// awssmEnv starts a fake Secrets Manager and returns the variables of the
// AWS default chain that point the SDK at it.
func awssmEnv(t testing.TB) (*awssmtest.Server, []string) {
	t.Helper()
	srv := awssmtest.NewServer()
	t.Cleanup(srv.Close)
	return srv, []string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + srv.URL,
		"AWS_REGION=" + awssmtest.DefaultRegion,
		"AWS_ACCESS_KEY_ID=AKIDTEST",
		"AWS_SECRET_ACCESS_KEY=test-secret-key",
	}
}

// TestExecAllFakes resolves references of four schemes (the fakes of AWS,
// Google and Azure, and a file) in one exec: every secret reaches the
// child, a JSON secret read by two keys is fetched once.
func TestExecAllFakes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := t.Context()

	az, azEnv := azkvEnv(t, dir)
	az.Set("db-password", canary("azkv"))

	aws, awsEnv := awssmEnv(t)
	require.NoError(t, aws.Put(ctx, "prod/db", []byte(`{"user":"app","password":"`+canary("awssm")+`"}`)))

	gcp := gcpsmtest.NewServer(t)
	require.NoError(t, gcp.Put(ctx, "api-key", []byte(canary("gcpsm"))))
	gcpEnv := []string{"DRIFTLESS_GCPSM_ENDPOINT=" + gcp.Addr()}

	filePath := writeFile(t, dir, "file-secret", canary("file"))
	writeFile(t, dir, ".env", strings.Join([]string{
		"AZ=azkv://" + azkvtest.DefaultVault + "/db-password",
		"AWS_USER=awssm://prod/db#user",
		"AWS_PASS=awssm://prod/db#password",
		"GCP=gcpsm://projects/" + gcpsmtest.DefaultProject + "/secrets/api-key",
		"GCP_SHORT=gcpsm://" + gcpsmtest.DefaultProject + "/api-key/1",
		"FILE=file://" + filePath,
	}, "\n")+"\n")
	env := baseEnv(t, childEnv("env", "AZ", "AWS_USER", "AWS_PASS", "GCP", "GCP_SHORT", "FILE")...)
	env = append(append(append(env, azEnv...), awsEnv...), gcpEnv...)

	aws.ResetCounts()
	r := runCLI(t, dir, env, "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, strings.Join([]string{
		"AZ=" + canary("azkv"),
		"AWS_USER=app",
		"AWS_PASS=" + canary("awssm"),
		"GCP=" + canary("gcpsm"),
		"GCP_SHORT=" + canary("gcpsm"),
		"FILE=" + canary("file"),
	}, "\n")+"\n", r.stdout)
	assert.Equal(t, 1, aws.Total(), "two keys of one JSON secret cost one request")

	// explain --resolve names provider and version, never a value.
	r = runCLI(t, dir, env, "explain", "--resolve", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	for _, c := range []string{"azkv", "awssm", "gcpsm", "file"} {
		assert.NotContains(t, r.output(), canary(c))
	}
	var rep explainJSON
	require.NoError(t, jsonUnmarshal(r.stdout, &rep))
	versions := map[string]string{}
	for _, k := range rep.Keys {
		versions[k.Key] = k.Version
		assert.Empty(t, k.Error)
		assert.NotEmpty(t, k.Fingerprint, k.Key)
	}
	azVersions := az.Versions("db-password")
	assert.Equal(t, azVersions[len(azVersions)-1], versions["AZ"])
	assert.Equal(t, "1", versions["GCP"])

	// A rotated Azure secret and a missing Google secret: exit 2, both
	// listed, nothing runs.
	az.Rotate("db-password", canary("azkv-2"))
	writeFile(t, dir, ".env", "AZ=azkv://"+azkvtest.DefaultVault+"/db-password\nGONE=gcpsm://"+gcpsmtest.DefaultProject+"/absent\nNOPE=awssm://absent\n")
	r = runCLI(t, dir, env, "exec", "--", selfPath(t))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "GONE (.env:2): gcpsm://")
	assert.Contains(t, r.stderr, "NOPE (.env:3): awssm://absent")
	assert.Contains(t, r.stderr, "2 reference(s) failed")
	assert.Empty(t, r.stdout)
	assert.NotContains(t, r.output(), canary("azkv-2"))
}

// TestExecAzkvWithoutToken shows that the fake refuses a token it did not
// issue, and that the error is reported per key.
func TestExecAzkvMisconfigured(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	az, azEnv := azkvEnv(t, dir)
	az.Set("s", canary("az"))
	writeFile(t, dir, ".env", "S=azkv://"+azkvtest.DefaultVault+"/s\n")
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"wrong token", []string{azEnv[0], azEnv[1], "DRIFTLESS_AZKV_EMULATOR_TOKEN=not-the-fakes"}, "S (.env:1): azkv://"},
		{"untrusted certificate", []string{azEnv[0], azEnv[2]}, "S (.env:1): azkv://"},
		{"CA without endpoint", []string{azEnv[1]}, "DRIFTLESS_AZKV_CA_FILE is set without DRIFTLESS_AZKV_ENDPOINT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, dir, baseEnv(t, tc.env...), "exec", "--", "true")
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.output(), canary("az"))
		})
	}
}

// TestExecWatchAzkvRotation rotates a Key Vault secret while the child runs.
func TestExecWatchAzkvRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	az, azEnv := azkvEnv(t, dir)
	az.Set("api-key", canary("key-1"))
	writeFile(t, dir, ".env", "API_KEY=azkv://"+azkvtest.DefaultVault+"/api-key\n")
	cmd := execCommand(t, dir, append(baseEnv(t, childEnv("serve", "API_KEY")...), azEnv...),
		"exec", "--watch", "100ms", "--", selfPath(t))
	out := lines(cmd.stdout)
	waitLine(t, out, "the first key", func(l string) bool { return l == "API_KEY="+canary("key-1") })
	az.Rotate("api-key", canary("key-2"))
	waitLine(t, out, "SIGTERM of the first child", func(l string) bool { return l == "term" })
	waitLine(t, out, "the rotated key", func(l string) bool { return l == "API_KEY="+canary("key-2") })
	cmd.stop(t)
	assert.Contains(t, cmd.stderr.String(), "API_KEY (azkv://"+azkvtest.DefaultVault+"/api-key) changed")
	assert.NotContains(t, cmd.stderr.String(), canary("key-"))
}

// TestExecGCPSMBareSecretID resolves gcpsm://<secret>[#key] through the
// Secret Manager fake with DRIFTLESS_GCPSM_PROJECT set, and without it
// fails naming the key, its line and the variable to set (never the
// reference text).
func TestExecGCPSMBareSecretID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := t.Context()
	gcp := gcpsmtest.NewServer(t)
	require.NoError(t, gcp.Put(ctx, "api-key", []byte(canary("gcpsm-bare"))))
	require.NoError(t, gcp.Put(ctx, "app-json", []byte(`{"user":"`+canary("gcpsm-user")+`"}`)))
	writeFile(t, dir, ".env", strings.Join([]string{
		"KEY=gcpsm://api-key",
		"USER=gcpsm://app-json#user",
		"SHORT=gcpsm://" + gcpsmtest.DefaultProject + "/api-key",
	}, "\n")+"\n")
	env := baseEnv(t, append(childEnv("env", "KEY", "USER", "SHORT"), "DRIFTLESS_GCPSM_ENDPOINT="+gcp.Addr())...)

	gcp.ResetRequests()
	r := runCLI(t, dir, append(env, "DRIFTLESS_GCPSM_PROJECT="+gcpsmtest.DefaultProject), "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "KEY="+canary("gcpsm-bare")+"\nUSER="+canary("gcpsm-user")+"\nSHORT="+canary("gcpsm-bare")+"\n", r.stdout)
	assert.Equal(t, 2, gcp.Requests("AccessSecretVersion"), "a bare id is the short form of its secret: one fetch for both")

	r = runCLI(t, dir, env, "exec", "--", selfPath(t))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "KEY (.env:1): driftless: invalid reference: ")
	assert.Contains(t, r.stderr, "USER (.env:2): driftless: invalid reference: ")
	assert.Contains(t, r.stderr, "set DRIFTLESS_GCPSM_PROJECT")
	assert.Contains(t, r.stderr, "2 reference(s) failed")
	assert.NotContains(t, r.stderr, "api-key")
	assert.NotContains(t, r.stderr, "app-json")
	assert.Empty(t, r.stdout)

	r = runCLI(t, dir, append(env, "DRIFTLESS_GCPSM_PROJECT=a/b"), "exec", "--", selfPath(t))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "KEY (.env:1): driftless: invalid reference: DRIFTLESS_GCPSM_PROJECT must be a project id")
}

// TestExecColdStartOneAWSBatch resolves references to five AWS secrets
// (one of them read by two keys), among references to Key Vault, Secret
// Manager and a file: the AWS secrets cost one BatchGetSecretValue request
// and nothing else, as with Load.
func TestExecColdStartOneAWSBatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := t.Context()
	az, azEnv := azkvEnv(t, dir)
	aws, awsEnv := awssmEnv(t)
	gcp := gcpsmtest.NewServer(t)
	var lines, keys []string
	for i := range 5 {
		name := fmt.Sprintf("app/s%d", i)
		require.NoError(t, aws.Put(ctx, name, []byte(`{"k":"`+canary("aws")+`"}`)))
		lines = append(lines, fmt.Sprintf("AWS%d=awssm://%s#k", i, name))
		keys = append(keys, fmt.Sprintf("AWS%d", i))
	}
	lines = append(lines, "AWS_AGAIN=awssm://app/s0#k")
	az.Set("s", canary("az"))
	require.NoError(t, gcp.Put(ctx, "s", []byte(canary("gcp"))))
	lines = append(lines,
		"AZ=azkv://"+azkvtest.DefaultVault+"/s",
		"GCP=gcpsm://"+gcpsmtest.DefaultProject+"/s",
		"FILE=file://"+writeFile(t, dir, "file-secret", canary("file")))
	keys = append(keys, "AWS_AGAIN", "AZ", "GCP", "FILE")
	writeFile(t, dir, ".env", strings.Join(lines, "\n")+"\n")
	env := append(append(baseEnv(t, childEnv("env", keys...)...), awsEnv...), azEnv...)
	env = append(env, "DRIFTLESS_GCPSM_ENDPOINT="+gcp.Addr())

	aws.ResetCounts()
	r := runCLI(t, dir, env, "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	for _, k := range keys {
		assert.Contains(t, r.stdout, k+"=canary-")
	}
	assert.Equal(t, 1, aws.Count("BatchGetSecretValue"))
	assert.Equal(t, 1, aws.Total(), "five secrets, one request")
}
