package awsps_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
)

// The three parameter types: a SecureString comes back decrypted, a
// StringList as its comma-separated text, which a field's sep tag splits.
func TestTypes(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.PutParameter("/prod/inference/model", "gpt-4o", awspstest.String)
	srv.PutParameter("/prod/inference/hosts", "a.example,b.example", awspstest.StringList)
	srv.PutParameter("/prod/inference/api-key", "sk-live-123", awspstest.SecureString)
	var cfg struct {
		Model string           `env:"MODEL"`
		Hosts []string         `env:"HOSTS" sep:","`
		Key   driftless.Secret `env:"KEY"`
	}
	env := map[string]string{
		"MODEL": "awsps://prod/inference/model",
		"HOSTS": "awsps:///prod/inference/hosts",
		"KEY":   "awsps://prod/inference/api-key",
	}
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(env), driftless.WithProvider(awsps.Scheme, awsps.New(srv.Client()))))
	assert.Equal(t, "gpt-4o", cfg.Model)
	assert.Equal(t, []string{"a.example", "b.example"}, cfg.Hosts)
	assert.Equal(t, "sk-live-123", cfg.Key.Value(), "the SecureString is decrypted")
	assert.Equal(t, 1, srv.Count("GetParameters"), "three parameters, one call")
}

// Versions and labels select with name:N and name:LABEL.
func TestVersionsAndLabels(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	p := awsps.New(srv.Client())
	for i := 1; i <= 3; i++ {
		srv.PutParameter("/app/db", fmt.Sprintf("v%d", i), awspstest.SecureString)
	}
	require.NoError(t, srv.Label("/app/db", 2, "live"))
	for _, tc := range []struct{ query, want, version string }{
		{"", "v3", "3"},
		{"version=1", "v1", "1"},
		{"label=live", "v2", "2"},
	} {
		r := driver.Ref{Scheme: awsps.Scheme, Name: "app/db", Query: tc.query}
		v, err := p.Fetch(t.Context(), r)
		require.NoError(t, err, tc.query)
		assert.Equal(t, tc.want, string(v.Data), tc.query)
		assert.Equal(t, tc.version, v.Version, tc.query)
		res, err := p.FetchBatch(t.Context(), []driver.Ref{r})
		require.NoError(t, err)
		require.NoError(t, res[0].Err, tc.query)
		assert.Equal(t, tc.want, string(res[0].Value.Data), "batch %s", tc.query)
	}
	for _, q := range []string{"version=9", "label=gone"} {
		r := driver.Ref{Scheme: awsps.Scheme, Name: "app/db", Query: q}
		_, err := p.Fetch(t.Context(), r)
		assert.ErrorIs(t, err, driver.ErrNotFound, q)
		res, err := p.FetchBatch(t.Context(), []driver.Ref{r})
		require.NoError(t, err)
		assert.ErrorIs(t, res[0].Err, driver.ErrNotFound, "batch %s", q)
	}
}

// rotation checks FetchPrevious and driftless.Rotating across a rotation.
func rotation(t *testing.T, p *awsps.Provider, put func(value string)) {
	put("first")
	_, err := p.FetchPrevious(t.Context(), ref("/svc/token"))
	require.ErrorIs(t, err, driver.ErrNotFound, "one version: no previous")
	put("second")
	put("third")
	prev, err := p.FetchPrevious(t.Context(), ref("svc/token"))
	require.NoError(t, err)
	assert.Equal(t, "second", string(prev.Data))
	assert.Equal(t, "2", prev.Version)

	var cfg struct {
		Token driftless.Rotating `env:"TOKEN"`
	}
	require.NoError(t, driftless.Load(t.Context(), &cfg, driftless.WithEnv(map[string]string{"TOKEN": "awsps://svc/token"}), driftless.WithProvider(awsps.Scheme, p)))
	assert.Equal(t, "third", cfg.Token.Current().Value())
	assert.Equal(t, "second", cfg.Token.Previous().Value())
}

func TestRotationAWSPSTest(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	rotation(t, awsps.New(srv.Client()), func(v string) { srv.PutParameter("/svc/token", v, awspstest.SecureString) })
}

func TestRotationMoto(t *testing.T) {
	client := motoClient(t)
	_, _ = client.DeleteParameter(t.Context(), &ssm.DeleteParameterInput{Name: aws.String("/svc/token")})
	rotation(t, awsps.New(client), func(v string) {
		_, err := client.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String("/svc/token"), Value: aws.String(v), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
		require.NoError(t, err)
	})
}

// Labels and versions against moto, as Parameter Store serves them.
func TestLabelsMoto(t *testing.T) {
	client := motoClient(t)
	name := "/moto/labels/db"
	_, _ = client.DeleteParameter(t.Context(), &ssm.DeleteParameterInput{Name: aws.String(name)})
	for _, v := range []string{"v1", "v2", "v3"} {
		_, err := client.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(v), Type: types.ParameterTypeString, Overwrite: aws.Bool(true)})
		require.NoError(t, err)
	}
	_, err := client.LabelParameterVersion(t.Context(), &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(2), Labels: []string{"live"}})
	require.NoError(t, err)
	p := awsps.New(client)
	refs := []driver.Ref{
		{Scheme: awsps.Scheme, Name: "moto/labels/db", Query: "label=live"},
		{Scheme: awsps.Scheme, Name: "moto/labels/db", Query: "version=1"},
		{Scheme: awsps.Scheme, Name: "moto/labels/db"},
		{Scheme: awsps.Scheme, Name: "moto/labels/missing"},
	}
	res, err := p.FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	for i, want := range []string{"v2", "v1", "v3"} {
		require.NoError(t, res[i].Err, refs[i].Query)
		assert.Equal(t, want, string(res[i].Value.Data), refs[i].Query)
	}
	assert.ErrorIs(t, res[3].Err, driver.ErrNotFound)
}

// FetchBatch sends 10 names per GetParameters call, all at once; names
// GetParameters lists as invalid fail with ErrNotFound, without another call.
func TestBatchOfTen(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	var refs []driver.Ref
	for i := range 25 {
		name := fmt.Sprintf("/prod/svc/p%02d", i)
		srv.PutParameter(name, "value-"+name, awspstest.String)
		refs = append(refs, ref(name))
	}
	refs = append(refs, ref("/prod/svc/missing"), ref("/prod/svc/p00"))
	res, err := awsps.New(srv.Client()).FetchBatch(t.Context(), refs)
	require.NoError(t, err)
	for i, r := range res[:25] {
		require.NoError(t, r.Err)
		assert.Equal(t, "value-"+refs[i].Name, string(r.Value.Data))
	}
	assert.ErrorIs(t, res[25].Err, driver.ErrNotFound)
	assert.Equal(t, "value-/prod/svc/p00", string(res[26].Value.Data))
	assert.Equal(t, 3, srv.Count("GetParameters"), "26 distinct names: 3 calls")
	assert.Zero(t, srv.Count("GetParameter"), "no call one by one")
}

// Failures map to the sentinels; throttling is retried first.
func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		inject func(srv *awspstest.Server)
		want   error // nil: success
	}{
		{"throttled-then-served", func(s *awspstest.Server) { s.Throttle(2) }, nil},
		{"throttled-past-retries", func(s *awspstest.Server) { s.Throttle(10) }, driver.ErrUnavailable},
		{"server-errors", func(s *awspstest.Server) { s.FailNext(10) }, driver.ErrUnavailable},
		{"down", func(s *awspstest.Server) { s.Down() }, driver.ErrUnavailable},
		{"denied", func(s *awspstest.Server) { s.FailParameter("/x/secret", "AccessDeniedException") }, driver.ErrPermission},
		{"kms-key", func(s *awspstest.Server) { s.FailParameter("/x/secret", "InvalidKeyId") }, driver.ErrPermission},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, batch := range []bool{false, true} {
				srv := fake(t)
				srv.PutParameter("/x/secret", "s3cr3t-value", awspstest.SecureString)
				p := awsps.New(srv.Client())
				tc.inject(srv)
				var err error
				if batch {
					var res []driver.Result
					res, err = p.FetchBatch(t.Context(), []driver.Ref{ref("x/secret")})
					require.NoError(t, err)
					err = res[0].Err
				} else {
					_, err = p.Fetch(t.Context(), ref("x/secret"))
				}
				if tc.want == nil {
					assert.NoError(t, err, "batch=%v", batch)
					continue
				}
				assert.ErrorIs(t, err, tc.want, "batch=%v", batch)
				assert.NotErrorIs(t, err, driver.ErrNotFound, "batch=%v", batch)
				if err != nil {
					assert.NotContains(t, err.Error(), "s3cr3t", "batch=%v", batch)
					assert.Contains(t, err.Error(), `"/x/secret"`, "batch=%v", batch)
				}
			}
		})
	}
}

// A client without credentials fails with ErrNoCredentials, and no
// request reaches the endpoint.
func TestNoCredentials(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.PutParameter("/x/a", "v", awspstest.String)
	client := srv.Client(func(o *ssm.Options) { o.Credentials = nil })
	p := awsps.New(client)
	_, err := p.Fetch(t.Context(), ref("/x/a"))
	assert.ErrorIs(t, err, driver.ErrNoCredentials)
	assert.Contains(t, err.Error(), "AWS_ACCESS_KEY_ID")
	res, err := p.FetchBatch(t.Context(), []driver.Ref{ref("/x/a")})
	require.NoError(t, err)
	assert.ErrorIs(t, res[0].Err, driver.ErrNoCredentials)
	_, err = p.FetchPrevious(t.Context(), ref("/x/a"))
	assert.ErrorIs(t, err, driver.ErrNoCredentials)
	assert.Zero(t, srv.Count("GetParameter")+srv.Count("GetParameters")+srv.Count("GetParameterHistory"))
}

// A context already done fails every call at once.
func TestContextDone(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := awsps.New(srv.Client()).FetchPrevious(ctx, ref("/x/a"))
	assert.ErrorIs(t, err, context.Canceled)
}
