package azkvtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The official client drives every operation the fake serves.
func TestSecretsAPIWithOfficialClient(t *testing.T) {
	srv := azkvtest.NewServer(t)
	c := srv.Client("kv-one")
	ctx := t.Context()

	set, err := c.SetSecret(ctx, "db-password", azsecrets.SetSecretParameters{Value: to.Ptr("one"), ContentType: to.Ptr("text/plain")}, nil)
	require.NoError(t, err)
	require.NotNil(t, set.ID)
	assert.Equal(t, "db-password", set.ID.Name())
	v1 := set.ID.Version()
	assert.Len(t, v1, 32)
	assert.Equal(t, "one", *set.Value)
	assert.True(t, *set.Attributes.Enabled)
	assert.WithinDuration(t, time.Now(), *set.Attributes.Created, 5*time.Second)

	_, err = c.SetSecret(ctx, "db-password", azsecrets.SetSecretParameters{Value: to.Ptr("")}, nil)
	require.NoError(t, err, "Key Vault stores empty values")
	got, err := c.GetSecret(ctx, "DB-PASSWORD", "", nil) // names are case-insensitive
	require.NoError(t, err)
	assert.Equal(t, "", *got.Value)
	assert.NotEqual(t, v1, got.ID.Version())

	got, err = c.GetSecret(ctx, "db-password", v1, nil)
	require.NoError(t, err)
	assert.Equal(t, "one", *got.Value)
	assert.Equal(t, "text/plain", *got.ContentType)

	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	upd, err := c.UpdateSecretProperties(ctx, "db-password", v1, azsecrets.UpdateSecretPropertiesParameters{
		SecretAttributes: &azsecrets.SecretAttributes{Enabled: to.Ptr(false), Expires: &exp},
	}, nil)
	require.NoError(t, err)
	assert.False(t, *upd.Attributes.Enabled)
	assert.True(t, exp.Equal(*upd.Attributes.Expires))
	assert.Nil(t, upd.Value, "an update answers without the value")

	_, err = c.GetSecret(ctx, "db-password", v1, nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusForbidden, re.StatusCode)
	assert.Equal(t, "Forbidden", re.ErrorCode)
	assert.Contains(t, err.Error(), "SecretDisabled")

	var versions []string
	for pager := c.NewListSecretPropertiesVersionsPager("db-password", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, p := range page.Value {
			versions = append(versions, p.ID.Version())
		}
	}
	assert.Equal(t, srv.Vault("kv-one").Versions("db-password"), versions)

	del, err := c.DeleteSecret(ctx, "db-password", nil)
	require.NoError(t, err)
	assert.Contains(t, *del.RecoveryID, "/deletedsecrets/db-password")
	_, err = c.GetSecret(ctx, "db-password", "", nil)
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusNotFound, re.StatusCode)
	assert.Equal(t, "SecretNotFound", re.ErrorCode)

	st := srv.Stats()
	assert.Equal(t, 2, st.Sets)
	assert.Equal(t, 1, st.Updates)
	assert.Equal(t, 1, st.Deletes)
	assert.Equal(t, 1, st.Versions)
	assert.Equal(t, 1, st.Challenges)
	assert.Zero(t, st.ListAll)
}

func TestChallengeOnTheWire(t *testing.T) {
	srv := azkvtest.NewServer(t)
	for _, tc := range []struct {
		name, auth, msg string
	}{
		{"no token", "", "AKV10000"},
		{"foreign token", "Bearer something-else", "AKV10022"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.VaultURL("kv")+"/secrets/x?api-version=7.6", nil)
			require.NoError(t, err)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Equal(t,
				`Bearer authorization="https://login.microsoftonline.com/`+azkvtest.TenantID+`", resource="https://vault.azure.net"`,
				resp.Header.Get("WWW-Authenticate"))
			var body struct {
				Error struct{ Code, Message string }
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.Equal(t, "Unauthorized", body.Error.Code)
			assert.True(t, strings.HasPrefix(body.Error.Message, tc.msg))
		})
	}
}

func TestThrottleSendsRetryAfter(t *testing.T) {
	srv := azkvtest.NewServer(t)
	srv.Set("a", "v")
	opts := srv.ClientOptions()
	opts.Retry.MaxRetries = -1 // see the first answer
	c, err := azsecrets.NewClient(srv.VaultURL(azkvtest.DefaultVault), srv.Credential(), opts)
	require.NoError(t, err)
	_, err = c.GetSecret(t.Context(), "a", "", nil) // takes the challenge
	require.NoError(t, err)

	srv.Throttle(1, 1500*time.Millisecond)
	_, err = c.GetSecret(t.Context(), "a", "", nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, http.StatusTooManyRequests, re.StatusCode)
	assert.Equal(t, "Throttled", re.ErrorCode)
	assert.Equal(t, "2", re.RawResponse.Header.Get("Retry-After"))

	_, err = c.GetSecret(t.Context(), "a", "", nil)
	assert.NoError(t, err, "the fault is used up")
}

func TestPutRefusesWhatKeyVaultRefuses(t *testing.T) {
	srv := azkvtest.NewServer(t)
	for _, tc := range []struct {
		name, secret string
		data         []byte
	}{
		{"binary", "ok", []byte{0xff, 0xfe}},
		{"underscore", "not_ok", []byte("v")},
		{"too large", "big", make([]byte, azkvtest.MaxValueBytes+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, srv.Put(t.Context(), tc.secret, tc.data), azkvtest.ErrInvalid)
		})
	}
	assert.NoError(t, srv.Put(t.Context(), "empty", nil))
}

func TestSetDisabledAnswersTheBundle(t *testing.T) {
	srv := azkvtest.NewServer(t)
	c := srv.Client(azkvtest.DefaultVault)
	resp, err := c.SetSecret(t.Context(), "off", azsecrets.SetSecretParameters{
		Value: to.Ptr("v"), SecretAttributes: &azsecrets.SecretAttributes{Enabled: to.Ptr(false)},
	}, nil)
	require.NoError(t, err)
	assert.False(t, *resp.Attributes.Enabled)
	_, err = c.GetSecret(t.Context(), "off", "", nil)
	assert.Error(t, err, "a disabled secret is not served")
}
