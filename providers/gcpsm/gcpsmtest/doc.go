// Package gcpsmtest is a fake Google Cloud Secret Manager for tests: a real
// gRPC server on 127.0.0.1 that implements the Secret Manager service from
// the official secretmanagerpb types, in memory. Point the official client
// at it with one call and test code that reads secrets without mocks:
//
//	srv := gcpsmtest.NewServer(t)
//	client, err := srv.Client(ctx) // *secretmanager.Client
//	srv.Put(ctx, "db-password", []byte("s3cret")) // version 1
//	srv.Put(ctx, "db-password", []byte("rotated")) // version 2, now "latest"
//
// The server serves CreateSecret, GetSecret, DeleteSecret,
// AddSecretVersion, GetSecretVersion, AccessSecretVersion,
// ListSecretVersions, DisableSecretVersion, EnableSecretVersion and
// DestroySecretVersion, and answers UNIMPLEMENTED to the other methods.
//
// # Faults
//
// SetLatency delays every call (a delayed call still ends when its context
// does); SetMethodError and SetSecretError make calls fail with a gRPC code
// (NOT_FOUND, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, ...);
// SetCorruptChecksum makes AccessSecretVersion send a wrong data_crc32c;
// SetVersionState disables or destroys a version in-process; FailRaw
// answers every call at the HTTP level with any status and body (a
// proxy's HTML page: grpc-go turns 401 into UNAUTHENTICATED, 403 into
// PERMISSION_DENIED). Requests counts the calls received, per method.
//
// # Outages
//
// Down takes the whole endpoint down until Up: every call is answered at
// the HTTP level with 503 Service Unavailable and a plain-text body, as the
// load balancer in front of a failed service answers, which gRPC clients
// see as UNAVAILABLE. (Not connection refused: the port stays the
// server's.) The secrets are kept. An outage test is two lines:
//
//	srv.Down()
//	_, err := provider.Fetch(ctx, ref) // errors.Is(err, driftless.ErrUnavailable)
//	srv.Up()
//
// The server speaks gRPC over plaintext HTTP/2 (prior knowledge), as
// grpc-go clients do with insecure credentials.
//
// Note that the official client retries AccessSecretVersion on UNAVAILABLE
// and RESOURCE_EXHAUSTED with a backoff starting at two seconds; a test
// that injects those codes (or uses Down) either sets a short context deadline or clears
// the client's retry settings (client.CallOptions.AccessSecretVersion = nil).
//
// # Metadata server
//
// Metadata is a fake Compute Engine metadata server (the token endpoint
// GET /computeMetadata/v1/instance/service-accounts/default/token, with
// "Metadata-Flavor: Google"). Its Credentials fetch tokens from it through
// the official metadata client, so that a test starts from no token as a
// process on Google Cloud does; Server.RequireToken makes the fake Secret
// Manager refuse calls without the token:
//
//	md := gcpsmtest.NewMetadata(t)
//	srv.RequireToken(md.Token())
//	client, err := secretmanager.NewClient(ctx,
//		option.WithEndpoint(srv.Addr()),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
//		option.WithAuthCredentials(md.Credentials(secretmanager.DefaultAuthScopes()...)))
//
// # Concurrency
//
// A Server is safe for concurrent use; Put and the Set methods may be
// called while clients are calling it.
package gcpsmtest
