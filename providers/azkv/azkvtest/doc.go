// Package azkvtest is a fake Azure Key Vault for tests: it serves the
// secrets REST API (get, set, list versions, update attributes, delete) over
// TLS on 127.0.0.1, with Key Vault's JSON shapes, error bodies and
// bearer-token challenge, so the official azsecrets client talks to it
// unchanged.
//
//	srv := azkvtest.NewServer(t)
//	srv.Set("db-password", "s3cret")
//	client := srv.Client("myvault") // *azsecrets.Client, TLS verified
//
// # Challenge
//
// A request without a valid token gets 401 with
//
//	WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<TenantID>", resource="https://vault.azure.net"
//
// and the SDK then asks its credential for a token for Scope and TenantID.
// Credential issues tokens the server accepts only for that scope and
// tenant. Because the server listens on 127.0.0.1 while the challenge names
// vault.azure.net, ClientOptions sets DisableChallengeResourceVerification;
// nothing disables TLS verification: the transport trusts only the server's
// own certificate.
//
// # Vaults
//
// Each vault name gets its own listener (its own base URL, see VaultURL),
// so the IDs the server returns have Key Vault's shape
// (<base>/secrets/<name>/<version>). The Server's Put, Set, Rotate,
// Versions, Update and Delete act on DefaultVault; Vault(name) returns a
// handle for another.
//
// # Faults
//
// SetLatency delays every response; Throttle answers the next requests
// with 429 and Retry-After; FailNext answers them with any status and a Key
// Vault error body; Stats counts requests by kind. A disabled version
// answers 403 Forbidden (inner code SecretDisabled) as Key Vault does;
// expired and not-yet-valid versions are served, as Key Vault does, for the
// client to judge. Delete purges at once (soft-delete is not modelled).
//
// # Concurrency
//
// A Server and its Vault handles are safe for concurrent use.
package azkvtest
