//go:build sizes

// Command stdlib is the baseline hello-world of the binary-size comparison
// in BENCHMARKS.md: the standard library only.
package main

import (
	"fmt"
	"os"
)

func main() {
	greeting := os.Getenv("GREETING")
	if greeting == "" {
		greeting = "hello, world"
	}
	fmt.Println(greeting)
}
