package awssm_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
)

// iamConfig reads two secrets by name (batched) and one by stage.
type iamConfig struct {
	DB      driftless.Secret `env:"DB" ref:"true"`
	API     driftless.Secret `env:"API" ref:"true"`
	Pending driftless.Secret `env:"PENDING" ref:"true"`
}

var iamEnv = map[string]string{
	"DB":      "awssm://prod/db#password",
	"API":     "awssm://prod/api",
	"PENDING": "awssm://prod/api?version-stage=AWSCURRENT",
}

// TestPolicyMotoIAM applies the generated policy on a moto server that
// enforces IAM (POST /moto-api/reset-auth): a user with exactly the
// generated actions loads the config; without GetSecretValue the load fails
// with a permission error naming the fields; without BatchGetSecretValue
// the provider falls back to GetSecretValue, as documented, and loads.
//
// moto checks actions, not resources: it evaluates every Secrets Manager
// request as one on resource "*" (so a statement naming ARNs never
// matches, and its regular expressions fail on the "?" wildcard). The test
// therefore applies the generated statements with their Resource set to
// "*"; the resource ARNs are checked by TestPolicyGolden and
// TestPolicyARNForms.
func TestPolicyMotoIAM(t *testing.T) {
	cmd, base, skip, err := runMoto()
	if skip != "" {
		t.Skip(skip)
	}
	if cmd != nil {
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	require.NoError(t, err)
	ctx := t.Context()

	root := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", "")})
	for name, v := range map[string]string{"prod/db": `{"password":"pw"}`, "prod/api": "key"} {
		_, err := root.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(v)})
		require.NoError(t, err)
	}

	reads, err := driftless.Reads(t.Context(), &iamConfig{}, driftless.WithEnv(iamEnv))
	require.NoError(t, err)
	doc, err := awssm.Policy(reads, awssm.PolicyOptions{Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)
	actions := policyActions(t, doc)
	require.Equal(t, []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"}, actions)

	doc = anyResource(t, doc)
	iam := &motoIAM{t: t, url: base}
	users := map[string]aws.Credentials{"full": iam.user("full", doc)}
	for _, a := range actions {
		users["without "+a] = iam.user("without-"+strings.TrimPrefix(a, "secretsmanager:"), withoutAction(t, doc, a))
	}
	// From now on every request is checked against its signer's policies.
	resp, err := http.Post(base+"/moto-api/reset-auth", "application/json", strings.NewReader("0"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	load := func(c aws.Credentials) error {
		client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
			Credentials: credentials.StaticCredentialsProvider{Value: c}})
		var cfg iamConfig
		return driftless.Load(t.Context(), &cfg, driftless.WithEnv(iamEnv), driftless.WithProvider("awssm", awssm.New(client)))
	}
	assert.NoError(t, load(users["full"]), "the generated policy")
	assert.NoError(t, load(users["without secretsmanager:BatchGetSecretValue"]), "FetchBatch falls back to GetSecretValue")

	err = load(users["without secretsmanager:GetSecretValue"])
	require.ErrorIs(t, err, driftless.ErrPermission)
	var le *driftless.LoadError
	require.ErrorAs(t, err, &le)
	var failed []string
	for _, fe := range le.Fields() {
		assert.ErrorIs(t, fe, driftless.ErrPermission)
		failed = append(failed, fe.Field)
	}
	// Pending is read with GetSecretValue (a version selector is not
	// batched). AWS also denies DB and API, since each secret that
	// BatchGetSecretValue returns needs GetSecretValue; moto does not.
	assert.Contains(t, failed, "Pending")
}

// policyActions returns the actions a policy document allows, sorted.
func policyActions(t *testing.T, doc []byte) []string {
	var d struct{ Statement []struct{ Action []string } }
	require.NoError(t, json.Unmarshal(doc, &d))
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return out
}

// anyResource returns doc with every statement's Resource set to "*", the
// only resource moto evaluates.
func anyResource(t *testing.T, doc []byte) []byte {
	var d struct {
		Version   string
		Statement []map[string]any
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	for _, s := range d.Statement {
		s["Resource"] = "*"
	}
	out, err := json.Marshal(d)
	require.NoError(t, err)
	return out
}

// withoutAction returns doc without the statements that allow action.
func withoutAction(t *testing.T, doc []byte, action string) []byte {
	var d struct {
		Version   string
		Statement []map[string]any
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	d.Statement = slices.DeleteFunc(d.Statement, func(s map[string]any) bool {
		return slices.Contains(s["Action"].([]any), any(action))
	})
	out, err := json.Marshal(d)
	require.NoError(t, err)
	return out
}

// motoIAM makes IAM users on a moto server with the IAM query API, signed
// with SigV4 as moto routes by the signature's service.
type motoIAM struct {
	t   *testing.T
	url string
}

// user creates a user with policy doc and returns its access key.
func (m *motoIAM) user(name string, doc []byte) aws.Credentials {
	m.call(url.Values{"Action": {"CreateUser"}, "UserName": {name}})
	m.call(url.Values{"Action": {"PutUserPolicy"}, "UserName": {name}, "PolicyName": {"driftless"}, "PolicyDocument": {string(doc)}})
	var out struct {
		Key struct {
			ID     string `xml:"AccessKeyId"`
			Secret string `xml:"SecretAccessKey"`
		} `xml:"CreateAccessKeyResult>AccessKey"`
	}
	require.NoError(m.t, xml.Unmarshal(m.call(url.Values{"Action": {"CreateAccessKey"}, "UserName": {name}}), &out))
	require.NotEmpty(m.t, out.Key.ID)
	return aws.Credentials{AccessKeyID: out.Key.ID, SecretAccessKey: out.Key.Secret}
}

func (m *motoIAM) call(form url.Values) []byte {
	form.Set("Version", "2010-05-08")
	body := form.Encode()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, m.url+"/", strings.NewReader(body))
	require.NoError(m.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDMOTO", SecretAccessKey: "moto-secret"}
	require.NoError(m.t, v4.NewSigner().SignHTTP(req.Context(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(m.t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(m.t, err)
	require.Equal(m.t, http.StatusOK, resp.StatusCode, "IAM %s", form.Get("Action"))
	return out
}
