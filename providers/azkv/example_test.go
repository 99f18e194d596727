package azkv_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/azkv"
	"github.com/driftless/driftless/providers/azkv/azkvtest"
)

// A provider over an official client, here pointed at the fake vault.
func Example() {
	srv := azkvtest.Start()
	defer srv.Close()
	srv.Set("db", `{"user":"app","password":"s3cret"}`)

	p := azkv.New(map[string]azkv.SecretsClient{"testvault": srv.Client("testvault")})

	ref, err := driver.ParseRef("azkv://testvault/db#password")
	if err != nil {
		panic(err)
	}
	v, err := p.Fetch(context.Background(), ref.Secret())
	if err != nil {
		panic(err)
	}
	password, err := driver.Select(v.Data, ref.Key)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(password), len(v.Version))
	// Output: s3cret 32
}

// NewDefault builds a client per vault with DefaultAzureCredential. In
// production it needs no options; here the options point it at the fake.
func ExampleNewDefault() {
	srv := azkvtest.Start()
	defer srv.Close()
	srv.Vault("prod-kv").Set("openai-api-key", "sk-test")

	// In production: p, err := azkv.NewDefault()
	p, err := azkv.NewDefault(
		azkv.WithVaultURL(srv.VaultURL),
		azkv.WithCredential(srv.Credential()),
		azkv.WithClientOptions(srv.ClientOptions()),
	)
	if err != nil {
		panic(err)
	}
	v, err := p.Fetch(context.Background(), driver.Ref{Scheme: "azkv", Name: "prod-kv/openai-api-key"})
	fmt.Println(string(v.Data), err)
	// Output: sk-test <nil>
}

// After a rotation, Fetch serves the new version and FetchPrevious the one
// before it.
func ExampleProvider_FetchPrevious() {
	srv := azkvtest.Start()
	defer srv.Close()
	ctx := context.Background()
	p := azkv.New(map[string]azkv.SecretsClient{"testvault": srv.Client("testvault")})
	ref := driver.Ref{Scheme: "azkv", Name: "testvault/api-key"}

	srv.Set("api-key", "old-key")
	before, _ := p.Fetch(ctx, ref)
	srv.Rotate("api-key", "new-key")
	after, _ := p.Fetch(ctx, ref)
	prev, _ := p.FetchPrevious(ctx, ref)

	fmt.Println(string(after.Data), string(prev.Data), before.Version == prev.Version, before.Version != after.Version)
	// Output: new-key old-key true true
}

// An expired secret is refused with ErrPermission, never ErrNotFound, so a
// chain does not silently fall back to a default.
func ExampleErrExpired() {
	srv := azkvtest.Start()
	defer srv.Close()
	v := srv.Set("cert-password", "hunter2")
	past := time.Now().Add(-time.Hour)
	if err := srv.Update("cert-password", v, azkvtest.Attributes{Expires: &past}); err != nil {
		panic(err)
	}
	p := azkv.New(map[string]azkv.SecretsClient{"testvault": srv.Client("testvault")})

	_, err := p.Fetch(context.Background(), driver.Ref{Scheme: "azkv", Name: "testvault/cert-password"})
	fmt.Println(errors.Is(err, azkv.ErrExpired), errors.Is(err, driver.ErrPermission), errors.Is(err, driver.ErrNotFound))
	// Output: true true false
}

// Dashed reads every config key from the secret named by DashedName;
// Keys maps keys to secret names explicitly.
func ExampleDashed() {
	for _, src := range []driver.KeySource{
		azkv.Dashed("prod-kv"),
		azkv.Keys("prod-kv", map[string]string{"OPENAI_API_KEY": "openai"}),
	} {
		ref, ok := src.RefFor("OPENAI_API_KEY")
		fmt.Println(ref, ok)
	}
	// Output:
	// azkv://prod-kv/openai-api-key true
	// azkv://prod-kv/openai true
}

func ExampleDashedName() {
	for _, key := range []string{"OPENAI_API_KEY", "DB_PASSWORD", "app.name"} {
		name, ok := azkv.DashedName(key)
		fmt.Printf("%s -> %q %v\n", key, name, ok)
	}
	// Output:
	// OPENAI_API_KEY -> "openai-api-key" true
	// DB_PASSWORD -> "db-password" true
	// app.name -> "" false
}
