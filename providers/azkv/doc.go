// Package azkv is the driftless provider for Azure Key Vault secrets.
//
// # References
//
//	azkv://<vault-name>/<secret>[/<version>][#key]
//
// azkv://prod-kv/db-password reads the current version of the secret
// db-password in the vault prod-kv (https://prod-kv.vault.azure.net);
// azkv://prod-kv/db-password/0123abcd... reads one version; #key selects a
// member of a JSON value (#/a/b for a JSON pointer). Vault names are 3-24
// letters, digits and single dashes; secret names 1-127 letters, digits and
// dashes; both are case-insensitive.
//
// # Clients and credentials
//
// New takes the *azsecrets.Client values the caller already configured,
// one per vault (any SecretsClient will do); NewFunc takes a function that
// builds the client of a vault on first use; NewDefault builds them itself
// with azidentity.DefaultAzureCredential (environment, workload identity,
// managed identity, Azure CLI), created on the first fetch. NewDefault's
// options set the vault DNS suffix for sovereign clouds (WithVaultSuffix),
// an endpoint override for emulators and tests (WithEndpoint,
// WithVaultURL), the credential and the SDK's client options.
//
// # Values and versions
//
// Value.Version is the version actually served (the last segment of the
// returned secret ID), so a refresh sees a rotation; Value.Created is the
// version's creation time and Value.Expires its exp attribute.
// FetchPrevious returns the newest enabled, valid version created before
// the current one, for the rotation-window field type; it reads the current
// version's id first and never returns it (Key Vault's timestamps are whole
// seconds and its listing order is not promised, so versions made in one
// second tie; ties are broken by version id). It lists the versions of that
// one secret and never lists every secret in a vault.
// Key Vault stores text: Data is the UTF-8 bytes of the secret's value; an
// empty value is served as empty Data.
//
// # Errors
//
//	404 (no such secret or version)            driftless.ErrNotFound
//	401, 403 (whatever the body)               driftless.ErrPermission
//	no identity to sign in with                driftless.ErrNoCredentials
//	disabled (403 SecretDisabled)              driftless.ErrPermission and ErrDisabled
//	exp in the past                            driftless.ErrPermission and ErrExpired
//	nbf in the future                          driftless.ErrPermission and ErrNotYetValid
//	429 after the SDK's retries, 5xx, network  driftless.ErrUnavailable
//	400, malformed reference, unknown vault    driftless.ErrInvalidRef
//	cancelled or expired context               ctx.Err()
//
// Disabled, expired and not-yet-valid secrets are deliberately not
// ErrNotFound: an operator who switched a secret off must see the load
// fail, not a key-value chain silently fall back to a lower source or a
// default. Key Vault itself serves expired and not-yet-valid versions; the
// provider refuses them. Every error wraps the SDK's error as well (so
// errors.As finds *azcore.ResponseError), names the vault and secret, and
// never contains a value.
//
// # Key-value sources
//
// Key Vault names allow only letters, digits and dashes, so a config key
// such as OPENAI_API_KEY cannot be a secret name. Keys maps keys to secret
// names explicitly; Dashed maps every key by DashedName (OPENAI_API_KEY to
// openai-api-key). A mapped secret that does not exist lets the chain go
// on to the next source.
//
// # Concurrency
//
// A Provider is safe for concurrent use. FetchBatch fetches concurrently
// (Key Vault has no batch get); all requests of a provider share one bound
// (WithConcurrency, default 32). A vault's first request goes out alone and
// the others wait for it, so a cold start is challenged once for its bearer
// token instead of once per secret. Close only marks the provider closed:
// it starts no background work.
//
// # Testing
//
// Package azkvtest is a fake Key Vault serving the REST API over TLS on
// 127.0.0.1; its Client method returns an official client pointed at it.
package azkv
