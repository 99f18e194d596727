// Package awsps is the driftless provider for AWS Systems Manager
// Parameter Store.
//
// It serves awsps:// references:
//
//	awsps://<name or ARN>[?version=N | ?label=L][#key]
//
//	awsps://prod/inference/model             the parameter /prod/inference/model
//	awsps:///prod/inference/model            the same, written with its leading "/"
//	awsps://feature-flags                    the non-hierarchical parameter feature-flags
//	awsps://prod/db?version=3#password       version 3, one key of its JSON value
//	awsps://prod/db?label=live               the version labelled live
//	awsps://arn:aws:ssm:eu-west-1:123456789012:parameter/shared/tls
//
// # Names
//
// Parameter Store names with a "/" are hierarchical and always start with
// "/"; a name without one is a flat, non-hierarchical parameter. A
// reference may leave the leading "/" out, so that it reads as a URL with
// the hierarchy's first segment as its host: awsps://prod/x and
// awsps:///prod/x both read /prod/x. A name without "/" (awsps://flags) is
// the flat parameter flags; the hierarchical parameter /flags is
// awsps:///flags. Name says which parameter a reference name reads.
// Names are letters, digits and "_.-/", without empty segments; ":" is
// reserved for the version selector, so ?version=N and ?label=L are sent as
// Parameter Store's name:N and name:L. Provider.CheckRef checks all of this
// when the config is planned, before any call.
//
// # Values
//
// String and StringList parameters are returned as stored (a StringList as
// its comma-separated text: a field's sep:"," tag splits it); SecureString
// parameters are decrypted (WithDecryption), which takes kms:Decrypt on
// their key. Value.Version is the version number, Value.Created the
// LastModifiedDate of that version.
//
// # Batches and rotation
//
// Provider.FetchBatch (driver.BatchFetcher) reads parameters with
// GetParameters, 10 names per call, calls sent concurrently: a cold start
// of 40 parameters costs 4 calls and about one round trip. Names that
// GetParameters lists as invalid fail with driftless.ErrNotFound.
// Provider.FetchPrevious (driver.PreviousFetcher) reads the version before
// the current one from GetParameterHistory, which feeds driftless.Rotating
// fields.
//
// # Key-value sources
//
// Path makes a hierarchy a key-value source: with Path("/prod/inference"),
// MODEL_NAME is read from /prod/inference/MODEL_NAME (or, with LowerDashed,
// /prod/inference/model-name), and a missing parameter falls through to
// the next source. Keys maps config keys to parameters explicitly.
//
// # Errors
//
// ParameterNotFound, ParameterVersionNotFound and the invalid names of
// GetParameters wrap driftless.ErrNotFound; AccessDeniedException, KMS
// failures (InvalidKeyId and the KMS exceptions) and credential refusals
// wrap driftless.ErrPermission; throttling and server errors are retried by
// the client's retryer and then wrap driftless.ErrUnavailable, as does a
// network failure; a client whose credential chain finds nothing fails with
// driftless.ErrNoCredentials, saying what to set. Errors name the parameter
// and never contain a value.
//
// # Least privilege
//
// Policy writes the IAM policy a config needs: ssm:GetParameter and
// ssm:GetParameters on each parameter, ssm:GetParameterHistory for those
// whose previous version is read, and kms:Decrypt on the keys given.
//
// # Tests
//
// Package awspstest is a fake Parameter Store speaking the AWS JSON 1.1
// protocol, with latency, throttling, failures and outages, for the tests
// of services that use this package.
//
// # Concurrency
//
// A Provider is safe for concurrent use.
package awsps
