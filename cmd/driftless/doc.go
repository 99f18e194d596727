// Command driftless keeps configuration and secrets out of git and out of
// drift, for services in any language.
//
//	driftless check   [--dir DIR] [--example FILE] [--json] [ENVFILE...]
//	driftless exec    [--env-file FILE]... [--mask] [--watch DURATION] [--grace DURATION] -- CMD [ARG...]
//	driftless explain [--env-file FILE]... [--resolve] [--json]
//	driftless diff    [--resolve] [--key-file FILE] [--json] A B
//	driftless status  [--json] [--timeout DURATION] URL
//
// check is the Level 1 guard: it finds .env files tracked by git, added by
// any commit of the history, or not ignored; decrypted copies of
// SOPS-encrypted files (a file a .sops.yaml creation rule covers that is
// not encrypted, or a plaintext sibling of an encrypted file), while an
// encrypted file is safe to commit; keys missing from or unknown
// to the .env.example; empty required keys; duplicates; group- or
// world-readable .env files; and malformed lines (file:line:col). Use it
// as a pre-commit hook and as a CI step.
//
// exec gives any program Level 2 secrets without code: it merges .env
// files under the process environment, resolves every value that is a
// reference (awssm://, awsps://, gcpsm://, azkv://, vault://, sops://,
// file://) with the
// library's engine (driftless.EnvLoader: each secret fetched once, batched
// per provider, providers concurrently), and runs the command with plain
// values. Nothing runs when a reference fails. --mask hides the resolved
// values in the command's output; --watch restarts the command gracefully
// when a value rotates.
//
// explain says where every key comes from (the environment, or file:line)
// and, with --resolve, which provider and version served it, with a keyed
// fingerprint. diff shows how two environments' files drift apart,
// comparing values by keyed fingerprint. status reads a running service's
// health and freshness from its health handler (Handle.HealthHandler).
//
// No command ever prints a value: errors name keys, files, lines and
// references.
//
// # Exit codes
//
//	0  clean (check), same (diff), success (explain), ok (status), the command's own code (exec)
//	1  findings (check), differences (diff), a reference that did not resolve (explain),
//	   degraded or failed (status)
//	2  usage, I/O or configuration error; exec: a reference failed and nothing ran
//	126, 127  exec: the command could not be run, or was not found
//
// # Providers
//
// Providers are configured from driftless's own environment, the way each
// ecosystem expects, and created only for the schemes actually used:
//
//	awssm://  AWS default chain, including AWS_ENDPOINT_URL_SECRETS_MANAGER
//	vault://  VAULT_ADDR, VAULT_TOKEN (or ~/.vault-token), VAULT_NAMESPACE, ...
//	gcpsm://  Application Default Credentials, or DRIFTLESS_GCPSM_ENDPOINT
//	          (host:port, plaintext gRPC, no credentials)
//	azkv://   DefaultAzureCredential, or DRIFTLESS_AZKV_ENDPOINT (https base
//	          URL) with DRIFTLESS_AZKV_CA_FILE and no cloud credential
//	awsps://  AWS default chain, including AWS_ENDPOINT_URL_SSM
//	sops://   the age keys the sops command would use: SOPS_AGE_KEY,
//	          SOPS_AGE_KEY_FILE, then ~/.config/sops/age/keys.txt
//	file://   read on each resolution
//
// See README.md for the full reference, pre-commit and CI snippets.
package main
