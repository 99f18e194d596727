// Package awssmtest is a fake AWS Secrets Manager for tests: a loopback HTTP
// server that speaks the AWS JSON 1.1 protocol, driven by the official SDK
// client, with no mocks and no AWS account.
//
//	srv := awssmtest.NewServer()
//	defer srv.Close()
//	client := srv.Client() // *secretsmanager.Client pointed at srv
//
// It serves GetSecretValue, BatchGetSecretValue (with SecretIdList or
// Filters, errors per secret), DescribeSecret, CreateSecret, PutSecretValue,
// UpdateSecretVersionStage, DeleteSecret and RestoreSecret, keeps version ids and the staging labels
// AWSCURRENT, AWSPREVIOUS and AWSPENDING as Secrets Manager moves them, and
// keeps each region's secrets apart (the region is read from the request's
// SigV4 signature, which is otherwise not checked). Errors have the real
// shape: HTTP 400 (500 for server errors) with {"__type": CODE, "message": MSG}.
// A secret whose deletion DeleteSecret scheduled still exists: reads and
// writes of it fail with InvalidRequestException ("marked for deletion")
// until RestoreSecret, as in Secrets Manager; ForceDeleteWithoutRecovery
// deletes at once.
//
// # Injecting trouble
//
//   - SetLatency delays every answer.
//   - Throttle answers ThrottlingException to the next n requests.
//   - FailNext answers InternalServiceError (HTTP 500) to the next n requests.
//   - DenyBatch answers AccessDeniedException to BatchGetSecretValue.
//   - FailSecret answers an error code (AccessDeniedException,
//     DecryptionFailure, ...) for reads of one secret.
//   - FailRaw answers an operation (or all) with any status and a raw body
//     that is not Secrets Manager's JSON: a proxy's HTML page, moto's XML.
//   - Down and Up take the whole endpoint down and bring it back (see
//     Outages).
//   - Rotate rotates a secret as a rotation function does (AWSPENDING, then
//     AWSCURRENT moves and the old version becomes AWSPREVIOUS).
//
// Count, Total and Calls report the requests received, per operation, with
// the region and the access key id each was signed with.
//
// # STS: IAM roles for service accounts
//
// The same endpoint answers STS AssumeRoleWithWebIdentity in the AWS Query
// protocol (a form-encoded POST, an XML answer), the call the SDK's
// credential chain makes first in a pod with IAM roles for service
// accounts (a web identity token file and a role ARN). It issues temporary
// credentials (an ASIA... access key id, valid for an hour); requests
// signed with them show that key in Calls. SetWebIdentityToken makes it
// accept one token only. A cold boot that starts from a web identity is:
//
//	cfg, err := config.LoadDefaultConfig(ctx,
//		config.WithSharedConfigFiles([]string{file}), // role_arn, web_identity_token_file
//		config.WithSharedConfigProfile("irsa"),
//		config.WithBaseEndpoint(srv.URL))            // STS and Secrets Manager
//
// SetLatency, Throttle, FailNext, Down and FailRaw apply to STS calls too;
// its errors have STS's XML shape.
//
// # Outages
//
// Down takes the whole endpoint down until Up: every request, whatever its
// operation, is answered HTTP 503 Service Unavailable with a plain-text
// body, as the load balancer in front of a failed service answers. (Not
// connection refused: the port stays the server's, so Up cannot lose it to
// another process.) The secrets are kept. An outage test is two lines:
//
//	srv.Down()
//	_, err := provider.Fetch(ctx, ref) // errors.Is(err, driftless.ErrUnavailable)
//	srv.Up()
//
// AgentServer mimics the AWS Secrets Manager Agent and the Lambda
// Parameters and Secrets extension in front of a Server.
//
// # Concurrency
//
// Server and AgentServer are safe for concurrent use.
package awssmtest
