//go:build sizes

// Command root is the hello-world of the binary-size comparison in
// BENCHMARKS.md that imports only the root driftless module.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/driftless/driftless"
)

func main() {
	var cfg struct {
		Greeting string `env:"GREETING" default:"hello, world"`
	}
	if err := driftless.Load(context.Background(), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(cfg.Greeting)
}
