// Package backends configures the CLI's providers the way each ecosystem
// expects, from the environment of the driftless process:
//
//	awssm://  the AWS SDK's default chain (AWS_REGION, AWS_PROFILE, shared
//	          files, web identity, container and instance roles), including
//	          AWS_ENDPOINT_URL_SECRETS_MANAGER for emulators
//	vault://  the Vault CLI's variables: VAULT_ADDR, VAULT_TOKEN (or
//	          ~/.vault-token), VAULT_NAMESPACE, VAULT_CACERT, ...
//	gcpsm://  Application Default Credentials, or DRIFTLESS_GCPSM_ENDPOINT
//	          (host:port, plaintext gRPC, no credentials) for emulators;
//	          DRIFTLESS_GCPSM_PROJECT sets the project of bare secret ids
//	azkv://   DefaultAzureCredential, or DRIFTLESS_AZKV_ENDPOINT (an https
//	          base URL used for every vault) with DRIFTLESS_AZKV_CA_FILE (a
//	          PEM to trust) and no cloud credential (DRIFTLESS_AZKV_TOKEN,
//	          if set, is sent as the bearer token)
//	file://   the files provider: the file is read on each resolution, and
//	          watched (Kubernetes ..data swaps included) under exec --watch
//
// Each provider is created only when a reference with its scheme is
// resolved.
package backends
