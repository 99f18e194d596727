package vault_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/kubernetes"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

// standIn answers the two requests the example makes as Vault does, so that
// the example runs anywhere; in a service, the address is your Vault's, your
// Vault Agent's or your Vault Proxy's.
func standIn() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/sys/internal/ui/mounts/secret/app/db", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":{"path":"secret/","type":"kv","options":{"version":"2"}}}`)
	})
	mux.HandleFunc("GET /v1/secret/data/app/db", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":{"data":{"user":"app","password":"hunter2"},`+
			`"metadata":{"version":3,"created_time":"2025-01-02T03:04:05Z"}}}`)
	})
	return httptest.NewServer(mux)
}

// New takes the client the service already configured. Fetch returns the
// secret's key-value map as JSON; driftless applies #key.
func ExampleNew() {
	srv := standIn()
	defer srv.Close()

	cfg := api.DefaultConfig()
	cfg.Address = srv.URL // https://vault.example.com:8200, or http://127.0.0.1:8100 for an agent
	client, err := api.NewClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	p, err := vault.New(client)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	ref, err := driver.ParseRef("vault://secret/app/db#user")
	if err != nil {
		log.Fatal(err)
	}
	v, err := p.Fetch(context.Background(), ref.Secret())
	if err != nil {
		log.Fatal(err)
	}
	user, err := driver.Select(v.Data, ref.Key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("version", v.Version, "user", string(user))
	// Output: version 3 user app
}

// NewFromEnvironment reads the environment as the Vault CLI does:
// VAULT_ADDR, VAULT_TOKEN (or ~/.vault-token), VAULT_NAMESPACE, VAULT_CACERT...
func ExampleNewFromEnvironment() {
	p, err := vault.NewFromEnvironment()
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	_ = driver.Provider(p) // register with driftless.WithProvider("vault", p)
}

// AppRole login; the token is renewed, and replaced before it expires.
func ExampleWithAuth_appRole() {
	method, err := approle.NewAppRoleAuth("my-role-id", &approle.SecretID{FromFile: "/run/secrets/vault-secret-id"})
	if err != nil {
		log.Fatal(err)
	}
	p, err := vault.NewFromEnvironment(vault.WithAuth(method))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close() // stops the token renewal
}

// Kubernetes login with the pod's service-account token, read anew from
// /var/run/secrets/kubernetes.io/serviceaccount/token at each login since
// the kubelet rotates it.
func ExampleWithLogin_kubernetes() {
	p, err := vault.NewFromEnvironment(vault.WithLogin(func() (api.AuthMethod, error) {
		return kubernetes.NewKubernetesAuth("my-app")
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
}
