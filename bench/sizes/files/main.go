//go:build sizes

// Command files is the hello-world of the binary-size comparison in
// BENCHMARKS.md that imports the root module and the files provider.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/files"
)

func main() {
	var cfg struct {
		Greeting string `env:"GREETING" default:"hello, world"`
	}
	if err := driftless.Load(context.Background(), &cfg, driftless.WithProvider("file", files.New())); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(cfg.Greeting)
}
