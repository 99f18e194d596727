package backends

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/files"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/sops"
	"github.com/driftless/driftless/providers/vault"
)

// Environment variables read for emulators and private endpoints.
const (
	// EnvGCPSMEndpoint is host:port of a Secret Manager emulator, reached
	// over plaintext gRPC without credentials.
	EnvGCPSMEndpoint = "DRIFTLESS_GCPSM_ENDPOINT"
	// EnvGCPSMProject is the project of bare secret ids.
	EnvGCPSMProject = "DRIFTLESS_GCPSM_PROJECT"
	// EnvAZKVEndpoint is an https base URL used for every vault in place
	// of https://<vault>.vault.azure.net (an emulator or a private
	// endpoint). It changes where the vault is, not how driftless signs
	// in: the credential is still DefaultAzureCredential.
	EnvAZKVEndpoint = "DRIFTLESS_AZKV_ENDPOINT"
	// EnvAZKVCAFile is a PEM file of certificates to trust, in addition to
	// the system's, for EnvAZKVEndpoint and the token service.
	EnvAZKVCAFile = "DRIFTLESS_AZKV_CA_FILE"
	// EnvAZKVEmulatorToken is, for a test emulator only, a fixed bearer
	// token sent to EnvAZKVEndpoint in place of a credential's token.
	EnvAZKVEmulatorToken = "DRIFTLESS_AZKV_EMULATOR_TOKEN"
	// envAZKVTokenRemoved is the former name of EnvAZKVEmulatorToken; it
	// is refused rather than ignored.
	envAZKVTokenRemoved = "DRIFTLESS_AZKV_TOKEN"
	// envAzureAuthorityHost is azidentity's variable for the token
	// service of a sovereign or private cloud.
	envAzureAuthorityHost = "AZURE_AUTHORITY_HOST"
)

// Factory creates the provider for one scheme. The CLI calls it only for
// the schemes that the references it resolves use, so that a command that
// only uses awssm:// never touches the Azure or Google configuration.
type Factory func(ctx context.Context) (driver.Provider, error)

// Factories returns the provider factories for the seven schemes, reading
// the DRIFTLESS_* and SOPS_* variables through getenv (the SDKs read their
// own variables from the process environment).
func Factories(getenv func(string) string) map[string]Factory {
	return map[string]Factory{
		"awssm": func(ctx context.Context) (driver.Provider, error) {
			return awssm.NewFromConfig(ctx)
		},
		awsps.Scheme: func(ctx context.Context) (driver.Provider, error) {
			return awsps.NewFromConfig(ctx)
		},
		sops.Scheme: func(context.Context) (driver.Provider, error) {
			// The age keys the sops command itself would use: SOPS_AGE_KEY,
			// SOPS_AGE_KEY_FILE, then the user's sops/age/keys.txt.
			return sops.New(sops.WithSOPSEnvironment(func(k string) (string, bool) {
				v := getenv(k)
				return v, v != ""
			}))
		},
		"vault": func(context.Context) (driver.Provider, error) {
			return vault.NewFromEnvironment()
		},
		"gcpsm": func(ctx context.Context) (driver.Provider, error) {
			var opts []gcpsm.Option
			if ep := getenv(EnvGCPSMEndpoint); ep != "" {
				opts = append(opts, gcpsm.WithEndpoint(ep))
			}
			if p := getenv(EnvGCPSMProject); p != "" {
				opts = append(opts, gcpsm.WithProject(p))
			}
			return gcpsm.NewFromDefault(ctx, opts...)
		},
		"azkv": func(context.Context) (driver.Provider, error) {
			return azure(getenv)
		},
		"file": func(context.Context) (driver.Provider, error) {
			return files.New(), nil
		},
	}
}

// azure returns the azkv provider. The credential is always
// azidentity's DefaultAzureCredential (AZURE_CLIENT_ID, AZURE_TENANT_ID,
// AZURE_CLIENT_SECRET or a certificate, AZURE_AUTHORITY_HOST, workload and
// managed identity, the Azure CLI), which refreshes its tokens as they
// expire; EnvAZKVEndpoint only moves the vault, EnvAZKVCAFile only adds
// trust, and EnvAZKVEmulatorToken replaces the credential for a test
// emulator.
func azure(getenv func(string) string) (driver.Provider, error) {
	ep, ca, emulatorToken := getenv(EnvAZKVEndpoint), getenv(EnvAZKVCAFile), getenv(EnvAZKVEmulatorToken)
	if getenv(envAZKVTokenRemoved) != "" {
		return nil, fmt.Errorf("%s is not read: for a test emulator that accepts a fixed token set %s; otherwise the AZURE_* variables of DefaultAzureCredential sign in",
			envAZKVTokenRemoved, EnvAZKVEmulatorToken)
	}
	if ep == "" {
		for _, name := range []string{EnvAZKVCAFile, EnvAZKVEmulatorToken} {
			if getenv(name) != "" {
				return nil, fmt.Errorf("%s is set without %s", name, EnvAZKVEndpoint)
			}
		}
	}
	var co azsecrets.ClientOptions
	if ca != "" {
		tr, err := trustingTransport(ca)
		if err != nil {
			return nil, err
		}
		co.Transport = &http.Client{Transport: tr}
	}
	opts := []azkv.Option{azkv.WithClientOptions(&co)}
	if ep != "" {
		// An emulator or a private endpoint answers at once or not at
		// all: fail fast rather than after the SDK's long back-off.
		co.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second}
		// The challenge names https://vault.azure.net (the resource the
		// token is for) while the vault listens elsewhere.
		co.DisableChallengeResourceVerification = true
		opts = append(opts, azkv.WithEndpoint(ep))
	}
	if emulatorToken != "" {
		opts = append(opts, azkv.WithCredential(emulatorCredential(emulatorToken)))
	} else {
		cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: co.ClientOptions,
			// Instance discovery asks login.microsoftonline.com to
			// vouch for the authority host; a host the user chose
			// with AZURE_AUTHORITY_HOST (a disconnected or private
			// cloud, a test token service) is not on its list.
			DisableInstanceDiscovery: getenv(envAzureAuthorityHost) != "",
		})
		if err != nil {
			return nil, fmt.Errorf("DefaultAzureCredential: %w", err)
		}
		opts = append(opts, azkv.WithCredential(cred))
	}
	return azkv.NewDefault(opts...)
}

// trustingTransport returns a transport that trusts the system's
// certificates and those of the PEM file ca.
func trustingTransport(ca string) (*http.Transport, error) {
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", EnvAZKVCAFile, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %s holds no PEM certificate", EnvAZKVCAFile, ca)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return tr, nil
}

// emulatorCredential is a credential for test emulators only: it hands out
// a fixed bearer token and needs no cloud account.
type emulatorCredential string

func (t emulatorCredential) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	if t == "" {
		return azcore.AccessToken{}, errors.New("empty token")
	}
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// IsRef reports whether v is a reference the CLI resolves: its scheme (in
// any letter case) is one it has a provider for.
func IsRef(v string) bool {
	_, ok := Factories(func(string) string { return "" })[driver.Scheme(v)]
	return ok
}
