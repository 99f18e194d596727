package gcpsm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
	"github.com/driftless/driftless/providertest"
)

const (
	project = gcpsmtest.DefaultProject
	region  = "europe-west1"
)

// setup starts a fake server and returns it, the official client pointed
// at it (without the two-second retry backoff of AccessSecretVersion, so
// that injected UNAVAILABLE answers come back at once) and a provider that
// uses that client.
func setup(t *testing.T, opts ...gcpsm.Option) (*gcpsmtest.Server, *secretmanager.Client, *gcpsm.Provider) {
	t.Helper()
	srv := gcpsmtest.NewServer(t)
	c, err := srv.Client(t.Context())
	require.NoError(t, err)
	c.CallOptions.AccessSecretVersion = nil
	t.Cleanup(func() { _ = c.Close() })
	return srv, c, gcpsm.New(c, opts...)
}

func ref(name string) driver.Ref { return driver.Ref{Scheme: gcpsm.Scheme, Name: name} }

func TestConformance(t *testing.T) {
	t.Run("global/New", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) providertest.Backend {
			srv, client, p := setup(t)
			return providertest.Backend{
				Provider:   p,
				Put:        srv.Put,
				Ref:        func(name string) driver.Ref { return ref("projects/" + project + "/secrets/" + name) },
				Unservable: disableLatest(client, func(name string) string { return "projects/" + project + "/secrets/" + name }),
			}
		})
	})
	t.Run("regional/NewFromDefault", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) providertest.Backend {
			srv := gcpsmtest.NewServer(t)
			p, err := gcpsm.NewFromDefault(t.Context(), gcpsm.WithEndpoint(srv.Addr()), gcpsm.WithRegion(region))
			require.NoError(t, err)
			t.Cleanup(func() { _ = p.Close() })
			regional := func(name string) string { return "projects/" + project + "/locations/" + region + "/secrets/" + name }
			client, err := srv.Client(t.Context())
			require.NoError(t, err)
			t.Cleanup(func() { _ = client.Close() })
			return providertest.Backend{
				Unservable: disableLatest(client, regional),
				Provider:   p,
				Put: func(ctx context.Context, name string, data []byte) error {
					return srv.Put(ctx, regional(name), data)
				},
				Ref: func(name string) driver.Ref { return ref(project + "/" + name) }, // short form
			}
		})
	})
}

func TestRotation(t *testing.T) {
	t.Parallel()
	srv, _, p := setup(t)
	ctx := t.Context()
	latest := ref(project + "/api-key")

	require.NoError(t, srv.Put(ctx, "api-key", []byte("first")))
	v, err := p.Fetch(ctx, latest)
	require.NoError(t, err)
	assert.Equal(t, "1", v.Version)
	assert.Equal(t, "first", string(v.Data))
	_, err = p.FetchPrevious(ctx, latest)
	assert.ErrorIs(t, err, driver.ErrNotFound, "one version has no previous")

	n, err := srv.Rotate(ctx, "api-key", []byte("second"))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	v, err = p.Fetch(ctx, latest)
	require.NoError(t, err)
	assert.Equal(t, "2", v.Version, "latest resolves to the new version number")
	assert.Equal(t, "second", string(v.Data))

	prev, err := p.FetchPrevious(ctx, latest)
	require.NoError(t, err)
	assert.Equal(t, "1", prev.Version)
	assert.Equal(t, "first", string(prev.Data))

	pinned, err := p.Fetch(ctx, ref(project+"/api-key/1"))
	require.NoError(t, err)
	assert.Equal(t, "1", pinned.Version)
	assert.Equal(t, "first", string(pinned.Data))
	_, err = p.FetchPrevious(ctx, ref(project+"/api-key/1"))
	assert.ErrorIs(t, err, driver.ErrNotFound, "version 1 of a pinned ref has no previous")
}

func TestChecksumMismatch(t *testing.T) {
	t.Parallel()
	srv, _, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "tls-key", []byte(providertest.Canary)))
	require.NoError(t, srv.Put(ctx, "tls-key", []byte(providertest.Canary+"-2")))

	srv.SetCorruptChecksum(true)
	for name, fetch := range map[string]func(context.Context, driver.Ref) (driver.Value, error){
		"Fetch":         p.Fetch,
		"FetchPrevious": p.FetchPrevious,
	} {
		t.Run(name, func(t *testing.T) {
			v, err := fetch(ctx, ref(project+"/tls-key"))
			require.Error(t, err)
			assert.Empty(t, v.Data, "no data is returned with a checksum error")
			assert.ErrorIs(t, err, gcpsm.ErrChecksum)
			assert.ErrorIs(t, err, driver.ErrUnavailable)
			assert.NotErrorIs(t, err, driver.ErrNotFound)
			assert.Contains(t, err.Error(), "tls-key")
			assert.NotContains(t, err.Error(), providertest.Canary[:12])
		})
	}

	srv.SetCorruptChecksum(false)
	v, err := p.Fetch(ctx, ref(project+"/tls-key"))
	require.NoError(t, err)
	assert.Equal(t, "2", v.Version)
}

func TestDisabledAndDestroyedVersions(t *testing.T) {
	t.Parallel()
	srv, client, p := setup(t)
	ctx := t.Context()
	for _, d := range []string{"v1", "v2", "v3", "v4"} {
		require.NoError(t, srv.Put(ctx, "db", []byte(d)))
	}
	base := "projects/" + project + "/secrets/db/versions/"
	// Through the official client, as an operator would.
	_, err := client.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: base + "2"})
	require.NoError(t, err)
	_, err = client.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: base + "3"})
	require.NoError(t, err)

	prev, err := p.FetchPrevious(ctx, ref(project+"/db"))
	require.NoError(t, err)
	assert.Equal(t, "1", prev.Version, "previous skips disabled 3 and destroyed 2")
	assert.Equal(t, "v1", string(prev.Data))

	for _, v := range []string{"2", "3"} {
		_, err := p.Fetch(ctx, ref(base+v))
		assert.ErrorIs(t, err, driver.ErrPermission, "version %s", v)
		assert.NotErrorIs(t, err, driver.ErrNotFound, "version %s exists: it is not found", v)
		st, ok := status.FromError(err)
		assert.True(t, ok, "the gRPC error stays wrapped")
		assert.Equal(t, codes.FailedPrecondition, st.Code())
		assert.Contains(t, err.Error(), base+v)
	}

	// The newest version disabled: "latest" names it still, as in Secret
	// Manager, so it is refused (never not found, or a key source would
	// fall through to a default); previous is still version 1.
	require.NoError(t, srv.SetVersionState("db", 4, secretmanagerpb.SecretVersion_DISABLED))
	_, err = p.Fetch(ctx, ref(project+"/db"))
	assert.ErrorIs(t, err, driver.ErrPermission)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	prev, err = p.FetchPrevious(ctx, ref(project+"/db"))
	require.NoError(t, err)
	assert.Equal(t, "1", prev.Version)

	// Re-enabled, version 3 is the previous one again.
	_, err = client.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: base + "3"})
	require.NoError(t, err)
	prev, err = p.FetchPrevious(ctx, ref(project+"/db"))
	require.NoError(t, err)
	assert.Equal(t, "3", prev.Version)

	// Version 1 destroyed as well: nothing enabled before 3.
	require.NoError(t, srv.SetVersionState("db", 1, secretmanagerpb.SecretVersion_DESTROYED))
	_, err = p.FetchPrevious(ctx, ref(base+"3"))
	assert.ErrorIs(t, err, driver.ErrNotFound)
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	sentinels := []error{driver.ErrNotFound, driver.ErrPermission, driver.ErrUnavailable, driver.ErrInvalidRef}
	cases := []struct {
		code codes.Code
		want error // nil: no sentinel
	}{
		{codes.NotFound, driver.ErrNotFound},
		{codes.FailedPrecondition, driver.ErrPermission}, // a disabled or destroyed version
		{codes.PermissionDenied, driver.ErrPermission},
		{codes.Unauthenticated, driver.ErrPermission},
		{codes.ResourceExhausted, driver.ErrUnavailable},
		{codes.Unavailable, driver.ErrUnavailable},
		{codes.DeadlineExceeded, driver.ErrUnavailable},
		{codes.Internal, driver.ErrUnavailable},
		{codes.InvalidArgument, driver.ErrInvalidRef},
		{codes.Unimplemented, nil},
	}
	srv, _, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "guarded", []byte(providertest.Canary)))
	require.NoError(t, srv.Put(ctx, "guarded", []byte(providertest.Canary)))
	for _, tc := range cases {
		t.Run(tc.code.String(), func(t *testing.T) {
			srv.SetSecretError("guarded", tc.code)
			defer srv.SetSecretError("guarded", codes.OK)
			for _, fetch := range []func(context.Context, driver.Ref) (driver.Value, error){p.Fetch, p.FetchPrevious} {
				_, err := fetch(ctx, ref(project+"/guarded"))
				require.Error(t, err)
				for _, s := range sentinels {
					assert.Equal(t, s == tc.want, errors.Is(err, s), "errors.Is(err, %v): %v", s, err)
				}
				st, ok := status.FromError(err)
				require.True(t, ok, "the gRPC status is reachable: %v", err)
				assert.Equal(t, tc.code, st.Code())
				assert.Contains(t, err.Error(), "projects/"+project+"/secrets/guarded")
				assert.NotContains(t, err.Error(), providertest.Canary[:12])
			}
		})
	}
}

func TestRetriedCodesHonourContext(t *testing.T) {
	t.Parallel()
	// With the official client's default retry policy, UNAVAILABLE is
	// retried after a two-second backoff; the context bounds the wait.
	srv := gcpsmtest.NewServer(t)
	c, err := srv.Client(t.Context())
	require.NoError(t, err)
	defer c.Close()
	p := gcpsm.New(c)
	require.NoError(t, srv.Put(t.Context(), "flaky", []byte("v")))
	srv.SetMethodError("AccessSecretVersion", codes.Unavailable)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = p.Fetch(ctx, ref(project+"/flaky"))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, driver.ErrNotFound)
	assert.Contains(t, err.Error(), "flaky")
}

func TestContextDuringSlowCall(t *testing.T) {
	t.Parallel()
	srv, _, p := setup(t)
	require.NoError(t, srv.Put(t.Context(), "slow", []byte("v")))
	srv.SetLatency(time.Minute)
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := p.Fetch(ctx, ref(project+"/slow"))
			assert.ErrorIs(t, err, tc.want)
			_, err = p.FetchPrevious(ctx, ref(project+"/slow"))
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestRefForms(t *testing.T) {
	t.Parallel()
	srv := gcpsmtest.NewServer(t)
	ctx := t.Context()
	for name, data := range map[string]string{
		"projects/test-project/secrets/app":                          "global-1",
		"projects/other/secrets/app":                                 "other-1",
		"projects/test-project/locations/" + region + "/secrets/app": "regional-1",
	} {
		require.NoError(t, srv.Put(ctx, name, []byte(data)))
		require.NoError(t, srv.Put(ctx, name, []byte(strings.TrimSuffix(data, "1")+"2")))
	}
	cases := []struct {
		name    string
		opts    []gcpsm.Option
		ref     string
		want    string // value, or "" for ErrInvalidRef
		version string
	}{
		{"full", nil, "projects/test-project/secrets/app", "global-2", "2"},
		{"full pinned", nil, "projects/test-project/secrets/app/versions/1", "global-1", "1"},
		{"full latest alias", nil, "projects/test-project/secrets/app/versions/latest", "global-2", "2"},
		{"short", nil, "other/app", "other-2", "2"},
		{"short pinned", nil, "test-project/app/1", "global-1", "1"},
		{"regional full", nil, "projects/test-project/locations/" + region + "/secrets/app", "regional-2", "2"},
		{"regional full pinned", nil, "projects/test-project/locations/" + region + "/secrets/app/versions/1", "regional-1", "1"},
		{"regional short", []gcpsm.Option{gcpsm.WithRegion(region)}, "test-project/app/1", "regional-1", "1"},
		{"regional full with region", []gcpsm.Option{gcpsm.WithRegion(region)}, "projects/test-project/locations/" + region + "/secrets/app", "regional-2", "2"},
		{"bare id with project", []gcpsm.Option{gcpsm.WithProject("other")}, "app", "other-2", "2"},
		{"bare id with project and region", []gcpsm.Option{gcpsm.WithProject("test-project"), gcpsm.WithRegion(region)}, "app", "regional-2", "2"},

		{"bare id without project", nil, "app", "", ""},
		{"other location than region", []gcpsm.Option{gcpsm.WithRegion("us-east1")}, "projects/test-project/locations/" + region + "/secrets/app", "", ""},
		{"global name on regional provider", []gcpsm.Option{gcpsm.WithRegion(region)}, "projects/test-project/secrets/app", "", ""},
		{"bad id", nil, "test-project/app.v2", "", ""},
		{"empty segment", nil, "projects//secrets/app", "", ""},
		{"not a secret", nil, "projects/test-project/keys/app", "", ""},
		{"too long", nil, "a/b/c/d", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := srv.Client(ctx)
			require.NoError(t, err)
			defer c.Close()
			p := gcpsm.New(c, tc.opts...)
			v, err := p.Fetch(ctx, ref(tc.ref))
			if tc.want == "" {
				assert.ErrorIs(t, err, driver.ErrInvalidRef)
				var re *driver.RefError
				assert.ErrorAs(t, err, &re)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(v.Data))
			assert.Equal(t, tc.version, v.Version)
		})
	}

	t.Run("ParseRef forms", func(t *testing.T) {
		c, err := srv.Client(ctx)
		require.NoError(t, err)
		defer c.Close()
		p := gcpsm.New(c)
		for s, want := range map[string]string{
			"gcpsm://projects/test-project/secrets/app#k":                                   "global-2",
			"gcpsm://test-project/app/1":                                                    "global-1",
			"gcpsm://projects/test-project/locations/" + region + "/secrets/app/versions/2": "regional-2",
		} {
			r, err := driver.ParseRef(s)
			require.NoError(t, err, s)
			v, err := p.Fetch(ctx, r.Secret())
			require.NoError(t, err, s)
			assert.Equal(t, want, string(v.Data), s)
		}
	})

	t.Run("invalid refs cost no request", func(t *testing.T) {
		srv.ResetRequests()
		p := gcpsm.New(nil)
		for _, r := range []driver.Ref{ref("a/b/c/d"), {Scheme: "awssm", Name: "test-project/app"}, {Scheme: "gcpsm", Name: "test-project/app", Query: "version=1"}} {
			_, err := p.Fetch(ctx, r)
			assert.ErrorIs(t, err, driver.ErrInvalidRef)
		}
		assert.Zero(t, srv.Requests(""))
	})
}

func TestKeySources(t *testing.T) {
	t.Parallel()
	keys := gcpsm.Keys("proj", map[string]string{
		"OPENAI_API_KEY": "openai-key",
		"DB_PASSWORD":    "db#password",
		"LEGACY":         "legacy/3",
		"FULL":           "projects/x/locations/l/secrets/s/versions/2#/a/b",
	})
	noProject := gcpsm.Keys("", map[string]string{"TOKEN": "token", "OTHER": "p2/tok/4"})
	cases := []struct {
		name string
		src  driver.KeySource
		key  string
		want driver.Ref
		ok   bool
	}{
		{"keys id", keys, "OPENAI_API_KEY", driver.Ref{Scheme: "gcpsm", Name: "proj/openai-key"}, true},
		{"keys json key", keys, "DB_PASSWORD", driver.Ref{Scheme: "gcpsm", Name: "proj/db", Key: "password"}, true},
		{"keys version", keys, "LEGACY", driver.Ref{Scheme: "gcpsm", Name: "proj/legacy/3"}, true},
		{"keys full name", keys, "FULL", driver.Ref{Scheme: "gcpsm", Name: "projects/x/locations/l/secrets/s/versions/2", Key: "/a/b"}, true},
		{"keys unmapped", keys, "HOME", driver.Ref{}, false},
		{"keys no project", noProject, "TOKEN", driver.Ref{Scheme: "gcpsm", Name: "token"}, true},
		{"keys no project short", noProject, "OTHER", driver.Ref{Scheme: "gcpsm", Name: "p2/tok/4"}, true},
		{"prefix", gcpsm.Prefix("proj", "myapp-"), "OPENAI_API_KEY", driver.Ref{Scheme: "gcpsm", Name: "proj/myapp-OPENAI_API_KEY"}, true},
		{"prefix no project", gcpsm.Prefix("", ""), "DB_HOST", driver.Ref{Scheme: "gcpsm", Name: "DB_HOST"}, true},
		{"prefix invalid id", gcpsm.Prefix("proj", "app."), "KEY", driver.Ref{}, false},
		{"prefix empty key", gcpsm.Prefix("proj", ""), "", driver.Ref{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.src.RefFor(tc.key)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("fetch through the provider", func(t *testing.T) {
		srv, _, p := setup(t, gcpsm.WithProject(project))
		ctx := t.Context()
		require.NoError(t, srv.Put(ctx, "myapp-OPENAI_API_KEY", []byte("sk-1")))
		for _, src := range []driver.KeySource{
			gcpsm.Prefix("", "myapp-"),
			gcpsm.Prefix(project, "myapp-"),
			gcpsm.Keys("", map[string]string{"OPENAI_API_KEY": "myapp-OPENAI_API_KEY"}),
		} {
			r, ok := src.RefFor("OPENAI_API_KEY")
			require.True(t, ok)
			v, err := p.Fetch(ctx, r.Secret())
			require.NoError(t, err)
			assert.Equal(t, "sk-1", string(v.Data))
		}
		r, ok := gcpsm.Prefix(project, "myapp-").RefFor("MISSING")
		require.True(t, ok)
		_, err := p.Fetch(ctx, r)
		assert.ErrorIs(t, err, driver.ErrNotFound, "a missing key falls through to the next source")
	})
}

func TestCreateTime(t *testing.T) {
	t.Parallel()
	srv, client, p := setup(t, gcpsm.WithCreateTime())
	ctx := t.Context()
	before := time.Now().Add(-time.Second)
	require.NoError(t, srv.Put(ctx, "stamped", []byte("a")))
	require.NoError(t, srv.Put(ctx, "stamped", []byte("b")))
	for _, fetch := range []func(context.Context, driver.Ref) (driver.Value, error){p.Fetch, p.FetchPrevious} {
		v, err := fetch(ctx, ref(project+"/stamped"))
		require.NoError(t, err)
		assert.True(t, v.Created.After(before), "Created %v", v.Created)
	}
	srv.ResetRequests()
	_, err := p.Fetch(ctx, ref(project+"/stamped"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests("GetSecretVersion"), "one metadata read per fetch")

	srv.ResetRequests()
	v, err := gcpsm.New(client).Fetch(ctx, ref(project+"/stamped"))
	require.NoError(t, err)
	assert.True(t, v.Created.IsZero(), "Created is zero by default")
	assert.Zero(t, srv.Requests("GetSecretVersion"))
}

func TestCloseKeepsCallersClient(t *testing.T) {
	t.Parallel()
	srv, client, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "s", []byte("v")))
	require.NoError(t, p.Close())
	_, err := p.Fetch(ctx, ref(project+"/s"))
	assert.ErrorIs(t, err, driver.ErrClosed)
	_, err = p.FetchPrevious(ctx, ref(project+"/s"))
	assert.ErrorIs(t, err, driver.ErrClosed)
	_, err = client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/s/versions/latest"})
	assert.NoError(t, err, "Close leaves a client given to New open")
}

func TestOneRequestPerFetch(t *testing.T) {
	t.Parallel()
	srv, _, p := setup(t)
	ctx := t.Context()
	require.NoError(t, srv.Put(ctx, "s", []byte("v")))
	require.NoError(t, srv.Put(ctx, "s", []byte("w")))
	srv.ResetRequests()
	_, err := p.Fetch(ctx, ref(project+"/s"))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests(""), "Fetch costs one call")
	srv.ResetRequests()
	_, err = p.FetchPrevious(ctx, ref(project+"/s"))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests(""), "FetchPrevious of latest: one metadata read, one access")
}
