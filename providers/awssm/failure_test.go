package awssm_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providertest"
)

// A secret scheduled for deletion still exists: reads fail with
// InvalidRequestException, which is a refusal (ErrPermission), never "not
// found", so a key source cannot fall through to a default meanwhile. Once
// deleted for good it is not found.
func TestScheduledDeletion(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	client := srv.Client()
	require.NoError(t, srv.Put(ctx, "prod/key", []byte(providertest.Canary)))
	_, err := client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("prod/key"), RecoveryWindowInDays: aws.Int64(7)})
	require.NoError(t, err)

	p := awssm.New(client)
	_, err = p.Fetch(ctx, ref("prod/key"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrPermission)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), "marked for deletion")
	res, err := p.FetchBatch(ctx, []driver.Ref{ref("prod/key")})
	require.NoError(t, err)
	assert.ErrorIs(t, res[0].Err, driver.ErrPermission)
	assert.NotErrorIs(t, res[0].Err, driver.ErrNotFound)

	_, err = client.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("prod/key")})
	require.NoError(t, err)
	_, err = p.Fetch(ctx, ref("prod/key"))
	require.NoError(t, err)

	_, err = client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("prod/key"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	require.NoError(t, err)
	_, err = p.Fetch(ctx, ref("prod/key"))
	assert.ErrorIs(t, err, driver.ErrNotFound, "deleted for good")
}

// HTTP 401 and 403 are refusals whatever their body: a proxy's HTML page,
// or the XML that moto sends when it enforces IAM policies, which the SDK
// cannot read as an AWS error. A batch call refused that way falls back to
// GetSecretValue, as for AccessDeniedException.
func TestDenialWithForeignBody(t *testing.T) {
	t.Parallel()
	bodies := []struct {
		name, contentType, body string
	}{
		{"HTML", "text/html", "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>" + providertest.Canary + "</body></html>"},
		{"XML", "text/xml", `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Errors><Error><Code>AccessDeniedException</Code><Message>User: arn:aws:iam::123456789012:user/x is not authorized to perform: secretsmanager:GetSecretValue</Message></Error></Errors></ErrorResponse>`},
		{"Empty", "text/plain", ""},
	}
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		for _, b := range bodies {
			t.Run(fmt.Sprintf("%d/%s", status, b.name), func(t *testing.T) {
				t.Parallel()
				srv := fake(t)
				refs := putN(t, srv, 3)
				p := awssm.New(srv.Client())

				srv.FailRaw("GetSecretValue", status, b.contentType, b.body)
				_, err := p.Fetch(t.Context(), refs[0])
				require.Error(t, err)
				assert.ErrorIs(t, err, driver.ErrPermission)
				assert.NotErrorIs(t, err, driver.ErrUnavailable)
				assert.NotErrorIs(t, err, driver.ErrNotFound)
				assert.Contains(t, err.Error(), refs[0].Name)
				assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), providertest.Canary)
				srv.FailRaw("GetSecretValue", 0, "", "")

				srv.FailRaw("BatchGetSecretValue", status, b.contentType, b.body)
				srv.ResetCounts()
				res, err := p.FetchBatch(t.Context(), refs)
				require.NoError(t, err)
				checkResults(t, refs, res)
				assert.Equal(t, 1, srv.Count("BatchGetSecretValue"))
				assert.Equal(t, 3, srv.Count("GetSecretValue"), "the refused batch call fell back to GetSecretValue")
			})
		}
	}
}

// ARNs of the client's own region are batched with plain names: one
// BatchGetSecretValue call, not one per kind of reference.
func TestARNsOfClientRegionShareBatches(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	client := srv.Client()
	refs := putN(t, srv, 4)
	var arns []string
	for _, r := range refs[1:3] {
		out, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(r.Name)})
		require.NoError(t, err)
		arns = append(arns, aws.ToString(out.ARN))
	}
	west := srv.Client(func(o *secretsmanager.Options) { o.Region = "eu-west-1" })
	out, err := west.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("eu/db"), SecretString: aws.String("eu-value")})
	require.NoError(t, err)

	batch := []driver.Ref{
		refs[0],
		ref(arns[0]),                  // full ARN, us-east-1
		ref(arns[1][:len(arns[1])-7]), // partial ARN, us-east-1
		refs[3],
		ref(aws.ToString(out.ARN)), // eu-west-1
	}
	srv.ResetCounts()
	res, err := awssm.New(client).FetchBatch(ctx, batch)
	require.NoError(t, err)
	require.Len(t, res, len(batch))
	for i, want := range []string{"value-" + refs[0].Name, "value-" + refs[1].Name, "value-" + refs[2].Name, "value-" + refs[3].Name, "eu-value"} {
		if assert.NoError(t, res[i].Err, "result %d", i) {
			assert.Equal(t, want, string(res[i].Value.Data), "result %d", i)
		}
	}
	regions := map[string]int{}
	for _, c := range srv.Calls("BatchGetSecretValue") {
		regions[c.Region]++
	}
	assert.Equal(t, map[string]int{"us-east-1": 1, "eu-west-1": 1}, regions, "names and same-region ARNs share one call; the other region has its own")
	assert.Equal(t, 0, srv.Count("GetSecretValue"))
}

// Down and Up take the fake's whole endpoint down and back: an outage is
// ErrUnavailable (never not found) for Fetch and FetchBatch, and it ends.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	refs := putN(t, srv, 2)
	p := awssm.New(srv.Client())

	srv.Down()
	_, err := p.Fetch(t.Context(), refs[0])
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), "503")
	res, err := p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	for i, r := range res {
		assert.ErrorIs(t, r.Err, driver.ErrUnavailable, "result %d", i)
	}

	srv.Up()
	res, err = p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	checkResults(t, refs, res)
	srv.ResetCounts()
	_, err = p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("BatchGetSecretValue"), "an outage does not turn batching off")
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// checkNoCredentials checks that err says "no credentials", with the SDK's
// error and an actionable message, and not "unavailable".
func checkNoCredentials(t *testing.T, err error, name string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrNoCredentials)
	assert.NotErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), fmt.Sprintf("%q", name))
	assert.Contains(t, err.Error(), "AWS_ACCESS_KEY_ID", "the message says what to set")
}

// A client whose credential chain finds nothing fails with
// ErrNoCredentials, not ErrUnavailable: a deployment mistake to fix, not an
// outage to wait out. No request reaches Secrets Manager.
func TestNoCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		creds func(t *testing.T) aws.CredentialsProvider
	}{
		// The end of the default chain: the instance metadata service,
		// here on a closed loopback port, as on a laptop.
		{"IMDS", func(t *testing.T) aws.CredentialsProvider {
			// No retries: the SDK's backoff would only slow the test down.
			client := imds.New(imds.Options{Endpoint: "http://" + closedPort(t), Retryer: aws.NopRetryer{}})
			return aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client }))
		}},
		{"EmptyStatic", func(t *testing.T) aws.CredentialsProvider {
			return credentials.NewStaticCredentialsProvider("", "", "")
		}},
		{"None", func(t *testing.T) aws.CredentialsProvider { return nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t)
			require.NoError(t, srv.Put(t.Context(), "prod/key", []byte("v")))
			creds := tc.creds(t)
			p := awssm.New(srv.Client(func(o *secretsmanager.Options) { o.Credentials = creds }))
			_, err := p.Fetch(t.Context(), ref("prod/key"))
			checkNoCredentials(t, err, "prod/key")
			res, err := p.FetchBatch(t.Context(), []driver.Ref{ref("prod/key")})
			require.NoError(t, err)
			checkNoCredentials(t, res[0].Err, "prod/key")
			assert.Equal(t, 0, srv.Total(), "nothing was sent without credentials")

			// A cancelled context is still a cancelled context.
			c, cancel := context.WithCancel(t.Context())
			cancel()
			_, err = p.Fetch(c, ref("prod/key"))
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
}

// NewFromConfig with the SDK's whole default chain and nothing for it to
// find. The chain reads the environment by design, so it runs in a child
// process with an environment of its own (this process's is never
// changed); every endpoint is on 127.0.0.1.
func TestNewFromConfigNoCredentials(t *testing.T) {
	if os.Getenv("AWSSM_NOCREDS_CHILD") == "1" {
		p, err := awssm.NewFromConfig(t.Context())
		require.NoError(t, err)
		_, err = p.Fetch(t.Context(), ref("from-config"))
		checkNoCredentials(t, err, "from-config")
		return
	}
	t.Parallel()
	srv := fake(t)
	require.NoError(t, srv.Put(t.Context(), "from-config", []byte("ok")))
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNewFromConfigNoCredentials$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	none := t.TempDir() + "/none"
	cmd.Env = append(cmd.Env,
		"AWSSM_NOCREDS_CHILD=1",
		"HOME="+t.TempDir(),
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+srv.URL,
		"AWS_CONFIG_FILE="+none,
		"AWS_SHARED_CREDENTIALS_FILE="+none,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://"+closedPort(t),
		"AWS_MAX_ATTEMPTS=1", // no retries: the SDK's backoff would only slow the test down
	)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
	assert.Equal(t, 0, srv.Total(), "nothing was sent without credentials")
}
