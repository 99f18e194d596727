package azkvtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TenantID is the tenant the fake vault names in its bearer-token challenge.
const TenantID = "72f988bf-0000-4000-8000-00000000a2c1"

// Scope is the token scope the Key Vault SDK derives from the challenge's
// resource, and the only scope whose tokens the fake vault accepts.
const Scope = "https://vault.azure.net/.default"

const (
	validToken   = "azkvtest-token"
	invalidToken = "azkvtest-token-for-another-audience"
)

// Credential is a fake azcore.TokenCredential. It issues a token the fake
// vault accepts only when asked for the scope and tenant that the vault's
// challenge names, so a test passes only if the SDK followed the challenge.
// It is safe for concurrent use.
type Credential struct {
	mu       sync.Mutex
	requests []policy.TokenRequestOptions
}

// GetToken implements azcore.TokenCredential. It honours ctx.
func (c *Credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	c.mu.Lock()
	c.requests = append(c.requests, policy.TokenRequestOptions{
		Scopes:   slices.Clone(opts.Scopes),
		TenantID: opts.TenantID,
	})
	c.mu.Unlock()
	tok := invalidToken
	if len(opts.Scopes) == 1 && opts.Scopes[0] == Scope && opts.TenantID == TenantID {
		tok = validToken
	}
	return azcore.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// Requests returns the scopes and tenants the credential was asked for, in
// order.
func (c *Credential) Requests() []policy.TokenRequestOptions {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}
