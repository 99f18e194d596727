# Every target finds the modules by their go.mod files; there is no hand-kept list.
SHELL := /bin/bash
MODULES = $(shell find . -name go.mod -not -path './.git/*' -not -path '*/testdata/*' -exec dirname {} \; | sort)
GOFLAGS_TEST ?= -race -count=1

.PHONY: demo test fmt bench fuzz modules

## demo: run the examples on built-in defaults (no cloud account, no network)
demo:
	cd examples && go run ./quickstart && echo && go run ./inference-service

## test: go vet and go test -race in every module of the repository
test: fmt
	@set -e; for m in $(MODULES); do \
		if [ -z "$$(cd $$m && go list ./... 2>/dev/null)" ]; then echo "== $$m: no packages"; continue; fi; \
		echo "== $$m: go vet"; (cd $$m && go vet ./...); \
		echo "== $$m: go test $(GOFLAGS_TEST)"; (cd $$m && go test $(GOFLAGS_TEST) ./...); \
	done

## fmt: fail if any file needs gofmt
fmt:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## modules: list the modules the other targets visit
modules:
	@printf '%s\n' $(MODULES)

## bench: side-by-side benchmarks against other libraries; writes BENCHMARKS.md
bench:
	cd bench && ./run.sh

## fuzz: run every fuzz target of every module for FUZZTIME each (default 20s)
FUZZTIME ?= 20s
fuzz:
	@set -e; for m in $(MODULES); do \
		for pkg in $$(cd $$m && go list ./... 2>/dev/null); do \
			for fz in $$(cd $$m && go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
				echo "== $$pkg $$fz"; (cd $$m && go test -run '^$$' -fuzz "^$$fz\$$" -fuzztime $(FUZZTIME) $$pkg); \
			done; \
		done; \
	done
