package gcpsm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/gcpsm"
	"github.com/driftless/driftless/providers/gcpsm/gcpsmtest"
)

// A provider built with NewFromDefault reads a gcpsm:// reference. Here it
// talks to a gcpsmtest server; in production, drop WithEndpoint and it uses
// Application Default Credentials.
func Example() {
	ctx := context.Background()
	srv, err := gcpsmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Put(ctx, "projects/my-project/secrets/db", []byte(`{"user":"app","password":"hunter2"}`))

	p, err := gcpsm.NewFromDefault(ctx, gcpsm.WithEndpoint(srv.Addr()))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	ref, err := driver.ParseRef("gcpsm://my-project/db#user")
	if err != nil {
		log.Fatal(err)
	}
	v, err := p.Fetch(ctx, ref.Secret())
	if err != nil {
		log.Fatal(err)
	}
	user, err := driver.Select(v.Data, ref.Key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("version %s, user %s\n", v.Version, user)
	// Output: version 1, user app
}

// New takes the official client the service configured; latest resolves to
// a version number, and FetchPrevious reads the version before it, for the
// window in which both the old and the new key are valid.
func ExampleProvider_FetchPrevious() {
	ctx := context.Background()
	srv, err := gcpsmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(ctx) // *secretmanager.Client
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	p := gcpsm.New(client)

	ref := driver.Ref{Scheme: gcpsm.Scheme, Name: "projects/test-project/secrets/api-key"}
	_ = srv.Put(ctx, "api-key", []byte("key-A"))
	_ = srv.Put(ctx, "api-key", []byte("key-B")) // rotated

	cur, err := p.Fetch(ctx, ref)
	if err != nil {
		log.Fatal(err)
	}
	prev, err := p.FetchPrevious(ctx, ref)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("current v%s %s, previous v%s %s\n", cur.Version, cur.Data, prev.Version, prev.Data)
	// Output: current v2 key-B, previous v1 key-A
}

// WithRegion serves regional secrets: short references name secrets of
// the region, and NewFromDefault connects to the regional endpoint (here
// WithEndpoint overrides it).
func ExampleWithRegion() {
	ctx := context.Background()
	srv, err := gcpsmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	_ = srv.Put(ctx, "projects/my-project/locations/europe-west1/secrets/token", []byte("eu-token"))

	p, err := gcpsm.NewFromDefault(ctx, gcpsm.WithRegion("europe-west1"), gcpsm.WithEndpoint(srv.Addr()))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	v, err := p.Fetch(ctx, driver.Ref{Scheme: gcpsm.Scheme, Name: "my-project/token"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(v.Data))
	// Output: eu-token
}

// Keys maps config keys to secrets, so that the chain finds them without
// references.
func ExampleKeys() {
	src := gcpsm.Keys("my-project", map[string]string{
		"OPENAI_API_KEY": "openai-key",
		"DB_PASSWORD":    "db#password",
	})
	for _, key := range []string{"OPENAI_API_KEY", "DB_PASSWORD", "HOME"} {
		if ref, ok := src.RefFor(key); ok {
			fmt.Println(key, "->", ref)
		} else {
			fmt.Println(key, "-> no mapping: the next source")
		}
	}
	// Output:
	// OPENAI_API_KEY -> gcpsm://my-project/openai-key
	// DB_PASSWORD -> gcpsm://my-project/db#password
	// HOME -> no mapping: the next source
}

// Prefix maps every config key to a secret named after it.
func ExamplePrefix() {
	src := gcpsm.Prefix("my-project", "myapp-")
	ref, ok := src.RefFor("OPENAI_API_KEY")
	fmt.Println(ok, ref)
	// Output: true gcpsm://my-project/myapp-OPENAI_API_KEY
}
