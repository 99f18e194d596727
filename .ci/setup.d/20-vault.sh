#!/usr/bin/env bash
# Builds the Vault server that providers/vault's tests start (vault server -dev on
# 127.0.0.1). It comes from the Go module proxy through the tool line of the
# internal/vaultserver module, which holds nothing else so that no other requirement can
# move Vault's sdk/api versions. The binary (~500 MB) is cached outside the repository:
# only the first run on a machine pays for it (about 4 GB of modules, 11-35 minutes on
# 2 cores). A no-op when the binary is present. Keep the version below in step with
# internal/vaultserver/go.mod and providers/vault's test helper.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${DRIFTLESS_VAULT_BIN:-$HOME/.cache/driftless/vault-v1.21.0/vault}"
if [ -x "$bin" ]; then
	echo "vault: $bin is present"
	exit 0
fi
mkdir -p "$(dirname "$bin")"
start=$(date +%s)
echo "vault: building $bin from internal/vaultserver (first run on this machine: slow)"
(cd internal/vaultserver && GOWORK=off go build -o "$bin.tmp" github.com/hashicorp/vault)
mv "$bin.tmp" "$bin"
echo "vault: built in $(($(date +%s) - start))s: $("$bin" version)"
