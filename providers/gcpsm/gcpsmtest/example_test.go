package gcpsmtest_test

import (
	"context"
	"fmt"
	"log"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
)

// The official client, pointed at the fake with one call, reads what Put
// stored.
func Example() {
	ctx := context.Background()
	srv, err := gcpsmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_ = srv.Put(ctx, "db-password", []byte("first"))
	_ = srv.Put(ctx, "db-password", []byte("second"))
	resp, err := client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{
		Name: "projects/test-project/secrets/db-password/versions/latest",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.GetName(), string(resp.GetPayload().GetData()))
	// Output: projects/test-project/secrets/db-password/versions/2 second
}

// Faults are injected per method or per secret.
func ExampleServer_SetSecretError() {
	ctx := context.Background()
	srv, err := gcpsmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_ = srv.Put(ctx, "locked", []byte("v"))
	srv.SetSecretError("locked", codes.PermissionDenied)
	_, err = client.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{
		Name: "projects/test-project/secrets/locked/versions/1",
	})
	fmt.Println(status.Code(err), srv.Requests("GetSecretVersion"))
	// Output: PermissionDenied 1
}
