#!/usr/bin/env bash
# Builds cascade-engine-bench in release mode, generates + imports the synthetic world once
# (kept in the --store file), then measures on one core. See Benchmarks/README.md.
#
#   scripts/engine-bench.sh --entities 100000                # human table
#   scripts/engine-bench.sh --entities 1000000 --json        # JSON
#   ENGINE_BENCH_CPU=0 scripts/engine-bench.sh --entities 20000 --store /tmp/w20k.sqlite
#
# Other arguments go to `cascade-engine-bench all` (see --help). The store defaults to
# /tmp/cascade-engine-bench-<N>.sqlite; delete it and its .bench.json to regenerate.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${ENGINE_BENCH_SCRATCH:-.build-enginebench}"
swift build -c release --scratch-path "$scratch" --product cascade-engine-bench >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/cascade-engine-bench"

# Generation and import are single-threaded too, but need not be pinned.
"$bin" generate "$@" >&2

pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c "${ENGINE_BENCH_CPU:-1}" true 2>/dev/null; then
    pin=(taskset -c "${ENGINE_BENCH_CPU:-1}")
fi
exec "${pin[@]}" "$bin" run "$@"
