#!/usr/bin/env bash
# The HTTP load test with release builds: a throwaway PostgreSQL with the sample world, 50 author
# keys, `cascade serve` (rate limit off) and two `cascade worker` processes on loopback, then
# `cascade-load` with 50 clients for 30 s. Prints the report (requests/s, latency percentiles,
# errors, lost submissions). Options after the script name go to cascade-load (e.g. --seconds 60).
# SQLITE=1 runs against a SQLite file with the server's in-process worker instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
swift build -c release --scratch-path .build-release --product cascade >/dev/null
swift build -c release --scratch-path .build-release --product cascade-load >/dev/null
bin=.build-release/release

if [[ -z "${CASCADE_LOAD_INNER:-}" ]]; then
    if [[ -n "${SQLITE:-}" ]]; then
        export CASCADE_LOAD_INNER=1 CASCADE_LOAD_DB="$(mktemp -d /tmp/cascade-load.XXXXXX)/load.sqlite"
        exec "$0" "$@"
    fi
    export CASCADE_LOAD_INNER=1
    exec scripts/with-postgres.sh "$0" "$@"
fi

db="${CASCADE_LOAD_DB:-$CASCADE_TEST_POSTGRES_URL}"
work=$(mktemp -d /tmp/cascade-load-run.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$bin/cascade" init --sample --db "$db" >/dev/null 2>&1
for i in $(seq 0 49); do
    echo "load$i $("$bin/cascade" user add "load$i" --role author --db "$db" 2>/dev/null)"
done >"$work/keys.txt"
# Port 0: the kernel picks a free port and the server reports it on its "serving … on" line.
"$bin/cascade" serve --db "$db" --port 0 --rate-limit 0 --connections 16 2>"$work/serve.log" &
pids+=($!)
api=
for _ in $(seq 600); do
    api=$(sed -n 's|.* on \(http://[^ ]*\).*|\1|p' "$work/serve.log")
    [[ -n "$api" ]] && break
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.1
done
[[ -n "$api" ]] || { echo "load-test: the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
if [[ "$db" == postgres* ]]; then
    for i in 0 1; do
        "$bin/cascade" worker --db "$db" --name "load-worker-$i" --poll 0.02 2>"$work/worker-$i.log" &
        pids+=($!)
    done
fi
echo "load-test: $(curl -s "$api/v1/health")" >&2
"$bin/cascade-load" --url "$api" --keys "$work/keys.txt" --clients 50 --seconds 30 "$@"
