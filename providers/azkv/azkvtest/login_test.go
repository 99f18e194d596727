package azkvtest_test

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/providers/azkv/azkvtest"
)

func TestSignIn(t *testing.T) {
	srv := azkvtest.NewServer(t)
	ctx := t.Context()

	// The vault's scope gets a token the vault accepts: one read works.
	cred := srv.ClientSecretCredential()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{azkvtest.Scope}})
	require.NoError(t, err)
	assert.NotEmpty(t, tok.Token)
	st := srv.Stats()
	assert.Equal(t, 1, st.Tokens)
	assert.Equal(t, 1, st.Discovery)
	assert.Zero(t, st.Requests, "sign-in requests are not the vault's")

	// A wrong client secret is refused, and not echoed.
	const wrong = "not-the-client-secret-42"
	bad, err := azidentity.NewClientSecretCredential(azkvtest.TenantID, azkvtest.ClientID, wrong, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: srv.AuthorityHost()}, Transport: srv.HTTPClient()},
		DisableInstanceDiscovery: true,
	})
	require.NoError(t, err)
	_, err = bad.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{azkvtest.Scope}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AADSTS7000215")
	assert.NotContains(t, err.Error(), wrong)
}
