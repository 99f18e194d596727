package awssmtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newServer(t *testing.T) (*awssmtest.Server, *secretsmanager.Client) {
	t.Helper()
	srv := awssmtest.NewServer()
	t.Cleanup(srv.Close)
	return srv, srv.Client()
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestStages(t *testing.T) {
	t.Parallel()
	_, c := newServer(t)
	ctx := t.Context()
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("one"), Description: aws.String("d")})
	require.NoError(t, err)
	v1 := aws.ToString(created.VersionId)

	pending, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("two"), VersionStages: []string{"AWSPENDING"}})
	require.NoError(t, err)
	v2 := aws.ToString(pending.VersionId)
	assert.Equal(t, []string{"AWSPENDING"}, pending.VersionStages)

	get := func(stage string) string {
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)})
		require.NoError(t, err, stage)
		return aws.ToString(out.SecretString)
	}
	assert.Equal(t, "one", get("AWSCURRENT"))
	assert.Equal(t, "two", get("AWSPENDING"))

	// Moving AWSCURRENT requires naming the version that has it.
	_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("s"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: &v2})
	assert.Equal(t, "InvalidParameterException", code(err))
	_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("s"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: &v2, RemoveFromVersionId: &v1})
	require.NoError(t, err)
	assert.Equal(t, "two", get("AWSCURRENT"))
	assert.Equal(t, "one", get("AWSPREVIOUS"))

	desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	require.NoError(t, err)
	assert.Equal(t, "d", aws.ToString(desc.Description))
	assert.ElementsMatch(t, []string{"AWSPREVIOUS"}, desc.VersionIdsToStages[v1])
	assert.ElementsMatch(t, []string{"AWSPENDING", "AWSCURRENT"}, desc.VersionIdsToStages[v2])

	// A plain put moves AWSCURRENT; AWSPREVIOUS follows.
	third, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretBinary: []byte{0, 1}})
	require.NoError(t, err)
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 1}, out.SecretBinary)
	assert.Nil(t, out.SecretString)
	assert.Equal(t, aws.ToString(third.VersionId), aws.ToString(out.VersionId))
	assert.Equal(t, "two", get("AWSPREVIOUS"))
	assert.False(t, aws.ToTime(out.CreatedDate).IsZero())

	// Idempotent puts by ClientRequestToken.
	tok := "11111111-2222-4333-8444-555555555555"
	for range 2 {
		p, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("four"), ClientRequestToken: &tok})
		require.NoError(t, err)
		assert.Equal(t, tok, aws.ToString(p.VersionId))
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("five"), ClientRequestToken: &tok})
	assert.Equal(t, "ResourceExistsException", code(err))

	// Errors.
	for _, tc := range []struct {
		in   *secretsmanager.GetSecretValueInput
		want string
	}{
		{&secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")}, "ResourceNotFoundException"},
		{&secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionId: aws.String("nope")}, "ResourceNotFoundException"},
		{&secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String("NOPE")}, "ResourceNotFoundException"},
		{&secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionId: &v1, VersionStage: aws.String("AWSCURRENT")}, "InvalidParameterException"},
	} {
		_, err := c.GetSecretValue(ctx, tc.in)
		assert.Equal(t, tc.want, code(err))
	}
	var nf *types.ResourceNotFoundException
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	assert.ErrorAs(t, err, &nf, "the SDK decodes the modeled error type")
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("x")})
	var exists *types.ResourceExistsException
	assert.ErrorAs(t, err, &exists)
}

func TestBatchGetSecretValue(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()
	for i := range 25 {
		require.NoError(t, srv.Put(ctx, fmt.Sprintf("app/%02d", i), []byte(fmt.Sprint(i))))
	}
	require.NoError(t, srv.Put(ctx, "other", []byte("o")))
	srv.FailSecret("app/03", "DecryptionFailure")

	out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"app/01", "missing", "app/03"}})
	require.NoError(t, err)
	require.Len(t, out.SecretValues, 1)
	assert.Equal(t, "1", aws.ToString(out.SecretValues[0].SecretString))
	require.Len(t, out.Errors, 2)
	assert.Equal(t, "missing", aws.ToString(out.Errors[0].SecretId))
	assert.Equal(t, "ResourceNotFoundException", aws.ToString(out.Errors[0].ErrorCode))
	assert.Equal(t, "DecryptionFailure", aws.ToString(out.Errors[1].ErrorCode))

	// Filters, paginated.
	var names []string
	pages := 0
	in := &secretsmanager.BatchGetSecretValueInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"app/"}}}, MaxResults: aws.Int32(10)}
	for {
		out, err := c.BatchGetSecretValue(ctx, in)
		require.NoError(t, err)
		pages++
		for _, v := range out.SecretValues {
			names = append(names, aws.ToString(v.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	assert.Equal(t, 3, pages)
	assert.Len(t, names, 24, "25 app/ secrets, one failing")
	assert.NotContains(t, names, "other")

	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: make([]string, 21)})
	assert.Error(t, err)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{})
	assert.Equal(t, "InvalidParameterException", code(err))

	srv.DenyBatch(true)
	_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"app/01"}})
	assert.Equal(t, "AccessDeniedException", code(err))
}

func TestInjections(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "s", []byte("v")))
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}

	srv.Throttle(2) // retried by the SDK
	_, err := c.GetSecretValue(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Count("GetSecretValue"))

	srv.Throttle(3)
	_, err = c.GetSecretValue(ctx, in)
	assert.Equal(t, "ThrottlingException", code(err))

	srv.FailNext(3)
	_, err = c.GetSecretValue(ctx, in)
	assert.Equal(t, "InternalServiceError", code(err))

	srv.SetLatency(time.Minute)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = c.GetSecretValue(short, in)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	srv.SetLatency(0)

	srv.ResetCounts()
	_, err = c.GetSecretValue(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Total())
	calls := srv.Calls("")
	require.Len(t, calls, 1)
	assert.Equal(t, awssmtest.Call{Op: "GetSecretValue", Region: "us-east-1", SecretIDs: []string{"s"}, AccessKeyID: "AKIDAWSSMTEST"}, calls[0])
}

// The wire format: what a client other than the Go SDK sees.
func TestWireFormat(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t)
	post := func(target, contentType, body string) (int, http.Header, map[string]any) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m), string(b))
		return resp.StatusCode, resp.Header, m
	}
	status, h, m := post("secretsmanager.GetSecretValue", "application/x-amz-json-1.1", `{"SecretId":"nope"}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "application/x-amz-json-1.1", h.Get("Content-Type"))
	assert.Equal(t, "ResourceNotFoundException", m["__type"])
	assert.NotEmpty(t, m["message"])

	status, _, m = post("secretsmanager.RotateSecret", "application/x-amz-json-1.1", `{}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "UnknownOperationException", m["__type"])

	status, _, m = post("secretsmanager.GetSecretValue", "application/json", `{}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "SerializationException", m["__type"])

	status, _, m = post("secretsmanager.CreateSecret", "application/x-amz-json-1.1", `{"Name":"n","SecretString":"v"}`)
	assert.Equal(t, 200, status)
	assert.Regexp(t, `^arn:aws:secretsmanager:us-east-1:123456789012:secret:n-[A-Za-z0-9]{6}$`, m["ARN"])

	status, _, m = post("secretsmanager.GetSecretValue", "application/x-amz-json-1.1", `{"SecretId":"n"}`)
	assert.Equal(t, 200, status)
	assert.IsType(t, float64(0), m["CreatedDate"], "timestamps are epoch seconds")
	assert.Equal(t, []any{"AWSCURRENT"}, m["VersionStages"])
}
