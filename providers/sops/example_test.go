package sops_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/sops"
	"github.com/driftless/driftless/providers/sops/sopstest"
)

// A struct loaded from a SOPS-encrypted dotenv file: the file is safe to
// commit, and the age key that decrypts it is given to the provider. Here
// the key is generated and the file encrypted on the spot; in a service the
// key comes from WithAgeKeyFile or WithSOPSEnvironment(os.LookupEnv).
func Example() {
	dir, err := os.MkdirTemp("", "sops")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		log.Fatal(err)
	}
	enc, err := sopstest.Encrypt([]byte("MODEL_NAME=gpt-5\nOPENAI_API_KEY=sk-example\n"), "dotenv", id.Recipient())
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "secrets.enc.env")
	if err := os.WriteFile(path, enc, 0o600); err != nil {
		log.Fatal(err)
	}

	type Config struct {
		ModelName string           `env:"MODEL_NAME" default:"gpt-4-turbo"`
		OpenAIKey driftless.Secret `env:"OPENAI_API_KEY" required:"true"`
		Timeout   string           `env:"TIMEOUT" default:"30s"`
	}
	p, err := sops.New(sops.WithAgeIdentities(id))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	cfg, err := driftless.LoadAs[Config](context.Background(),
		driftless.WithEnv(nil), // an empty environment, for the example
		driftless.WithProvider(sops.Scheme, p),
		driftless.WithKeySource(sops.File(path)),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.ModelName, cfg.OpenAIKey, len(cfg.OpenAIKey.Value()), cfg.Timeout)
	// Output: gpt-5 [REDACTED] 10 30s
}
