package examples_test

import (
	"context"
	"testing"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/files"
)

// TestREADMESnippetsCompile keeps the README's option snippets honest: they
// must type-check against the real API.
func TestREADMESnippetsCompile(t *testing.T) {
	type Config struct {
		Key driftless.Secret `env:"OPENAI_API_KEY"`
	}
	_ = func(ctx context.Context) error {
		awsSM, err := awssm.NewFromConfig(ctx)
		if err != nil {
			return err
		}
		fp := files.New()
		defer fp.Close()
		var cfg Config
		if err := driftless.Load(ctx, &cfg,
			driftless.WithEnvFiles(".env"),
			driftless.WithProvider("awssm", awsSM),
			driftless.WithSource(awssm.Prefix("prod/inference-engine/")),
		); err != nil {
			return err
		}
		h, err := driftless.NewHandle[Config](ctx,
			driftless.WithProvider("file", fp),
			driftless.WithSource(files.Dir("/var/run/secrets/app")))
		if err != nil {
			return err
		}
		defer h.Close()
		h.OnChange(func(c driftless.Change[Config]) { _ = c.Changed("Key") })
		h.OnError(func(error) {})
		return h.Start(ctx)
	}
}
