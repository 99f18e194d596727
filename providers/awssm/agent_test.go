package awssm

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func agentFor(t *testing.T, token string) (*awssmtest.Server, *awssmtest.AgentServer) {
	t.Helper()
	srv := awssmtest.NewServer()
	t.Cleanup(srv.Close)
	a := awssmtest.NewAgentServer(srv, token)
	t.Cleanup(a.Close)
	return srv, a
}

func TestAgentToken(t *testing.T) {
	t.Parallel()
	srv, a := agentFor(t, "right")
	require.NoError(t, srv.Put(t.Context(), "s", []byte("v")))
	for _, tc := range []struct {
		name  string
		opts  []AgentOption
		check func(t *testing.T, v driver.Value, err error)
	}{
		{"right token", []AgentOption{WithAgentToken("right")}, func(t *testing.T, v driver.Value, err error) {
			require.NoError(t, err)
			assert.Equal(t, "v", string(v.Data))
			assert.NotEmpty(t, v.Version)
			assert.WithinDuration(t, time.Now(), v.Created, time.Minute)
		}},
		{"wrong token", []AgentOption{WithAgentToken("wrong")}, func(t *testing.T, _ driver.Value, err error) {
			assert.ErrorIs(t, err, driver.ErrPermission)
			assert.NotContains(t, err.Error(), "wrong", "the token is not printed")
			var ae *AgentError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, http.StatusForbidden, ae.StatusCode)
			assert.Equal(t, "Bad Token", ae.Message)
		}},
		{"no token", nil, func(t *testing.T, _ driver.Value, err error) {
			assert.ErrorIs(t, err, driver.ErrPermission)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			agent, err := NewAgent(append(tc.opts, WithAgentEndpoint(a.URL))...)
			require.NoError(t, err)
			v, err := agent.Fetch(t.Context(), driver.Ref{Scheme: Scheme, Name: "s"})
			tc.check(t, v, err)
		})
	}
}

func TestAgentErrors(t *testing.T) {
	t.Parallel()
	srv, a := agentFor(t, "tok")
	require.NoError(t, srv.Put(t.Context(), "s", []byte("v")))
	agent, err := NewAgent(WithAgentEndpoint(a.URL), WithAgentToken("tok"))
	require.NoError(t, err)
	ref := driver.Ref{Scheme: Scheme, Name: "s"}

	_, err = agent.Fetch(t.Context(), driver.Ref{Scheme: Scheme, Name: "missing"})
	assert.ErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), `secret "missing"`)

	_, err = agent.FetchPrevious(t.Context(), ref)
	assert.ErrorIs(t, err, driver.ErrNotFound)

	srv.FailSecret("s", "DecryptionFailure")
	_, err = agent.Fetch(t.Context(), ref)
	assert.ErrorIs(t, err, driver.ErrPermission, "a secret KMS cannot decrypt cannot be served")
	srv.FailSecret("s", "")

	srv.Throttle(1)
	_, err = agent.Fetch(t.Context(), ref)
	assert.ErrorIs(t, err, driver.ErrUnavailable)

	srv.FailNext(1)
	_, err = agent.Fetch(t.Context(), ref)
	assert.ErrorIs(t, err, driver.ErrUnavailable)

	_, err = agent.Fetch(t.Context(), driver.Ref{Scheme: Scheme, Name: "s", Query: "version-id=a&version-stage=b"})
	assert.ErrorIs(t, err, driver.ErrInvalidRef)

	// Unreachable agent.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	down, err := NewAgent(WithAgentEndpoint(gone.URL), WithAgentToken("tok"))
	require.NoError(t, err)
	_, err = down.Fetch(t.Context(), ref)
	assert.ErrorIs(t, err, driver.ErrUnavailable)

	// An answer that is not a GetSecretValue result never shows its body.
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("canary-7Hq9ZxV2 not json"))
	}))
	defer odd.Close()
	oddAgent, err := NewAgent(WithAgentEndpoint(odd.URL))
	require.NoError(t, err)
	_, err = oddAgent.Fetch(t.Context(), ref)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "canary")

	for _, bad := range []string{"", "localhost:2773", "ftp://x", "http://"} {
		_, err := NewAgent(WithAgentEndpoint(bad))
		assert.Error(t, err, bad)
	}
}

func TestAgentRotation(t *testing.T) {
	t.Parallel()
	srv, a := agentFor(t, "tok")
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "s", []byte("one")))
	agent, err := NewAgent(WithAgentEndpoint(a.URL), WithAgentToken("tok"))
	require.NoError(t, err)
	ref := driver.Ref{Scheme: Scheme, Name: "s"}
	v1, err := agent.Fetch(ctx, ref)
	require.NoError(t, err)
	_, err = srv.Rotate(ctx, "s", []byte{0xff, 0x01})
	require.NoError(t, err)
	v2, err := agent.Fetch(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, []byte{0xff, 0x01}, v2.Data, "binary through the agent")
	assert.NotEqual(t, v1.Version, v2.Version)
	prev, err := agent.FetchPrevious(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, "one", string(prev.Data))
	byID, err := agent.Fetch(ctx, driver.Ref{Scheme: Scheme, Name: "s", Query: "version-id=" + v1.Version})
	require.NoError(t, err)
	assert.Equal(t, "one", string(byID.Data))
}

func TestNewAgentFromEnv(t *testing.T) {
	t.Parallel()
	files := map[string]string{"/var/run/awssmatoken": "file-token\n"}
	readFile := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		opts     []AgentOption
		endpoint string
		token    string
		err      bool
	}{
		{"lambda", map[string]string{"AWS_SESSION_TOKEN": "sess"}, nil, DefaultAgentEndpoint, "sess", false},
		{"aws token first", map[string]string{"AWS_TOKEN": "tok", "AWS_SESSION_TOKEN": "sess"}, nil, DefaultAgentEndpoint, "tok", false},
		{"token file", map[string]string{"AWS_TOKEN": "file:///var/run/awssmatoken"}, nil, DefaultAgentEndpoint, "file-token", false},
		{"missing token file", map[string]string{"AWS_TOKEN": "file:///nope"}, nil, "", "", true},
		{"port", map[string]string{"AWS_SESSION_TOKEN": "s", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2999"}, nil, "http://localhost:2999", "s", false},
		{"bad port", map[string]string{"AWS_SESSION_TOKEN": "s", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "x"}, nil, "", "", true},
		{"no token", map[string]string{}, nil, "", "", true},
		{"option wins", map[string]string{}, []AgentOption{WithAgentToken("opt"), WithAgentEndpoint("http://127.0.0.1:1")}, "http://127.0.0.1:1", "opt", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := newAgentFromEnv(func(k string) string { return tc.env[k] }, readFile, tc.opts...)
			if tc.err {
				require.Error(t, err)
				assert.False(t, errors.Is(err, driver.ErrNotFound))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.endpoint, a.endpoint)
			assert.Equal(t, tc.token, a.token)
		})
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.UnixMilli(1569534789046).UTC()
	for _, raw := range []string{`1569534789.046`, `"1569534789.046"`, `"2019-09-26T21:53:09.046Z"`} {
		got, ok := parseTime([]byte(raw))
		assert.True(t, ok, raw)
		assert.True(t, want.Equal(got), "%s: %v", raw, got)
	}
	for _, raw := range []string{``, `null`, `"yesterday"`} {
		_, ok := parseTime([]byte(raw))
		assert.False(t, ok, raw)
	}
}
