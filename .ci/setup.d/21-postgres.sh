#!/usr/bin/env bash
# Installs PostgreSQL (Debian's postgresql package) for providers/vault's lease test,
# which starts its own throwaway cluster on a free loopback port with initdb and pg_ctl
# from /usr/lib/postgresql/*/bin. A no-op when those are present.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
	echo "postgres: $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n1) is present"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
echo "postgres: installed $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n1)"
