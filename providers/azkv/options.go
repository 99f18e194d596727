package azkv

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

// DefaultVaultSuffix is the DNS suffix of vaults in Azure's public cloud.
const DefaultVaultSuffix = "vault.azure.net"

// DefaultConcurrency is the default bound on requests in flight.
const DefaultConcurrency = 32

// Option configures a Provider.
type Option func(*options)

type options struct {
	concurrency   int
	suffix        string
	vaultURL      func(vault string) string
	credential    azcore.TokenCredential
	clientOptions *azsecrets.ClientOptions
	prefetch      bool
}

func defaultOptions() options {
	return options{concurrency: DefaultConcurrency, suffix: DefaultVaultSuffix, prefetch: true}
}

// WithTokenPrefetch sets whether NewDefault's provider asks its credential
// for a token at the first fetch, while the vault's challenge is under
// way, for the scope that Key Vault's challenge names in the provider's
// cloud (https://<suffix>/.default, see WithVaultSuffix), so that the SDK
// finds it cached once it has checked the challenge: a cold start then
// pays the sign-in and the challenge at once instead of one after the
// other. The token is only cached, never sent by the provider; when the
// challenge names another scope, the SDK asks for that one and the
// prefetched token goes unused. The default is true. New and NewFunc
// ignore it.
func WithTokenPrefetch(enabled bool) Option {
	return func(o *options) { o.prefetch = enabled }
}

// WithConcurrency bounds the number of requests the provider has in flight
// at once, across all vaults (FetchBatch runs its fetches concurrently up to
// this bound). The default is DefaultConcurrency; n < 1 means 1.
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithVaultSuffix sets the DNS suffix that NewDefault appends to a vault
// name to form its URL, https://<vault>.<suffix>, for sovereign clouds:
// "vault.azure.cn" (Azure China), "vault.usgovcloudapi.net" (Azure US
// Government). The default is DefaultVaultSuffix, "vault.azure.net". Pair
// it with WithClientOptions setting azcore.ClientOptions.Cloud so that the
// credential signs in to the same cloud. New and NewFunc ignore it.
func WithVaultSuffix(suffix string) Option {
	return func(o *options) { o.suffix = strings.TrimPrefix(suffix, ".") }
}

// WithEndpoint makes NewDefault send every vault's requests to baseURL, an
// https URL such as an emulator's https://127.0.0.1:8443, instead of
// https://<vault>.<suffix>. By default there is no override. New and
// NewFunc ignore it.
func WithEndpoint(baseURL string) Option {
	return func(o *options) { o.vaultURL = func(string) string { return baseURL } }
}

// WithVaultURL makes NewDefault send a vault's requests to url(vault), an
// https base URL, instead of https://<vault>.<suffix>: one endpoint per
// vault, as azkvtest.Server.VaultURL gives. By default there is no
// override. New and NewFunc ignore it.
func WithVaultURL(url func(vault string) string) Option {
	return func(o *options) { o.vaultURL = url }
}

// WithCredential sets the credential of the clients NewDefault builds. The
// default is azidentity.DefaultAzureCredential (environment, workload
// identity, managed identity, Azure CLI, Azure Developer CLI), created on
// the first fetch. New and NewFunc ignore it.
func WithCredential(cred azcore.TokenCredential) Option {
	return func(o *options) { o.credential = cred }
}

// WithClientOptions sets the azsecrets options of the clients NewDefault
// builds: transport, retries, cloud, logging. Its azcore.ClientOptions also
// configure the default credential. The default is the SDK's defaults
// (three retries with exponential back-off, honouring Retry-After). New and
// NewFunc ignore it.
func WithClientOptions(opts *azsecrets.ClientOptions) Option {
	return func(o *options) { o.clientOptions = opts }
}

func (o *options) urlFor(vault string) string {
	if o.vaultURL != nil {
		return o.vaultURL(vault)
	}
	return "https://" + vault + "." + o.suffix
}

func (o *options) check() error {
	if o.suffix == "" || strings.ContainsAny(o.suffix, "/:@?#") {
		return fmt.Errorf("azkv: vault suffix must be a DNS name such as %q", DefaultVaultSuffix)
	}
	if o.vaultURL != nil {
		u, err := url.Parse(o.vaultURL("vault-name-check"))
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("azkv: endpoint must be an https URL")
		}
	}
	return nil
}
