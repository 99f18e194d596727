#!/usr/bin/env bash
# Runs the side-by-side benchmarks of bench/ and writes ../BENCHMARKS.md
# (medians of COUNT runs, ratios to driftless from the same run).
# Called by `make bench`; about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-5}
mkdir -p out
raw=out/raw.txt
: >"$raw"

echo "== correctness checks"
go test -count=1 ./...

bench() {
	echo "== go test -run '^\$' -benchmem -count=$COUNT $*"
	go test -run '^$' -benchmem -count="$COUNT" "$@" . | tee -a "$raw"
}
bench -bench '^BenchmarkDecode50$' -benchtime=0.5s
bench -bench '^BenchmarkDotenv$' -benchtime=0.5s
bench -bench '^BenchmarkColdStart$' -benchtime=5x
bench -bench '^BenchmarkHotRead$' -benchtime=0.3s
bench -bench '^BenchmarkReadDuringRefresh$' -benchtime=2x
bench -bench '^BenchmarkHeldHeap$' -benchtime=20x

echo "== fleet simulation (3 runs of one hour of fake time)"
go test -count=1 -v -run '^TestFleetRefresh$' -fleet=3 . | grep '^RESULT' | tee -a "$raw"

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

go run ./cmd/report -in "$raw" -out ../BENCHMARKS.md -count "$COUNT" \
	-command "make bench   # = cd bench && COUNT=$COUNT ./run.sh" -go "$(go version)"
echo "wrote $(cd .. && pwd)/BENCHMARKS.md"
