// Command driftless-vet reports secrets held or used where they can leak:
// a config field whose env key or name looks secret but whose type is a
// plain string, and a driftless.Secret's value passed to fmt, log, slog,
// errors, testing's logs or panic. The rules are documented in package
// secretcheck.
//
// Run it under go vet, over the packages of a module:
//
//	go install github.com/driftless/driftless/cmd/driftless-vet@latest
//	go vet -vettool=$(which driftless-vet) ./...
//
// or on its own: driftless-vet ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/driftless/driftless/cmd/driftless-vet/secretcheck"
)

func main() { singlechecker.Main(secretcheck.Analyzer) }
