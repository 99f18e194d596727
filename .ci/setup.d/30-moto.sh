#!/usr/bin/env bash
# moto: the AWS emulator the awssm tests run the conformance suite against
# (python3 -m moto.server). Idempotent: does nothing when moto is importable.
# Where it cannot be installed the moto tests skip with a message saying so;
# the awssmtest-based tests still run.
set -uo pipefail

have_moto() { python3 -c 'import moto.server, flask, flask_cors' >/dev/null 2>&1; }

if ! command -v python3 >/dev/null 2>&1; then
	echo "moto: python3 not found; trying Debian's python3"
	apt-get install -y -q python3 python3-pip >/dev/null 2>&1 || true
fi
if have_moto; then
	echo "moto: $(python3 -c 'import moto; print(moto.__version__)') present"
	exit 0
fi
echo "moto: not importable; trying pip install 'moto[server]'"
if timeout 300 python3 -m pip install -q 'moto[server]' 2>&1 | tail -3 && have_moto; then
	echo "moto: $(python3 -c 'import moto; print(moto.__version__)') installed"
	exit 0
fi
# Debian has no python3-moto package; nothing else to try.
echo "moto: WARNING: could not install moto (PyPI unreachable?); the moto tests of providers/awssm will skip" >&2
exit 0
