// Package vault is the driftless provider for HashiCorp Vault: it resolves
// vault:// references with the official client, github.com/hashicorp/vault/api.
//
// # References
//
//	vault://<mount>/<path>[?version=N][#key]
//
//	vault://secret/app/db#password          KV v2 (or v1): field "password", current version
//	vault://secret/app/db?version=3#password KV v2: version 3
//	vault://kv/app/db                       the whole key-value map, as JSON
//	vault://team/kv/app#token               mounts may contain slashes
//	vault://database/creds/app#username     any other engine: a plain read, leased
//
// The path is written as for the `vault kv get` command (no "data/"
// segment). KV v1 and v2 are told apart per mount, as the Vault CLI does, by
// one request to sys/internal/ui/mounts/<path> the first time a mount is
// seen; the answer is cached for the life of the Provider. The value of a KV
// secret is its key-value map as a JSON object, so that #key picks a field and
// ten fields reading one secret cost one read.
//
// # Versions, rotation and leases
//
// On KV v2, Value.Version is the version number and FetchPrevious returns the
// version before it (skipping deleted and destroyed ones), which feeds the
// rotation-window field type. On other engines (database/creds/<role>,
// aws/creds/<role>, ...) a read returns new credentials with a lease:
// Value.Version is the lease ID and Value.Expires the end of the lease, so
// that driftless's cache reads new credentials before the old ones expire and
// reports the change to the service.
//
// # Client and authentication
//
// New takes the *api.Client the service already configured. NewFromEnvironment
// builds one exactly as the Vault CLI does (VAULT_ADDR, VAULT_TOKEN,
// VAULT_NAMESPACE, VAULT_CACERT, ..., then the CLI's token helper). WithAuth
// logs in with any api.AuthMethod, such as AppRole
// (github.com/hashicorp/vault/api/auth/approle), and keeps the token alive:
// renewed while Vault allows, replaced by a new login before it expires.
// WithLogin does the same with a method built anew at each login, as a
// Kubernetes service-account login (github.com/hashicorp/vault/api/auth/kubernetes)
// needs, since the kubelet rotates the token file it reads.
//
// Behind Vault Agent or Vault Proxy nothing changes but the address: point
// the client (or VAULT_ADDR, or VAULT_AGENT_ADDR) at the agent's listener and
// leave the token empty when the agent adds its auto-auth token.
//
// # Errors
//
// Errors wrap driftless.ErrNotFound (no such path, version or mount),
// driftless.ErrPermission (401 or 403 whatever the body, a refused login, or
// a KV v2 version that was deleted or destroyed: it exists, so it is not
// "not found" and a key source never falls through past it),
// driftless.ErrNoCredentials (no token: see NewFromEnvironment and WithAuth),
// driftless.ErrUnavailable (sealed, unreachable, 5xx, rate limited) or
// driftless.ErrInvalidRef, together with the client's *api.ResponseError, so
// that errors.Is and errors.As both work. They name the mount and path, never
// a value.
//
// # Concurrency
//
// A Provider is safe for concurrent use. It starts a goroutine only to keep a
// WithAuth token alive; Close stops it and waits for it.
package vault
