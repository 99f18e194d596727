#!/usr/bin/env bash
# Runs the side-by-side benchmarks of bench/ and writes ../BENCHMARKS.md and
# plots/*.svg (medians of COUNT runs, ratios to driftless from the same run).
# Called by `make bench`; about 15 minutes on 2 cores.
#
# QUICK=1 is a smoke run (one run of each benchmark, fewer points on each
# curve, no binary sizes, about 3 minutes) written to out/ so that the
# committed figures stay as they are.
set -euo pipefail
cd "$(dirname "$0")"

QUICK=${QUICK:-0}
COUNT=${COUNT:-5}
CURVE_COUNT=${CURVE_COUNT:-3}
FLEET_RUNS=${FLEET_RUNS:-1} # the fleet simulation runs in fake time; its spread is the jitter's
out=../BENCHMARKS.md
plots=plots
plotref=bench/plots/
quick=
if [ "$QUICK" = 1 ]; then
	COUNT=1 CURVE_COUNT=1 FLEET_RUNS=1 quick=-quick
	out=out/BENCHMARKS.md plots=out/plots plotref=plots/
fi
mkdir -p out
raw=out/raw.txt
: >"$raw"

echo "== correctness checks"
go test -count=1 ./...

bench() {
	local count=$1
	shift
	echo "== go test -run '^\$' -benchmem -count=$count $*"
	go test -run '^$' -benchmem -count="$count" "$@" . | tee -a "$raw"
}
if [ "$QUICK" = 1 ]; then
	bench 1 -bench '^BenchmarkDecode50$' -benchtime=0.1s
	bench 1 -bench '^BenchmarkDotenv$' -benchtime=0.1s
	bench 1 -bench '^BenchmarkColdStart$' -benchtime=2x
	bench 1 -bench '^BenchmarkHotRead$' -benchtime=0.1s
	bench 1 -bench '^BenchmarkReadDuringRefresh$' -benchtime=1x
	bench 1 -bench '^BenchmarkHeldHeap$' -benchtime=5x
	bench 1 -bench '^BenchmarkLoadCurve$' -benchtime=0.05s
	bench 1 -bench '^BenchmarkColdStartCurve$' -benchtime=1x -quick
	bench 1 -bench '^BenchmarkHeldHeapCurve$' -benchtime=3x
else
	bench "$COUNT" -bench '^BenchmarkDecode50$' -benchtime=0.5s
	bench "$COUNT" -bench '^BenchmarkDotenv$' -benchtime=0.5s
	bench "$COUNT" -bench '^BenchmarkColdStart$' -benchtime=5x
	bench "$COUNT" -bench '^BenchmarkHotRead$' -benchtime=0.3s
	bench "$COUNT" -bench '^BenchmarkReadDuringRefresh$' -benchtime=2x
	bench "$COUNT" -bench '^BenchmarkHeldHeap$' -benchtime=20x
	bench "$CURVE_COUNT" -bench '^BenchmarkLoadCurve$' -benchtime=0.3s
	bench "$CURVE_COUNT" -bench '^BenchmarkColdStartCurve$' -benchtime=2x
	bench "$CURVE_COUNT" -bench '^BenchmarkHeldHeapCurve$' -benchtime=10x
fi

if [ "$QUICK" = 1 ]; then
	bench 1 -bench '^BenchmarkYAMLLayered$' -benchtime=0.1s
	bench 1 -bench '^BenchmarkPrefix$' -benchtime=0.1s
else
	bench "$COUNT" -bench '^BenchmarkYAMLLayered$' -benchtime=0.5s
	bench "$COUNT" -bench '^BenchmarkPrefix$' -benchtime=0.5s
fi

echo "== .env parsing: heap allocated per input byte (16 MiB of K=v lines)"
(cd .. && go test -run '^$' -bench '^BenchmarkParseHeapPerInputByte$' -benchtime=3x -count="$CURVE_COUNT" ./envfile) |
	grep '^Benchmark' | tee -a "$raw"

echo "== fully cold boots: credentials fetched too (each provider's module, 20 ms per request)"
for m in awssm gcpsm azkv vault; do
	# The Vault benchmark needs the Vault binary (.ci/setup.d); without it, it skips.
	(cd "../providers/$m" && go test -run '^$' -bench '^BenchmarkColdBoot' -benchtime=5x -count="$CURVE_COUNT" .) |
		grep '^Benchmark' | tee -a "$raw" || true
done

echo "== refresh cost of one process (one hour of fake time)"
go test -count=1 -v -run '^TestRefreshTraffic$' -refresh="$CURVE_COUNT" . | grep '^RESULT' | tee -a "$raw"

echo "== fleet simulation (20 minutes of fake time per fleet size)"
go test -count=1 -v -run '^TestFleetRefresh$' -fleet="$FLEET_RUNS" $quick . | grep '^RESULT' | tee -a "$raw"

if [ "$QUICK" != 1 ]; then
	echo "== binary sizes"
	bin=$(mktemp -d)
	trap 'rm -rf "$bin"' EXIT
	for dir in sizes/*/; do
		name=$(basename "$dir")
		[ -f "$dir/main.go" ] || continue
		case $name in
		stdlib) imports="standard library only" ;;
		root) imports="driftless" ;;
		*) imports="driftless+providers/$name" ;;
		esac
		(cd sizes && go build -tags sizes -o "$bin/$name" "./$name" && go build -tags sizes -ldflags='-s -w' -o "$bin/$name-s" "./$name")
		echo "RESULT size name=$name imports=${imports// /_} bytes=$(stat -c %s "$bin/$name") stripped=$(stat -c %s "$bin/$name-s")" | tee -a "$raw"
	done
fi

go run ./cmd/report -in "$raw" -out "$out" -plots "$plots" -plotref "$plotref" -count "$COUNT" \
	-command "make bench   # = cd bench && COUNT=$COUNT CURVE_COUNT=$CURVE_COUNT FLEET_RUNS=$FLEET_RUNS QUICK=$QUICK ./run.sh" -go "$(go version)"
echo "wrote $(cd "$(dirname "$out")" && pwd)/$(basename "$out") and $plots/*.svg"
