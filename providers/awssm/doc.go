// Package awssm is the driftless provider for AWS Secrets Manager.
//
// It serves awssm:// references:
//
//	awssm://<name or ARN>[?version-stage=STAGE | ?version-id=ID][#key]
//
//	awssm://prod/database#password                        AWSCURRENT, one JSON key
//	awssm://prod/api-key?version-stage=AWSPREVIOUS        the version before the current one
//	awssm://prod/api-key?version-id=EXAMPLE1-90ab-cdef    one version by id
//	awssm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf
//
// A reference by ARN is read in the ARN's region, whatever the client's
// region is (the SDK derives the endpoint and signing region per call).
// SecretString and SecretBinary are both returned as bytes; Value.Version is
// the VersionId (a refresh compares it to tell that a secret rotated) and
// Value.Created the version's CreatedDate.
//
// # Clients
//
// New takes the *secretsmanager.Client the program already configured (or
// anything with its GetSecretValue and BatchGetSecretValue methods).
// NewFromConfig builds one from the SDK's default configuration chain, so
// AWS_REGION, AWS_PROFILE, IAM roles and AWS_ENDPOINT_URL_SECRETS_MANAGER
// work as in any AWS SDK. Nothing is read from the environment otherwise.
//
// NewAgent and NewAgentFromEnv read through the AWS Secrets Manager Agent or
// the AWS Lambda Parameters and Secrets extension (localhost:2773) instead,
// for fleets that must not call the API from every replica.
//
// # Batches and rotation
//
// Provider.FetchBatch (driver.BatchFetcher) reads secrets with
// BatchGetSecretValue, 20 per call, calls sent concurrently, so a cold start
// costs one round trip for up to 20 secrets per region. When the identity
// may not call BatchGetSecretValue it falls back to concurrent
// GetSecretValue calls and remembers to. Provider.FetchPrevious
// (driver.PreviousFetcher) reads AWSPREVIOUS, which feeds the rotation
// window.
//
// # Key-value sources
//
// Prefix, JSON and Keys make Secrets Manager a key-value source in the
// driftless chain, so OPENAI_API_KEY is found without writing a reference:
// under a name prefix, as a key of one JSON secret, or by an explicit map.
//
// # Errors
//
// Errors name the secret (and the version selector), never a value, and
// wrap the SDK's error together with a driftless sentinel:
//
//	ResourceNotFoundException                        driftless.ErrNotFound
//	AccessDeniedException, bad or expired credentials,
//	InvalidRequestException (a secret scheduled for
//	deletion), DecryptionFailure (KMS key disabled or
//	kms:Decrypt denied), HTTP 401 or 403 whatever
//	the body                                         driftless.ErrPermission
//	no credentials (the credential chain found none)  driftless.ErrNoCredentials
//	throttling after the SDK's retries, 5xx,
//	network failures                                 driftless.ErrUnavailable
//	InvalidParameterException, ValidationException   driftless.ErrInvalidRef
//	a done context                                   wraps ctx.Err(), no sentinel
//
// Only a secret that does not exist is ErrNotFound, so only it lets a
// key-value source fall through to the next source: a secret scheduled for
// deletion still exists, and reading it is refused.
//
// errors.As still finds the SDK's types (*types.ResourceNotFoundException,
// smithy.APIError) and, for the agent, *AgentError.
//
// # Testing
//
// Package awssmtest is a fake Secrets Manager on 127.0.0.1 that the
// official SDK client talks to, with injectable latency, throttling,
// server errors and rotations; the examples here run against it.
//
// # Concurrency
//
// Provider and Agent are safe for concurrent use by multiple goroutines.
package awssm
