# Every target finds the modules by their go.mod files; there is no hand-kept list.
SHELL := /bin/bash
MODULES = $(shell find . -name go.mod -not -path './.git/*' -not -path '*/testdata/*' -exec dirname {} \; | sort)
# The modules go.work ties together build in the workspace; the others (internal/release,
# internal/vaultserver: connected to no sibling) build alone, with GOWORK=off.
WORKSPACE = $(shell go work edit -json 2>/dev/null | sed -n 's/.*"DiskPath": "\(.*\)".*/\1/p')
GOFLAGS_TEST ?= -race -count=1
# The release machinery (internal/release: a module of its own, outside the workspace).
RELEASE = cd internal/release && GOWORK=off go run .

.PHONY: demo test fmt bench fuzz modules work work-check vet-secrets crossbuild rehearse apidiff tags

## demo: run the examples on built-in defaults (no cloud account, no network)
demo:
	cd examples && go run ./quickstart && echo && go run ./inference-service && echo && go run ./layered-service

## test: go vet and go test -race in every module, the secrets vet check over the examples,
## then the release checks: the CLI and the released modules build for every platform, and a
## release rehearsal through a local module proxy (go get, the quickstart, go install
## ...@version) with the API check
test: fmt work-check
	@set -e; for m in $(MODULES); do \
		gowork=off; for w in $(WORKSPACE); do if [ "$$w" = "$$m" ]; then gowork=; fi; done; \
		if [ -z "$$(cd $$m && GOWORK=$$gowork go list ./... 2>/dev/null)" ]; then echo "== $$m: no packages"; continue; fi; \
		echo "== $$m: go vet (GOWORK=$${gowork:-go.work})"; (cd $$m && GOWORK=$$gowork go vet ./...); \
		echo "== $$m: go test $(GOFLAGS_TEST)"; (cd $$m && GOWORK=$$gowork go test $(GOFLAGS_TEST) ./...); \
	done
	$(MAKE) vet-secrets crossbuild rehearse

## vet-secrets: build cmd/driftless-vet and run it under go vet over the examples: they
## must hold no secret in a plain string and print, log or wrap no secret value
vet-secrets:
	@set -e; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	(cd cmd/driftless-vet && go build -o "$$bin/driftless-vet" .); \
	echo "== examples: go vet -vettool=driftless-vet"; \
	cd examples && go vet -vettool="$$bin/driftless-vet" ./...

## work: write go.work from the go.mod files (after adding a module or a sibling requirement)
work:
	@$(RELEASE) work -root $(CURDIR)

## work-check: fail when go.work is out of date with the go.mod files
work-check:
	@$(RELEASE) work -check -root $(CURDIR)

## crossbuild: build the released modules (the CLI included) for linux, darwin and
## windows on amd64 and arm64
crossbuild:
	@$(RELEASE) crossbuild -root $(CURDIR)

## rehearse: release every released module into a local module proxy; as a user outside
## the repository, go get each, build the quickstart, go install the CLI at that version
## and run it; then check API compatibility with the last tags
rehearse:
	@$(RELEASE) rehearse -root $(CURDIR)

## apidiff: API compatibility of each released module between its last tag and the tree
apidiff:
	@$(RELEASE) apidiff -root $(CURDIR)

## tags: the git tags of the next release (one per released module)
tags:
	@$(RELEASE) tags -root $(CURDIR)

## fmt: fail if any file needs gofmt
fmt:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## modules: list the modules the other targets visit
modules:
	@printf '%s\n' $(MODULES)

## bench: side-by-side benchmarks against other libraries, with curves; writes BENCHMARKS.md
## and bench/plots/*.svg (about 15 minutes on 2 cores). QUICK=1: a smoke run (about 3
## minutes) written to bench/out/ instead
QUICK ?= 0
bench:
	cd bench && QUICK=$(QUICK) ./run.sh

## fuzz: run every fuzz target of every module for FUZZTIME each (default 20s)
FUZZTIME ?= 20s
fuzz:
	@set -e; for m in $(MODULES); do \
		gowork=off; for w in $(WORKSPACE); do if [ "$$w" = "$$m" ]; then gowork=; fi; done; \
		for pkg in $$(cd $$m && GOWORK=$$gowork go list ./... 2>/dev/null); do \
			for fz in $$(cd $$m && GOWORK=$$gowork go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
				echo "== $$pkg $$fz"; (cd $$m && GOWORK=$$gowork go test -run '^$$' -fuzz "^$$fz\$$" -fuzztime $(FUZZTIME) $$pkg); \
			done; \
		done; \
	done
