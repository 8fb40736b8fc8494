#!/usr/bin/env bash
# make bench-pages: the web admin's list, queues (Pending, Mine, Overdue), search and customer pages on
# a large table (default 1,000,000 customers), signed in as the demo officer.
# Prints requests/s, p50 and p99 per page. Seeding a million customers takes
# a while (see docs/performance.md); set BENCH_DATA_DIR to keep the database
# between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-1000000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18081}

keep=${BENCH_DATA_DIR:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-pages.XXXXXX")
data=${keep:-$work/data}
mkdir -p bin "$data"
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then chown postgres "$data" 2>/dev/null || chmod 777 "$data"; fi

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
# The private development database: the only one `seed --demo` writes demo staff into.
unset DATABASE_URL
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$data/.seeded-$CUSTOMERS" ]; then
	echo "bench-pages: seeding $CUSTOMERS customers (once per data directory)"
	start=$(date +%s)
	bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 >"$work/seed.log" 2>&1 || { tail -n 30 "$work/seed.log" >&2; exit 1; }
	echo "bench-pages: seeded in $(( $(date +%s) - start )) s"
	touch "$data/.seeded-$CUSTOMERS"
fi
key=$(bin/verity apikey create --name bench-pages --role officer 2>>"$work/seed.log")

ADDR="127.0.0.1:$PORT" bin/verity serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

bin/verity-load -url "http://127.0.0.1:$PORT" -key "$key" -clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" \
	-only "${BENCH_ONLY:-page}" -page-user officer@verity.test -page-password officer-demo-2026
