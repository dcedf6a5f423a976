#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: initdb in a temporary directory (as the
# `postgres` user when we are root: the server refuses to run as root), 127.0.0.1 on a free port,
# trust auth, fsync off. Exports CASCADE_TEST_POSTGRES_URL for the command and tears the server
# down on exit, whatever happens.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
    echo "with-postgres: no PostgreSQL server binaries found (apt-get install postgresql)" >&2
    exit 1
fi

as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi

dir=$(mktemp -d /tmp/cascade-pg.XXXXXX)
chmod 755 "$dir"
[[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$dir"

cleanup() {
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" --auth=trust --username=postgres -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

started=
for attempt in 1 2 3 4 5 6 7 8; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    if "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null 2>&1; then
        started=1
        break
    fi
    grep -q "already in use" "$dir/server.log" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
done
[[ -n "$started" ]] || { echo "with-postgres: no free port after 8 attempts" >&2; exit 1; }

export CASCADE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
# World snapshots of PostgreSQL stores go to a cache directory: this server's, not the user's.
export CASCADE_CACHE_DIR="$dir/cache"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') at $CASCADE_TEST_POSTGRES_URL" >&2
"$@"
