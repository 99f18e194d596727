package gcpsmtest_test

import (
	"context"
	"hash/crc32"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
)

func setup(t *testing.T) (*gcpsmtest.Server, *secretmanager.Client) {
	t.Helper()
	srv := gcpsmtest.NewServer(t)
	c, err := srv.Client(t.Context())
	require.NoError(t, err)
	c.CallOptions.AccessSecretVersion = nil // no retry backoff on injected codes
	t.Cleanup(func() { _ = c.Close() })
	return srv, c
}

func crc(b []byte) *int64 {
	n := int64(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return &n
}

func TestSecretLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ctx := t.Context()
	const parent = "projects/p"
	sec, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "s", Secret: &secretmanagerpb.Secret{Labels: map[string]string{"team": "a"}}})
	require.NoError(t, err)
	assert.Equal(t, "projects/p/secrets/s", sec.GetName())
	assert.NotNil(t, sec.GetCreateTime())

	_, err = c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "s"})
	assert.Equal(t, codes.AlreadyExists, status.Code(err))

	got, err := c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: sec.GetName()})
	require.NoError(t, err)
	assert.Equal(t, "a", got.GetLabels()["team"])

	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: sec.GetName() + "/versions/latest"})
	assert.Equal(t, codes.NotFound, status.Code(err), "a secret without versions")

	for i, d := range []string{"one", "two", "three"} {
		v, err := c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{Parent: sec.GetName(), Payload: &secretmanagerpb.SecretPayload{Data: []byte(d), DataCrc32C: crc([]byte(d))}})
		require.NoError(t, err)
		assert.Equal(t, secretmanagerpb.SecretVersion_ENABLED, v.GetState())
		assert.True(t, v.GetClientSpecifiedPayloadChecksum())
		assert.Equal(t, sec.GetName()+"/versions/"+string(rune('1'+i)), v.GetName())
	}
	_, err = c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{Parent: sec.GetName(), Payload: &secretmanagerpb.SecretPayload{Data: []byte("x"), DataCrc32C: crc([]byte("y"))}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "a payload whose checksum does not match")

	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: sec.GetName() + "/versions/latest"})
	require.NoError(t, err)
	assert.Equal(t, sec.GetName()+"/versions/3", resp.GetName())
	assert.Equal(t, "three", string(resp.GetPayload().GetData()))
	assert.Equal(t, *crc([]byte("three")), resp.GetPayload().GetDataCrc32C())

	meta, err := c.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: sec.GetName() + "/versions/latest"})
	require.NoError(t, err)
	assert.Equal(t, sec.GetName()+"/versions/3", meta.GetName())

	v, err := c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: sec.GetName() + "/versions/2"})
	require.NoError(t, err)
	assert.Equal(t, secretmanagerpb.SecretVersion_DISABLED, v.GetState())
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: sec.GetName() + "/versions/2"})
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
	_, err = c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: sec.GetName() + "/versions/2"})
	require.NoError(t, err)

	v, err = c.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: sec.GetName() + "/versions/1"})
	require.NoError(t, err)
	assert.Equal(t, secretmanagerpb.SecretVersion_DESTROYED, v.GetState())
	assert.NotNil(t, v.GetDestroyTime())
	_, err = c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: sec.GetName() + "/versions/1"})
	assert.Equal(t, codes.FailedPrecondition, status.Code(err), "a destroyed version stays destroyed")

	list := func(filter string, pageSize int32) []string {
		it := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: sec.GetName(), Filter: filter, PageSize: pageSize})
		var names []string
		for {
			v, err := it.Next()
			if err == iterator.Done {
				return names
			}
			require.NoError(t, err)
			names = append(names, v.GetName()[len(sec.GetName())+len("/versions/"):])
		}
	}
	assert.Equal(t, []string{"3", "2", "1"}, list("", 0), "newest first")
	assert.Equal(t, []string{"3", "2", "1"}, list("", 1), "paged")
	assert.Equal(t, []string{"3", "2"}, list("state:ENABLED", 1))
	assert.Equal(t, []string{"1"}, list("state:DESTROYED", 0))

	_, err = c.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{Parent: parent}).Next()
	assert.Equal(t, codes.Unimplemented, status.Code(err))
	assert.Equal(t, 2, srv.Requests("CreateSecret"), "both CreateSecret calls are counted")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "a", []byte("A")))
	require.NoError(t, srv.Put(ctx, "projects/q/locations/l/secrets/b", []byte("B")))
	access := func(name string) error {
		_, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name + "/versions/latest"})
		return err
	}
	const a, b = "projects/test-project/secrets/a", "projects/q/locations/l/secrets/b"

	cases := []struct {
		name   string
		set    func()
		wantA  codes.Code
		wantB  codes.Code
		revert func()
	}{
		{"none", func() {}, codes.OK, codes.OK, func() {}},
		{"method", func() { srv.SetMethodError("AccessSecretVersion", codes.Unavailable) }, codes.Unavailable, codes.Unavailable,
			func() { srv.SetMethodError("AccessSecretVersion", codes.OK) }},
		{"secret by id", func() { srv.SetSecretError("a", codes.PermissionDenied) }, codes.PermissionDenied, codes.OK,
			func() { srv.SetSecretError("a", codes.OK) }},
		{"secret by name", func() { srv.SetSecretError(b, codes.ResourceExhausted) }, codes.OK, codes.ResourceExhausted,
			func() { srv.SetSecretError(b, codes.OK) }},
	}
	for _, tc := range cases {
		tc.set()
		assert.Equal(t, tc.wantA, status.Code(access(a)), tc.name)
		assert.Equal(t, tc.wantB, status.Code(access(b)), tc.name)
		tc.revert()
	}

	srv.SetCorruptChecksum(true)
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: a + "/versions/1"})
	require.NoError(t, err)
	assert.NotEqual(t, *crc([]byte("A")), resp.GetPayload().GetDataCrc32C())
	srv.SetCorruptChecksum(false)

	srv.SetLatency(time.Minute)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.GetSecretVersion(short, &secretmanagerpb.GetSecretVersionRequest{Name: a + "/versions/1"})
	assert.Equal(t, codes.DeadlineExceeded, status.Code(err), "latency ends with the caller's context")
	srv.SetLatency(0)

	srv.ResetRequests()
	require.NoError(t, access(a))
	require.NoError(t, srv.Put(ctx, "a", []byte("A2")), "Put is in-process")
	assert.Equal(t, 1, srv.Requests(""))
	assert.Equal(t, 1, srv.Requests("AccessSecretVersion"))
}

func TestRotateAndState(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	ctx := t.Context()
	for want := 1; want <= 3; want++ {
		n, err := srv.Rotate(ctx, "r", []byte("v"))
		require.NoError(t, err)
		assert.Equal(t, want, n)
	}
	assert.Error(t, srv.Put(ctx, "bad.id", []byte("v")))
	assert.Error(t, srv.Put(ctx, "projects/p/keys/x", []byte("v")))
	assert.Error(t, srv.SetVersionState("r", 9, secretmanagerpb.SecretVersion_DISABLED))
	require.NoError(t, srv.SetVersionState("r", 2, secretmanagerpb.SecretVersion_DESTROYED))
	assert.Error(t, srv.SetVersionState("r", 2, secretmanagerpb.SecretVersion_ENABLED))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, srv.Put(cancelled, "r", []byte("v")), context.Canceled)
}
