//go:build sizes

// Command vault is the hello-world of the binary-size comparison in
// BENCHMARKS.md that imports the root module and the vault provider, built
// with its default client (only when an argument asks for it, so that the
// program runs anywhere; the linker keeps the code either way).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/vault"
)

func main() {
	ctx := context.Background()
	var opts []driftless.Option
	if len(os.Args) > 1 {
		p, err := vault.NewFromEnvironment()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		opts = append(opts, driftless.WithProvider("vault", p))
	}
	var cfg struct {
		Greeting string `env:"GREETING" default:"hello, world"`
	}
	if err := driftless.Load(ctx, &cfg, opts...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(cfg.Greeting)
}
