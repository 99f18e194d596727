package awssm_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/driftless/driftless/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustRef(t testing.TB, s string) driver.Ref {
	t.Helper()
	r, err := driver.ParseRef(s)
	require.NoError(t, err)
	return r.Secret()
}

// rotate performs a real rotation through the API, as a rotation function
// does: PutSecretValue labelled AWSPENDING, then UpdateSecretVersionStage
// moves AWSCURRENT to it. It returns the new version id.
func rotate(t *testing.T, client *secretsmanager.Client, name, data string) string {
	t.Helper()
	ctx := t.Context()
	put, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: &name, SecretString: &data, VersionStages: []string{"AWSPENDING"},
	})
	require.NoError(t, err)
	desc, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &name})
	require.NoError(t, err)
	var current string
	for id, stages := range desc.VersionIdsToStages {
		for _, s := range stages {
			if s == "AWSCURRENT" {
				current = id
			}
		}
	}
	require.NotEmpty(t, current)
	_, err = client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: &name, VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: put.VersionId, RemoveFromVersionId: &current,
	})
	require.NoError(t, err)
	return aws.ToString(put.VersionId)
}

// A real rotation: a new version, AWSCURRENT moved to it; a refresh sees the
// new value and version, and FetchPrevious the old one (the rotation
// window). On moto, GetSecretValue and BatchGetSecretValue without a stage
// lag behind a stage move, so the provider asks for AWSCURRENT explicitly
// and the batch case uses ?version-stage=AWSCURRENT.
func TestRotation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) *secretsmanager.Client
		batch  string // the reference FetchBatch is given
	}{
		{"awssmtest", func(t *testing.T) *secretsmanager.Client { return fake(t).Client() }, "awssm://prod/openai"},
		{"moto", func(t *testing.T) *secretsmanager.Client { return motoClient(t) }, "awssm://prod/openai?version-stage=AWSCURRENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := tc.client(t)
			ctx := t.Context()
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/openai"), SecretString: aws.String("key-one")})
			require.NoError(t, err)
			p := awssm.New(client)
			r := mustRef(t, "awssm://prod/openai")

			before, err := p.Fetch(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, "key-one", string(before.Data))
			_, err = p.FetchPrevious(ctx, r)
			assert.ErrorIs(t, err, driver.ErrNotFound, "no previous version before the first rotation")

			newID := rotate(t, client, "prod/openai", "key-two")

			after, err := p.Fetch(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, "key-two", string(after.Data))
			assert.Equal(t, newID, after.Version)
			assert.NotEqual(t, before.Version, after.Version, "a refresh tells the rotation by the version")

			prev, err := p.FetchPrevious(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, "key-one", string(prev.Data))
			assert.Equal(t, before.Version, prev.Version)

			res, err := p.FetchBatch(ctx, []driver.Ref{mustRef(t, tc.batch)})
			require.NoError(t, err)
			require.NoError(t, res[0].Err)
			assert.Equal(t, "key-two", string(res[0].Value.Data))

			// Version selectors read the versions by label and by id.
			v, err := p.Fetch(ctx, mustRef(t, "awssm://prod/openai?version-stage=AWSPREVIOUS"))
			require.NoError(t, err)
			assert.Equal(t, "key-one", string(v.Data))
			v, err = p.Fetch(ctx, mustRef(t, "awssm://prod/openai?version-id="+before.Version))
			require.NoError(t, err)
			assert.Equal(t, "key-one", string(v.Data))
			// A stage move through the API leaves AWSPENDING where it was.
			v, err = p.Fetch(ctx, mustRef(t, "awssm://prod/openai?version-stage=AWSPENDING"))
			require.NoError(t, err)
			assert.Equal(t, "key-two", string(v.Data))
			_, err = p.Fetch(ctx, mustRef(t, "awssm://prod/openai?version-id=no-such-version"))
			assert.ErrorIs(t, err, driver.ErrNotFound)
		})
	}
}

func TestRotateHelper(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "db", []byte(`{"password":"one"}`)))
	p := awssm.New(srv.Client())
	r := mustRef(t, "awssm://db")
	v1, err := p.Fetch(ctx, r)
	require.NoError(t, err)
	id, err := srv.Rotate(ctx, "db", []byte(`{"password":"two"}`))
	require.NoError(t, err)
	v2, err := p.Fetch(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, id, v2.Version)
	pw, err := driver.Select(v2.Data, "password")
	require.NoError(t, err)
	assert.Equal(t, "two", string(pw))
	prev, err := p.FetchPrevious(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, v1.Version, prev.Version)
	_, err = srv.Rotate(ctx, "no-such-secret", []byte("x"))
	assert.Error(t, err)
}

func putN(t testing.TB, srv *awssmtest.Server, n int) []driver.Ref {
	t.Helper()
	refs := make([]driver.Ref, n)
	for i := range refs {
		name := fmt.Sprintf("app/secret-%02d", i)
		require.NoError(t, srv.Put(context.Background(), name, []byte("value-"+name)))
		refs[i] = ref(name)
	}
	return refs
}

func checkResults(t *testing.T, refs []driver.Ref, res []driver.Result) {
	t.Helper()
	require.Len(t, res, len(refs))
	for i, r := range res {
		if assert.NoError(t, r.Err, "result %d", i) {
			assert.Equal(t, "value-"+refs[i].Name, string(r.Value.Data), "result %d", i)
			assert.NotEmpty(t, r.Value.Version)
			assert.False(t, r.Value.Created.IsZero())
		}
	}
}

func TestFetchBatchUsesBatchCalls(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	refs := putN(t, srv, 45)
	// Duplicates cost nothing more.
	all := append(append([]driver.Ref{}, refs...), refs[:10]...)
	res, err := awssm.New(srv.Client()).FetchBatch(t.Context(), all)
	require.NoError(t, err)
	checkResults(t, all, res)
	assert.Equal(t, 3, srv.Count("BatchGetSecretValue"), "45 secrets are 3 calls of at most 20")
	assert.Equal(t, 0, srv.Count("GetSecretValue"))
	for _, c := range srv.Calls("BatchGetSecretValue") {
		assert.LessOrEqual(t, len(c.SecretIDs), 20)
	}
	// Each result owns its data, duplicates included.
	res[0].Value.Data[0] = 'X'
	assert.Equal(t, "value-"+refs[0].Name, string(res[45].Value.Data))
}

func TestFetchBatchFallsBackWhenDenied(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.DenyBatch(true)
	refs := putN(t, srv, 25)
	p := awssm.New(srv.Client())
	res, err := p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	checkResults(t, refs, res)
	denied := srv.Count("BatchGetSecretValue")
	assert.GreaterOrEqual(t, denied, 1)
	assert.Equal(t, 25, srv.Count("GetSecretValue"))

	// The provider remembers: no more batch calls.
	srv.ResetCounts()
	res, err = p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	checkResults(t, refs, res)
	assert.Equal(t, 0, srv.Count("BatchGetSecretValue"))
	assert.Equal(t, 25, srv.Count("GetSecretValue"))
}

func TestFetchBatchWithoutBatch(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	refs := putN(t, srv, 5)
	res, err := awssm.New(srv.Client(), awssm.WithBatch(false), awssm.WithConcurrency(2)).FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	checkResults(t, refs, res)
	assert.Equal(t, 0, srv.Count("BatchGetSecretValue"))
	assert.Equal(t, 5, srv.Count("GetSecretValue"))
}

func TestFetchBatchMixed(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "a", []byte("a1")))
	require.NoError(t, srv.Put(ctx, "a", []byte("a2")))
	require.NoError(t, srv.Put(ctx, "b", []byte("b1")))
	srv.FailSecret("denied", "AccessDeniedException")
	require.NoError(t, srv.Put(ctx, "denied", []byte("x")))
	refs := []driver.Ref{
		mustRef(t, "awssm://a"),
		mustRef(t, "awssm://a?version-stage=AWSPREVIOUS"),
		mustRef(t, "awssm://b"),
		mustRef(t, "awssm://missing"),
		mustRef(t, "awssm://denied"),
		{Scheme: "awssm", Name: "b", Query: "colour=blue"},
	}
	res, err := awssm.New(srv.Client()).FetchBatch(ctx, refs)
	require.NoError(t, err)
	require.Len(t, res, len(refs))
	assert.Equal(t, "a2", string(res[0].Value.Data))
	assert.Equal(t, "a1", string(res[1].Value.Data))
	assert.Equal(t, "b1", string(res[2].Value.Data))
	assert.ErrorIs(t, res[3].Err, driver.ErrNotFound)
	assert.Contains(t, res[3].Err.Error(), `"missing"`)
	assert.ErrorIs(t, res[4].Err, driver.ErrPermission)
	assert.Contains(t, res[4].Err.Error(), `"denied"`)
	assert.ErrorIs(t, res[5].Err, driver.ErrInvalidRef)
	assert.Equal(t, 1, srv.Count("BatchGetSecretValue"))
	assert.Equal(t, 1, srv.Count("GetSecretValue"), "only the version-stage ref needs its own call")
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	require.NoError(t, srv.Put(t.Context(), "s", []byte("v")))
	p := awssm.New(srv.Client())

	// Two throttled answers: the SDK's retries absorb them.
	srv.Throttle(2)
	v, err := p.Fetch(t.Context(), ref("s"))
	require.NoError(t, err)
	assert.Equal(t, "v", string(v.Data))
	assert.Equal(t, 3, srv.Count("GetSecretValue"))

	// Throttled past the SDK's 3 attempts: unavailable, naming the secret.
	srv.Throttle(3)
	_, err = p.Fetch(t.Context(), ref("s"))
	require.Error(t, err)
	assert.ErrorIs(t, err, driver.ErrUnavailable)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), `secret "s"`)
	assert.Contains(t, err.Error(), "ThrottlingException")

	// The same through a batch.
	srv.Throttle(3)
	res, err := p.FetchBatch(t.Context(), []driver.Ref{ref("s")})
	require.NoError(t, err)
	assert.ErrorIs(t, res[0].Err, driver.ErrUnavailable)
	res, err = p.FetchBatch(t.Context(), []driver.Ref{ref("s")})
	require.NoError(t, err)
	assert.NoError(t, res[0].Err, "throttling does not turn batching off")
}

func TestLatencyAndDeadline(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	refs := putN(t, srv, 3)
	srv.SetLatency(time.Minute)
	p := awssm.New(srv.Client())
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Fetch(ctx, refs[0])
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, driver.ErrNotFound)

	ctx2, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel2()
	res, err := p.FetchBatch(ctx2, refs)
	if err == nil {
		for _, r := range res {
			assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
		}
	} else {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		want error
	}{
		{"AccessDeniedException", driver.ErrPermission},
		{"DecryptionFailure", driver.ErrPermission},
		{"InternalServiceError", driver.ErrUnavailable},
		{"InvalidRequestException", driver.ErrPermission}, // a secret scheduled for deletion
	} {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			srv := fake(t)
			require.NoError(t, srv.Put(t.Context(), "app/key", []byte(providertest.Canary)))
			srv.FailSecret("app/key", tc.code)
			p := awssm.New(srv.Client())
			_, err := p.Fetch(t.Context(), ref("app/key"))
			res, berr := p.FetchBatch(t.Context(), []driver.Ref{ref("app/key")})
			require.NoError(t, berr)
			for _, err := range []error{err, res[0].Err} {
				require.Error(t, err)
				assert.Contains(t, err.Error(), `secret "app/key"`)
				assert.Contains(t, err.Error(), tc.code)
				assert.NotContains(t, err.Error(), providertest.Canary)
				assert.NotErrorIs(t, err, driver.ErrNotFound)
				if tc.want != nil {
					assert.ErrorIs(t, err, tc.want)
				}
			}
		})
	}
	t.Run("ServerError", func(t *testing.T) {
		t.Parallel()
		srv := fake(t)
		require.NoError(t, srv.Put(t.Context(), "s", []byte("v")))
		srv.FailNext(3)
		_, err := awssm.New(srv.Client()).Fetch(t.Context(), ref("s"))
		assert.ErrorIs(t, err, driver.ErrUnavailable)
	})
	t.Run("Network", func(t *testing.T) {
		t.Parallel()
		srv := awssmtest.NewServer()
		client := srv.Client()
		srv.Close()
		_, err := awssm.New(client).Fetch(t.Context(), ref("s"))
		assert.ErrorIs(t, err, driver.ErrUnavailable)
		assert.Contains(t, err.Error(), `secret "s"`)
	})
	t.Run("BadReference", func(t *testing.T) {
		t.Parallel()
		p := awssm.New(fake(t).Client())
		for _, r := range []driver.Ref{
			{Scheme: "awssm"},
			{Scheme: "awssm", Name: "s", Query: "version-stage=A&version-id=B"},
			{Scheme: "awssm", Name: "s", Query: "version=3"},
			{Scheme: "awssm", Name: "s", Query: "version-stage="},
		} {
			_, err := p.Fetch(t.Context(), r)
			assert.ErrorIs(t, err, driver.ErrInvalidRef, "%+v", r)
		}
	})
}

// A reference by ARN is read in the ARN's region, whatever the client's.
func TestARNRegion(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	west := srv.Client(func(o *secretsmanager.Options) { o.Region = "eu-west-1" })
	out, err := west.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("eu/db"), SecretString: aws.String("eu-value")})
	require.NoError(t, err)
	arn := aws.ToString(out.ARN)
	require.True(t, strings.HasPrefix(arn, "arn:aws:secretsmanager:eu-west-1:"), arn)
	require.NoError(t, srv.Put(ctx, "us/db", []byte("us-value")))

	p := awssm.New(srv.Client()) // us-east-1
	_, err = p.Fetch(ctx, ref("eu/db"))
	assert.ErrorIs(t, err, driver.ErrNotFound, "by name, the secret is looked for in the client's region")

	for _, id := range []string{arn, arn[:len(arn)-7]} { // full and partial ARN
		v, err := p.Fetch(ctx, ref(id))
		require.NoError(t, err)
		assert.Equal(t, "eu-value", string(v.Data))
	}
	calls := srv.Calls("GetSecretValue")
	assert.Equal(t, "eu-west-1", calls[len(calls)-1].Region)

	srv.ResetCounts()
	res, err := p.FetchBatch(ctx, []driver.Ref{ref(arn), ref("us/db")})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	assert.Equal(t, "eu-value", string(res[0].Value.Data))
	assert.Equal(t, "us-value", string(res[1].Value.Data))
	regions := map[string]int{}
	for _, c := range srv.Calls("BatchGetSecretValue") {
		regions[c.Region]++
	}
	assert.Equal(t, map[string]int{"eu-west-1": 1, "us-east-1": 1}, regions, "one batch call per region")
}

func TestBinaryAndJSON(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx := t.Context()
	bin := []byte{0xff, 0x00, 0xfe}
	require.NoError(t, srv.Put(ctx, "bin", bin))
	require.NoError(t, srv.Put(ctx, "json", []byte(`{"user":"u","password":"p"}`)))
	p := awssm.New(srv.Client())
	v, err := p.Fetch(ctx, ref("bin"))
	require.NoError(t, err)
	assert.Equal(t, bin, v.Data)
	res, err := p.FetchBatch(ctx, []driver.Ref{ref("bin"), ref("json")})
	require.NoError(t, err)
	assert.Equal(t, bin, res[0].Value.Data)
	pw, err := driver.Select(res[1].Value.Data, "password")
	require.NoError(t, err)
	assert.Equal(t, "p", string(pw))
}

// NewFromConfig reads the environment by design. The test runs it in a
// child process with the environment set there, so that this process's
// environment is never changed.
func TestNewFromConfig(t *testing.T) {
	if os.Getenv("AWSSM_NEWFROMCONFIG_CHILD") == "1" {
		p, err := awssm.NewFromConfig(t.Context())
		require.NoError(t, err)
		v, err := p.Fetch(t.Context(), ref("from-config"))
		require.NoError(t, err)
		require.Equal(t, "ok", string(v.Data))
		return
	}
	t.Parallel()
	srv := fake(t)
	require.NoError(t, srv.Put(t.Context(), "from-config", []byte("ok")))
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNewFromConfig$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	none := t.TempDir() + "/none"
	cmd.Env = append(cmd.Env,
		"AWSSM_NEWFROMCONFIG_CHILD=1",
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDENV",
		"AWS_SECRET_ACCESS_KEY=env-secret",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+srv.URL,
		"AWS_CONFIG_FILE="+none,
		"AWS_SHARED_CREDENTIALS_FILE="+none,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
	assert.Equal(t, 1, srv.Count("GetSecretValue"), "the child read through AWS_ENDPOINT_URL_SECRETS_MANAGER")
}

func TestKeySources(t *testing.T) {
	t.Parallel()
	r, ok := awssm.Prefix("prod/inference-engine/").RefFor("OPENAI_API_KEY")
	assert.True(t, ok)
	assert.Equal(t, "awssm://prod/inference-engine/OPENAI_API_KEY", r.String())
	_, ok = awssm.Prefix("p/").RefFor("")
	assert.False(t, ok)

	r, ok = awssm.JSON("prod/app").RefFor("DB_PASSWORD")
	assert.True(t, ok)
	assert.Equal(t, "awssm://prod/app#DB_PASSWORD", r.String())

	ks := awssm.Keys(map[string]string{
		"OPENAI_API_KEY": "prod/llm#openai",
		"DB_PASSWORD":    "awssm://prod/db?version-stage=AWSPREVIOUS#password",
		"PLAIN":          "prod/plain",
	})
	for key, want := range map[string]string{
		"OPENAI_API_KEY": "awssm://prod/llm#openai",
		"DB_PASSWORD":    "awssm://prod/db?version-stage=AWSPREVIOUS#password",
		"PLAIN":          "awssm://prod/plain",
	} {
		r, ok := ks.RefFor(key)
		assert.True(t, ok, key)
		assert.Equal(t, want, r.String())
	}
	_, ok = ks.RefFor("OTHER")
	assert.False(t, ok)

	for _, bad := range []string{"", "name?version=1", "gcpsm://p/s", "name#"} {
		assert.Panics(t, func() { awssm.Keys(map[string]string{"K": bad}) }, "%q", bad)
	}
	defer func() {
		msg := fmt.Sprint(recover())
		assert.Contains(t, msg, `"K"`)
		assert.NotContains(t, msg, "s3cr3t")
	}()
	awssm.Keys(map[string]string{"K": "s3cr3t?x=1"})
}

// A key source's references resolve through the provider: a missing
// secret is ErrNotFound, so the chain falls through.
func TestKeySourceFetch(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	require.NoError(t, srv.Put(t.Context(), "prod/inference-engine/OPENAI_API_KEY", []byte("sk-1")))
	p := awssm.New(srv.Client())
	ks := awssm.Prefix("prod/inference-engine/")
	r, _ := ks.RefFor("OPENAI_API_KEY")
	v, err := p.Fetch(t.Context(), r.Secret())
	require.NoError(t, err)
	assert.Equal(t, "sk-1", string(v.Data))
	r, _ = ks.RefFor("ANTHROPIC_API_KEY")
	_, err = p.Fetch(t.Context(), r.Secret())
	assert.ErrorIs(t, err, driver.ErrNotFound)
}

// noBatch is a client whose endpoint does not know BatchGetSecretValue, as
// some emulators and proxies do not.
type noBatch struct {
	*secretsmanager.Client
	batchCalls int
}

func (c *noBatch) BatchGetSecretValue(context.Context, *secretsmanager.BatchGetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error) {
	c.batchCalls++
	return nil, &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "not implemented"}
}

func TestFetchBatchFallsBackWhenUnsupported(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	refs := putN(t, srv, 3)
	client := &noBatch{Client: srv.Client()}
	p := awssm.New(client, awssm.WithConcurrency(1))
	for range 2 {
		res, err := p.FetchBatch(t.Context(), refs)
		require.NoError(t, err)
		checkResults(t, refs, res)
	}
	assert.Equal(t, 1, client.batchCalls, "tried once, then remembered")
	assert.Equal(t, 6, srv.Count("GetSecretValue"))
}
