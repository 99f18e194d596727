package gcpsm_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
)

// coldBootStruct stores 20 JSON secrets (two keys each) in srv and returns
// a struct type of 40 Secret fields that read them, with its environment.
func coldBootStruct(tb testing.TB, srv *gcpsmtest.Server) (reflect.Type, map[string]string) {
	tb.Helper()
	env := map[string]string{}
	var fields []reflect.StructField
	for i := range 20 {
		name := fmt.Sprintf("secret-%02d", i)
		require.NoError(tb, srv.Put(tb.Context(), name, []byte(`{"user":"u","password":"p"}`)))
		for _, key := range []string{"user", "password"} {
			k := fmt.Sprintf("F%02d_%s", i, strings.ToUpper(key))
			env[k] = "gcpsm://" + gcpsmtest.DefaultProject + "/" + name + "#" + key
			fields = append(fields, reflect.StructField{Name: k, Type: reflect.TypeFor[driftless.Secret](), Tag: reflect.StructTag(`env:"` + k + `"`)})
		}
	}
	return reflect.StructOf(fields), env
}

// metadataOptions are the client options of a process on Google Cloud
// whose credentials come from the metadata server md: new credentials
// (empty token cache) each call, and srv's endpoint over plaintext gRPC.
func metadataOptions(srv *gcpsmtest.Server, md *gcpsmtest.Metadata) gcpsm.Option {
	return gcpsm.WithClientOptions(
		option.WithEndpoint(srv.Addr()),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithAuthCredentials(md.Credentials(secretmanager.DefaultAuthScopes()...)),
		option.WithTelemetryDisabled(),
	)
}

// A process's first Load on Google Cloud: one token from the metadata
// server, shared by the 20 concurrent AccessSecretVersion calls, which all
// carry it.
func TestColdBootMetadata(t *testing.T) {
	srv := gcpsmtest.NewServer(t)
	md := gcpsmtest.NewMetadata(t)
	typ, env := coldBootStruct(t, srv)
	srv.RequireToken(md.Token())
	srv.ResetRequests()

	p, err := gcpsm.NewFromDefault(t.Context(), metadataOptions(srv, md))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	dst := reflect.New(typ)
	require.NoError(t, driftless.Load(t.Context(), dst.Interface(), driftless.WithEnv(env), driftless.WithProvider(gcpsm.Scheme, p)))
	assert.Equal(t, "p", dst.Elem().FieldByName("F11_PASSWORD").Interface().(driftless.Secret).Value())

	assert.Equal(t, []string{"/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform"},
		md.Requests(), "one token request, for Secret Manager's scope")
	assert.Equal(t, 20, srv.Requests("AccessSecretVersion"))
	assert.Equal(t, 20, srv.Requests(""))
}

// Without the token, Secret Manager (here the fake told to RequireToken)
// refuses every call.
func TestRequireToken(t *testing.T) {
	srv := gcpsmtest.NewServer(t)
	md := gcpsmtest.NewMetadata(t)
	typ, env := coldBootStruct(t, srv)
	srv.RequireToken(md.Token())
	p, err := gcpsm.NewFromDefault(t.Context(), gcpsm.WithEndpoint(srv.Addr())) // no credentials
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	err = driftless.Load(t.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider(gcpsm.Scheme, p))
	require.ErrorIs(t, err, driftless.ErrPermission)
	assert.Empty(t, md.Requests())
}

// BenchmarkColdBootMetadata is a process's whole cold boot on Google Cloud:
// NewFromDefault with credentials that read the metadata server (new
// client, connection and token cache each time), and driftless.Load of 40
// fields over 20 secrets, with 20 ms per call injected by gcpsmtest on the
// metadata server and on Secret Manager. RT/op is the wall time in round
// trips of 20 ms. Rerun:
// go test -run '^$' -bench ColdBoot -benchtime 40x ./providers/gcpsm
func BenchmarkColdBootMetadata(b *testing.B) {
	const latency = 20 * time.Millisecond
	srv := gcpsmtest.NewServer(b)
	md := gcpsmtest.NewMetadata(b)
	typ, env := coldBootStruct(b, srv)
	srv.RequireToken(md.Token())
	srv.SetLatency(latency)
	md.SetLatency(latency)
	srv.ResetRequests()
	md.ResetRequests()
	for b.Loop() {
		p, err := gcpsm.NewFromDefault(b.Context(), metadataOptions(srv, md))
		if err != nil {
			b.Fatal(err)
		}
		if err := driftless.Load(b.Context(), reflect.New(typ).Interface(), driftless.WithEnv(env), driftless.WithProvider(gcpsm.Scheme, p)); err != nil {
			b.Fatal(err)
		}
		_ = p.Close()
	}
	b.ReportMetric(float64(srv.Requests("")+len(md.Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(len(md.Requests()))/float64(b.N), "token-requests/op")
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "RT/op")
}
