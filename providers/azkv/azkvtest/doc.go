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
// # Signing in
//
// AuthorityHost is a fake Microsoft Entra ID sign-in endpoint on its own
// TLS listener: a tenant's OpenID configuration, instance discovery and
// the client credentials grant for ClientID and ClientSecret in TenantID.
// ClientSecretCredential returns the official
// azidentity.ClientSecretCredential signing in there, so that a test starts
// with no token, as a new process does; its tokens are accepted for Scope
// only. Stats counts its requests (Tokens, Discovery) apart from the
// vault's.
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
// Vault error body; FailRaw answers every request with any status and a
// raw body (a proxy's HTML page; a 401 then carries the proxy's own Basic
// challenge); Stats counts requests by kind. SetClock sets the clock of
// created and updated (whole seconds, as in Key Vault: a clock that stands
// still makes tied versions), and SetListOrder the order of versions
// listings (creation, reversed or shuffled: Key Vault promises none). A disabled version
// answers 403 Forbidden (inner code SecretDisabled) as Key Vault does;
// expired and not-yet-valid versions are served, as Key Vault does, for the
// client to judge. Delete purges at once (soft-delete is not modelled).
//
// # Outages
//
// Down takes every vault of the server down until Up: every request,
// challenges included, is answered with 503 Service Unavailable and a
// plain-text body, as the load balancer in front of a failed service
// answers. (Not connection refused: the ports stay the server's.) The SDK
// retries and then returns an *azcore.ResponseError with status 503. The
// secrets are kept. An outage test is two lines:
//
//	srv.Down()
//	_, err := provider.Fetch(ctx, ref) // errors.Is(err, driftless.ErrUnavailable)
//	srv.Up()
//
// # Concurrency
//
// A Server and its Vault handles are safe for concurrent use.
package azkvtest
