package gcpsmtest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
)

func TestMetadata(t *testing.T) {
	md := gcpsmtest.NewMetadata(t)
	ctx := t.Context()

	// The official client, through the redirecting HTTP client.
	c := md.Client()
	project, err := c.ProjectIDWithContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, gcpsmtest.DefaultProject, project)
	email, err := c.EmailWithContext(ctx, "default")
	require.NoError(t, err)
	assert.Equal(t, gcpsmtest.ServiceAccount, email)

	tok, err := md.Credentials("https://www.googleapis.com/auth/cloud-platform").Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, md.Token(), tok.Value)
	assert.Equal(t, "Bearer", tok.Type)

	// Without Metadata-Flavor: Google, the server refuses, as the real one does.
	resp, err := http.Get("http://" + md.Host() + "/computeMetadata/v1/instance/service-accounts/default/token")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.NotContains(t, string(body), md.Token())

	// The HTTP client sends nothing anywhere else.
	_, err = md.HTTPClient().Get("http://127.0.0.2:1/")
	require.Error(t, err)

	assert.Len(t, md.Requests(), 4)
	md.ResetRequests()
	assert.Empty(t, md.Requests())
}
