#!/usr/bin/env bash
# make bench: load 100,000 customers into a throwaway database, start
# `verity serve` on it and drive the API with verity-load (16 clients).
# Prints requests/s, p50 and p99 per endpoint and the server's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-100000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18080}

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench.XXXXXX")
mkdir -p bin
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load

# The embedded PostgreSQL runs as an unprivileged user when we are root, so
# the data directory must be theirs to write.
if [ "$(id -u)" = 0 ]; then chown postgres "$work" 2>/dev/null || chmod 777 "$work"; fi

export DATA_DIR="$work/data" LOG_LEVEL=warn VERITY_ENV=development
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "bench: seeding $CUSTOMERS customers"
start=$(date +%s.%N)
bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 | tail -n 3
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "bench: seeded in %.1f s\n", e - s }'

officer_key=$(bin/verity apikey create --name bench-officer --role officer)
admin_key=$(bin/verity apikey create --name bench-admin --role admin)

ADDR="127.0.0.1:$PORT" bin/verity serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

# The server process (not PostgreSQL, which is its child) is what RSS measures.
bin/verity-load -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
	-clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" ${BENCH_ONLY:+-only "$BENCH_ONLY"}
