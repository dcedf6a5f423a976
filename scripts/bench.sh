#!/usr/bin/env bash
# Builds cascade-bench in release mode and runs it pinned to one core. See Benchmarks/README.md.
#
#   scripts/bench.sh                          # human table
#   scripts/bench.sh --json                   # the JSON object of ../shared/bench/README.md
#   scripts/bench.sh --check                  # JSON, then compare the check arrays with node
#   BENCH_CPU=0 scripts/bench.sh --seconds 3  # another core, longer runs
#
# Other arguments are passed to cascade-bench; --workload defaults to ../shared/bench/formulas.json
# (relative to the package root).
set -euo pipefail
cd "$(dirname "$0")/.."

workload=../shared/bench/formulas.json
check=0
args=()
while (($#)); do
    case "$1" in
        --check) check=1 ;;
        --workload) workload="$2"; shift ;;
        *) args+=("$1") ;;
    esac
    shift
done

swift build -c release --scratch-path .build-release --product cascade-bench >&2
bin="$(swift build -c release --scratch-path .build-release --show-bin-path)/cascade-bench"

pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c "${BENCH_CPU:-1}" true 2>/dev/null; then
    pin=(taskset -c "${BENCH_CPU:-1}")
fi

if ((check)); then
    out="$(mktemp)"
    trap 'rm -f "$out"' EXIT
    "${pin[@]}" "$bin" --workload "$workload" --json "${args[@]}" | tee "$out"
    node scripts/bench-check.js "$workload" "$out"
else
    exec "${pin[@]}" "$bin" --workload "$workload" "${args[@]}"
fi
