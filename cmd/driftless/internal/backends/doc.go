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
//	azkv://   DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID,
//	          AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST, workload and managed
//	          identity, the Azure CLI), which refreshes tokens as they
//	          expire; DRIFTLESS_AZKV_ENDPOINT (an https base URL used for
//	          every vault) only moves the vault, DRIFTLESS_AZKV_CA_FILE (a
//	          PEM) only adds trust; DRIFTLESS_AZKV_EMULATOR_TOKEN, for a
//	          test emulator only, replaces the credential with a fixed token
//	awsps://  AWS Systems Manager Parameter Store, with the AWS SDK's default
//	          chain, including AWS_ENDPOINT_URL_SSM for emulators
//	sops://   SOPS-encrypted files, decrypted with the age keys the sops
//	          command would use: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, then
//	          $XDG_CONFIG_HOME/sops/age/keys.txt or ~/.config/sops/age/keys.txt;
//	          watched like files under exec --watch
//	file://   the files provider: the file is read on each resolution, and
//	          watched (Kubernetes ..data swaps included) under exec --watch
//
// Each provider is created only when a reference with its scheme is
// resolved; the references are then fetched by the library's engine
// (driftless.EnvLoader), as Load fetches a struct's.
package backends
