// Package awssmtest is a fake AWS Secrets Manager for tests: a loopback HTTP
// server that speaks the AWS JSON 1.1 protocol, driven by the official SDK
// client, with no mocks and no AWS account.
//
//	srv := awssmtest.NewServer()
//	defer srv.Close()
//	client := srv.Client() // *secretsmanager.Client pointed at srv
//
// It serves GetSecretValue, BatchGetSecretValue (with SecretIdList or
// Filters, errors per secret), DescribeSecret, CreateSecret, PutSecretValue
// and UpdateSecretVersionStage, keeps version ids and the staging labels
// AWSCURRENT, AWSPREVIOUS and AWSPENDING as Secrets Manager moves them, and
// keeps each region's secrets apart (the region is read from the request's
// SigV4 signature, which is otherwise not checked). Errors have the real
// shape: HTTP 400 (500 for server errors) with {"__type": CODE, "message": MSG}.
//
// # Injecting trouble
//
//   - SetLatency delays every answer.
//   - Throttle answers ThrottlingException to the next n requests.
//   - FailNext answers InternalServiceError (HTTP 500) to the next n requests.
//   - DenyBatch answers AccessDeniedException to BatchGetSecretValue.
//   - FailSecret answers an error code (AccessDeniedException,
//     DecryptionFailure, ...) for reads of one secret.
//   - Rotate rotates a secret as a rotation function does (AWSPENDING, then
//     AWSCURRENT moves and the old version becomes AWSPREVIOUS).
//
// Count, Total and Calls report the requests received, per operation and
// with the region each was signed for.
//
// AgentServer mimics the AWS Secrets Manager Agent and the Lambda
// Parameters and Secrets extension in front of a Server.
//
// # Concurrency
//
// Server and AgentServer are safe for concurrent use.
package awssmtest
