package files_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/files"
)

// A directory of secret files as a key-value source: each field is read
// from the file its env key names, here in the lower-case dashed form that
// Kubernetes Secret keys usually have. The temporary directory stands in
// for /var/run/secrets/app.
func Example() {
	dir, err := os.MkdirTemp("", "secrets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "openai-api-key"), []byte("sk-example"), 0o600); err != nil {
		log.Fatal(err)
	}

	type Config struct {
		OpenAIKey driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
		Model     string           `env:"MODEL_NAME" default:"gpt-4-turbo"`
	}
	p := files.New()
	defer p.Close()
	cfg, err := driftless.LoadAs[Config](context.Background(),
		driftless.WithEnv(nil), // an empty environment, for the example
		driftless.WithProvider("file", p),
		driftless.WithKeySource(files.Dir(dir, files.WithDashedNames())),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.OpenAIKey, len(cfg.OpenAIKey.Value()), cfg.Model)
	// Output: [REDACTED] 10 gpt-4-turbo
}

// A Handle watches the files its config reads: a new file renamed over
// the old one (as Docker, editors and the kubelet's ..data swap do)
// reaches Current and the change hooks at once.
func Example_watch() {
	dir, err := os.MkdirTemp("", "secrets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	write := func(value string) {
		tmp := filepath.Join(dir, ".api_key.tmp")
		if err := os.WriteFile(tmp, []byte(value), 0o600); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "api_key")); err != nil {
			log.Fatal(err)
		}
	}
	write("key-1")

	type Config struct {
		APIKey driftless.Secret `env:"API_KEY" required:"true"`
	}
	ctx := context.Background()
	p := files.New()
	defer p.Close()
	h, err := driftless.NewHandle[Config](ctx,
		driftless.WithEnv(nil),
		driftless.WithProvider("file", p),
		driftless.WithKeySource(files.Dir(dir, files.WithLowerNames())),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	changed := make(chan []string, 1)
	h.OnChange(func(c driftless.Change[Config]) { changed <- c.Paths })
	if err := h.Start(ctx); err != nil {
		log.Fatal(err)
	}

	write("key-2")
	select {
	case paths := <-changed:
		fmt.Println("changed:", paths)
	case <-time.After(time.Minute):
		fmt.Println("no change seen")
	}
	fmt.Println("current key is the new one:", h.Current().APIKey.Value() == "key-2")
	// Output:
	// changed: [APIKey]
	// current key is the new one: true
}

// Dir maps config keys to files; mapping options pick the naming scheme.
func ExampleDir() {
	for _, src := range []*files.Source{
		files.Dir("/run/secrets"),
		files.Dir("/run/secrets", files.WithLowerNames()),
		files.Dir("/var/run/secrets/app", files.WithDashedNames()),
		files.Dir("/var/run/secrets/app", files.WithNames(map[string]string{"DB_PASSWORD": "database/password"})),
	} {
		ref, ok := src.RefFor("DB_PASSWORD")
		fmt.Println(ref, ok)
	}
	// Output:
	// file:///run/secrets/DB_PASSWORD true
	// file:///run/secrets/db_password true
	// file:///var/run/secrets/app/db-password true
	// file:///var/run/secrets/app/database/password true
}

// Fetch reads one file; the version is a keyed hash of its content, the
// same for the same bytes within this process.
func ExampleProvider_Fetch() {
	dir, err := os.MkdirTemp("", "secrets")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "db_password")
	if err := os.WriteFile(path, []byte("s3cr3t\n"), 0o600); err != nil {
		log.Fatal(err)
	}
	p := files.New(files.WithTrimNewline())
	defer p.Close()
	v, err := p.Fetch(context.Background(), driver.Ref{Scheme: files.Scheme, Name: path})
	if err != nil {
		log.Fatal(err)
	}
	again, err := p.Fetch(context.Background(), driver.Ref{Scheme: files.Scheme, Name: path})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(v.Data), len(v.Version), v.Version == again.Version)

	_, err = p.Fetch(context.Background(), driver.Ref{Scheme: files.Scheme, Name: filepath.Join(dir, "missing")})
	fmt.Println(errors.Is(err, driver.ErrNotFound))
	// Output:
	// 6 16 true
	// true
}
