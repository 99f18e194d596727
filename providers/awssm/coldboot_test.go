package awssm_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// irsaToken is the projected service-account token of the cold-boot tests.
const irsaToken = "eyJhbGciOiJSUzI1NiJ9.awssmtest-service-account.sig"

// irsaProfile writes what EKS gives a pod with IAM roles for service
// accounts (a projected service-account token file and the role to
// assume) as a shared config profile, and returns the options that make
// config.LoadDefaultConfig read it with every endpoint, STS's included, at
// srv. The SDK's credential chain then calls AssumeRoleWithWebIdentity
// before the first signed request, as in a pod (where the same two
// settings come from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN; the
// process environment is not touched here).
func irsaProfile(tb testing.TB, srv *awssmtest.Server) []func(*config.LoadOptions) error {
	tb.Helper()
	dir := tb.TempDir()
	token := filepath.Join(dir, "token")
	require.NoError(tb, os.WriteFile(token, []byte(irsaToken), 0o600))
	profile := fmt.Sprintf("[profile irsa]\nrole_arn = arn:aws:iam::%s:role/driftless-app\nweb_identity_token_file = %s\nrole_session_name = driftless-coldboot\n",
		awssmtest.Account, token)
	cfgFile := filepath.Join(dir, "config")
	require.NoError(tb, os.WriteFile(cfgFile, []byte(profile), 0o600))
	srv.SetWebIdentityToken(irsaToken)
	return []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles([]string{cfgFile}),
		config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}), // none
		config.WithSharedConfigProfile("irsa"),
		config.WithRegion(awssmtest.DefaultRegion),
		config.WithBaseEndpoint(srv.URL),
	}
}

// coldBootStruct returns a struct type of 40 Secret fields over 20 JSON
// secrets (two keys each), the environment that points them at awssm, and
// stores the secrets in srv.
func coldBootStruct(tb testing.TB, srv *awssmtest.Server) (reflect.Type, map[string]string) {
	tb.Helper()
	env := map[string]string{}
	var fields []reflect.StructField
	for i := range 20 {
		name := fmt.Sprintf("prod/svc/secret-%02d", i)
		require.NoError(tb, srv.Put(tb.Context(), name, []byte(`{"user":"u","password":"p"}`)))
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "awssm://" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	return reflect.StructOf(fields), env
}

// A pod's first Load with IRSA: the SDK's credential chain exchanges the
// web identity token at STS, then one BatchGetSecretValue, signed with the
// credentials STS issued, reads all 20 secrets. Two requests, in that order:
// nothing can come before the batch, which needs STS's credentials.
func TestColdBootIRSA(t *testing.T) {
	srv := fake(t)
	typ, env := coldBootStruct(t, srv)
	srv.ResetCounts()

	cfg, err := config.LoadDefaultConfig(t.Context(), irsaProfile(t, srv)...)
	require.NoError(t, err)
	p := awssm.New(secretsmanager.NewFromConfig(cfg))
	dst := reflect.New(typ)
	require.NoError(t, driftless.Load(t.Context(), dst.Interface(), driftless.WithEnv(env), driftless.WithProvider(awssm.Scheme, p)))
	assert.Equal(t, "p", dst.Elem().FieldByName("F07_PASSWORD").Interface().(driftless.Secret).Value())

	calls := srv.Calls("")
	require.Len(t, calls, 2, "one STS call and one batch")
	assert.Equal(t, awssmtest.OpAssumeRoleWithWebIdentity, calls[0].Op)
	assert.Empty(t, calls[0].AccessKeyID, "AssumeRoleWithWebIdentity is not signed")
	assert.Equal(t, "BatchGetSecretValue", calls[1].Op)
	assert.Len(t, calls[1].SecretIDs, 20)
	creds, err := cfg.Credentials.Retrieve(t.Context()) // cached: no request
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(creds.AccessKeyID, "ASIA"), "temporary credentials")
	assert.Equal(t, creds.AccessKeyID, calls[1].AccessKeyID, "the batch is signed with the credentials STS issued")
	assert.Equal(t, 2, srv.Total())
}

// A token that the role does not trust fails the Load with a permission
// error after the one STS call, and no secret is read.
func TestColdBootIRSARefused(t *testing.T) {
	srv := fake(t)
	typ, env := coldBootStruct(t, srv)
	opts := irsaProfile(t, srv)
	srv.SetWebIdentityToken("another-service-account")
	srv.ResetCounts()
	cfg, err := config.LoadDefaultConfig(t.Context(), opts...)
	require.NoError(t, err)
	err = driftless.Load(t.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env),
		driftless.WithProvider(awssm.Scheme, awssm.New(secretsmanager.NewFromConfig(cfg))))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), irsaToken)
	assert.Zero(t, srv.Count("BatchGetSecretValue")+srv.Count("GetSecretValue"), "no read without credentials")
	assert.Positive(t, srv.Count(awssmtest.OpAssumeRoleWithWebIdentity))
}

// BenchmarkColdBootIRSA is a pod's whole cold boot on EKS with IAM roles
// for service accounts: config.LoadDefaultConfig from the web identity
// profile (a new credential cache and connection pool each time), the
// STS AssumeRoleWithWebIdentity call the credential chain makes, and
// driftless.Load of 40 fields over 20 secrets, with 20 ms per request
// injected by awssmtest (STS included). RT/op is the wall time in round
// trips of 20 ms, without config.LoadDefaultConfig, which sends nothing and
// is reported apart as config-ms/op (it parses AWS_CA_BUNDLE when the
// environment sets one, as some CI machines do: 3-4 ms). Rerun:
// go test -run '^$' -bench ColdBoot -benchtime 50x ./providers/awssm
func BenchmarkColdBootIRSA(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []awssm.Option
	}{{"batch", nil}, {"get-secret-value", []awssm.Option{awssm.WithBatch(false)}}} {
		b.Run(bc.name, func(b *testing.B) {
			const latency = 20 * time.Millisecond
			srv := fake(b)
			typ, env := coldBootStruct(b, srv)
			load := irsaProfile(b, srv)
			srv.SetLatency(latency)
			srv.ResetCounts()
			var configTime time.Duration
			for b.Loop() {
				b.StopTimer()
				t0 := time.Now()
				cfg, err := config.LoadDefaultConfig(b.Context(), load...)
				if err != nil {
					b.Fatal(err)
				}
				configTime += time.Since(t0)
				b.StartTimer()
				p := awssm.New(secretsmanager.NewFromConfig(cfg), bc.opts...)
				if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider(awssm.Scheme, p)); err != nil {
					b.Fatal(err)
				}
				if c, ok := cfg.HTTPClient.(interface{ CloseIdleConnections() }); ok {
					c.CloseIdleConnections()
				}
			}
			b.ReportMetric(float64(srv.Total())/float64(b.N), "requests/op")
			b.ReportMetric(float64(srv.Count(awssmtest.OpAssumeRoleWithWebIdentity))/float64(b.N), "sts/op")
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "RT/op")
			b.ReportMetric(float64(configTime)/float64(b.N)/float64(time.Millisecond), "config-ms/op")
		})
	}
}
