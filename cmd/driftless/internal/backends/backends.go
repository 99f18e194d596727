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
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/resolve"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/files"
	"github.com/driftless/driftless/providers/gcpsm"
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
	// of https://<vault>.vault.azure.net; no cloud credential is used.
	EnvAZKVEndpoint = "DRIFTLESS_AZKV_ENDPOINT"
	// EnvAZKVCAFile is a PEM file of certificates to trust for
	// EnvAZKVEndpoint.
	EnvAZKVCAFile = "DRIFTLESS_AZKV_CA_FILE"
	// EnvAZKVToken is the bearer token sent to EnvAZKVEndpoint (default
	// "driftless-emulator", for emulators that accept any token).
	EnvAZKVToken = "DRIFTLESS_AZKV_TOKEN"
)

// Factories returns the provider factories for the five schemes, reading
// the DRIFTLESS_* variables through getenv (the SDKs read their own
// variables from the process environment).
func Factories(getenv func(string) string) map[string]resolve.Factory {
	return map[string]resolve.Factory{
		"awssm": func(ctx context.Context) (driftless.Provider, error) {
			return awssm.NewFromConfig(ctx)
		},
		"vault": func(context.Context) (driftless.Provider, error) {
			return vault.NewFromEnvironment()
		},
		"gcpsm": func(ctx context.Context) (driftless.Provider, error) {
			var opts []gcpsm.Option
			if ep := getenv(EnvGCPSMEndpoint); ep != "" {
				opts = append(opts, gcpsm.WithEndpoint(ep))
			}
			if p := getenv(EnvGCPSMProject); p != "" {
				opts = append(opts, gcpsm.WithProject(p))
			}
			return gcpsm.NewFromDefault(ctx, opts...)
		},
		"azkv": func(context.Context) (driftless.Provider, error) {
			return azure(getenv)
		},
		"file": func(context.Context) (driftless.Provider, error) {
			return files.New(), nil
		},
	}
}

func azure(getenv func(string) string) (driftless.Provider, error) {
	ep := getenv(EnvAZKVEndpoint)
	if ep == "" {
		if getenv(EnvAZKVCAFile) != "" {
			return nil, fmt.Errorf("%s is set without %s", EnvAZKVCAFile, EnvAZKVEndpoint)
		}
		return azkv.NewDefault()
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if ca := getenv(EnvAZKVCAFile); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", EnvAZKVCAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s holds no PEM certificate", EnvAZKVCAFile, ca)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	token := getenv(EnvAZKVToken)
	if token == "" {
		token = "driftless-emulator"
	}
	return azkv.NewDefault(
		azkv.WithEndpoint(ep),
		azkv.WithCredential(staticToken(token)),
		azkv.WithClientOptions(&azsecrets.ClientOptions{
			ClientOptions: azcore.ClientOptions{
				Transport: &http.Client{Transport: tr},
				Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second},
			},
			// The challenge of an emulator names https://vault.azure.net
			// while it listens elsewhere.
			DisableChallengeResourceVerification: true,
		}),
	)
}

// staticToken is a credential for emulators: it hands out a fixed bearer
// token and needs no cloud account.
type staticToken string

func (t staticToken) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	if t == "" {
		return azcore.AccessToken{}, errors.New("empty token")
	}
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}
