#!/usr/bin/env bash
# Runs the whole test suite (the README's test command) N times in a row and stops at the first
# failure, so a change can be checked for flakiness: scripts/test-repeat.sh 10
# Each run's output is kept in a temporary directory; the summary says which runs passed.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/test-repeat.sh N   (N: a positive count of runs)" >&2; exit 2; }
logs=$(mktemp -d -t cascade-test-repeat.XXXXXX)
passed=0
for i in $(seq "$n"); do
    start=$(date +%s)
    if scripts/test.sh > "$logs/run-$i.log" 2>&1; then
        passed=$((passed + 1))
        echo "run $i/$n: passed in $(( $(date +%s) - start )) s"
    else
        echo "run $i/$n: FAILED in $(( $(date +%s) - start )) s; its output: $logs/run-$i.log" >&2
        grep -E "✘|error:|failed" "$logs/run-$i.log" | head -20 >&2
        echo "$passed passed, 1 failed"
        exit 1
    fi
done
echo "$passed passed, 0 failed"
