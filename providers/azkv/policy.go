package azkv

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/driftless/driftless"
)

// SecretsUserRole is the built-in role that lets a principal read a
// secret's contents, and its role definition ID.
const (
	SecretsUserRole   = "Key Vault Secrets User"
	SecretsUserRoleID = "4633458b-17de-408a-b874-0445c86b69e6"
)

// PolicyOptions says who is granted, and where the vaults are.
type PolicyOptions struct {
	// PrincipalID is the object ID of the identity granted access (a
	// managed identity or a service principal). Required.
	PrincipalID string
	// Subscription and ResourceGroup locate the vaults (a reference names
	// a vault by its name only). Required.
	Subscription, ResourceGroup string
}

// Policy returns the least-privilege grants for the azkv:// reads among
// reads (driftless.Reads): one "Key Vault Secrets User" role assignment
// for opts.PrincipalID scoped to each secret read
// (/subscriptions/S/resourceGroups/G/providers/Microsoft.KeyVault/vaults/V/secrets/N,
// which covers every version of the secret), as az CLI commands and as
// Terraform azurerm_role_assignment resources, both in a stable order. The
// vaults must use the Azure RBAC permission model.
//
// Reads of other schemes are ignored. A malformed reference fails with an
// error wrapping driftless.ErrInvalidRef that names the fields, never the
// reference.
func Policy(reads []driftless.SecretRead, opts PolicyOptions) (az, terraform []byte, err error) {
	var scopes []string
	var errs []error
	for _, r := range reads {
		if r.Ref.Scheme != Scheme {
			continue
		}
		l, err := parse(r.Ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("azkv: policy for %s: %w", strings.Join(r.Fields, ", "), err))
			continue
		}
		// Vault names are case-insensitive; secret names too.
		scopes = append(scopes, "/providers/Microsoft.KeyVault/vaults/"+strings.ToLower(l.vault)+"/secrets/"+strings.ToLower(l.secret))
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if opts.PrincipalID == "" || opts.Subscription == "" || opts.ResourceGroup == "" {
		return nil, nil, errors.New("azkv: a policy needs the principal's object ID, the subscription and the resource group of the vaults")
	}
	if !guidRE.MatchString(opts.PrincipalID) || !guidRE.MatchString(opts.Subscription) || !groupRE.MatchString(opts.ResourceGroup) {
		return nil, nil, errors.New("azkv: a policy needs a principal object ID and a subscription ID that are GUIDs, and a resource group name of letters, digits and -._()")
	}
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	var a, tf strings.Builder
	for i, s := range scopes {
		s = "/subscriptions/" + opts.Subscription + "/resourceGroups/" + opts.ResourceGroup + s
		fmt.Fprintf(&a, "az role assignment create --role %q --assignee-object-id %s --scope %s\n", SecretsUserRole, opts.PrincipalID, s)
		if i > 0 {
			tf.WriteString("\n")
		}
		vault, secret := scopeNames(s)
		fmt.Fprintf(&tf, "resource \"azurerm_role_assignment\" %q {\n  scope                = %q\n  role_definition_name = %q\n  principal_id         = %q\n}\n",
			"secrets_user_"+strings.ReplaceAll(vault+"_"+secret, "-", "_"), s, SecretsUserRole, opts.PrincipalID)
	}
	return []byte(a.String()), []byte(tf.String()), nil
}

var (
	guidRE  = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	groupRE = regexp.MustCompile(`^[-\w.()]{1,90}$`)
)

// scopeNames returns the vault and secret names of a secret's scope.
func scopeNames(scope string) (vault, secret string) {
	parts := strings.Split(scope, "/")
	return parts[len(parts)-3], parts[len(parts)-1]
}
