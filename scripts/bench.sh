#!/usr/bin/env bash
# make bench: load 100,000 customers into a throwaway database, start
# `verity serve` on it and drive the API with verity-load (16 clients).
# Prints the seed time, requests/s, p50 and p99 per endpoint and the server's
# peak RSS. Everything the seed, the server and the private PostgreSQL log
# goes to a log file, shown only when something fails.
#
# Knobs: BENCH_CUSTOMERS (100000), BENCH_CLIENTS (16), BENCH_DURATION (10s),
# BENCH_PORT (18080), BENCH_ONLY (scenario name part), BENCH_IMPORT=1 (also
# time `verity import` of the same number of generated JSON lines into a
# fresh database), BENCH_KEEP=1 (keep the work directory).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-100000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18080}

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench.XXXXXX")
log="$work/bench.log"
: >"$log"
server_pid=""

stop_server() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
cleanup() {
	local rc=$?
	stop_server
	if [ "$rc" -ne 0 ]; then
		echo "bench: FAILED (exit $rc); the last lines of $log:" >&2
		tail -n 60 "$log" >&2 || true
	fi
	if [ "${BENCH_KEEP:-}" = 1 ] || [ "$rc" -ne 0 ]; then
		echo "bench: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

mkdir -p bin
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load

# The embedded PostgreSQL runs as an unprivileged user when we are root, so
# the data directory must be theirs to write.
if [ "$(id -u)" = 0 ]; then chown postgres "$work" 2>/dev/null || chmod 777 "$work"; fi
chmod a+r "$log" 2>/dev/null || true

export DATA_DIR="$work/data" LOG_LEVEL=warn VERITY_ENV=development
# The private development database: the only one `seed --demo` writes demo staff into.
unset DATABASE_URL

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
echo "bench: $(nproc) CPUs${cpu:+ ($cpu)}, ${mem:-? GB} RAM, $(go env GOVERSION)"

if curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
	echo "bench: something already answers on 127.0.0.1:$PORT; choose another BENCH_PORT" >&2
	exit 1
fi
echo "bench: seeding $CUSTOMERS customers"
start=$(now)
if ! bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1; then
	echo "bench: verity seed failed" >&2
	exit 1
fi
echo "bench: seeded $CUSTOMERS customers in $(since "$start") s ($(grep -m1 '^seeded ' "$log" || echo 'no summary'))"

officer_key=$(bin/verity apikey create --name bench-officer --role officer 2>>"$log")
admin_key=$(bin/verity apikey create --name bench-admin --role admin 2>>"$log")

ADDR="127.0.0.1:$PORT" bin/verity serve >>"$log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 150); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		wait "$server_pid" || true
		server_pid=""
		echo "bench: verity serve exited during start-up" >&2
		exit 1
	fi
	if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then
		ready=1
		break
	fi
	sleep 0.2
done
if [ -z "$ready" ]; then
	echo "bench: verity serve was not ready on 127.0.0.1:$PORT after 30 s" >&2
	exit 1
fi
echo "bench: $(grep -m1 'private PostgreSQL' "$log" | sed 's/^verity: //' || echo 'PostgreSQL from DATABASE_URL')"

# The server process (not PostgreSQL, which is its child) is what RSS measures.
bin/verity-load -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
	-clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" ${BENCH_ONLY:+-only "$BENCH_ONLY"}

if ! kill -0 "$server_pid" 2>/dev/null; then
	echo "bench: verity serve died during the run" >&2
	exit 1
fi
stop_server

if [ "${BENCH_IMPORT:-}" = 1 ]; then
	lines="$work/customers.jsonl"
	go run ./scripts/gen-customers -n "$CUSTOMERS" -seed 43 >"$lines"
	chmod a+r "$lines"
	echo "bench: importing $CUSTOMERS customers ($(du -h "$lines" | cut -f1) of JSON lines) into an empty database"
	start=$(now)
	if ! out=$(DATA_DIR="$work/import" bin/verity import "$lines" 2>>"$log"); then
		echo "$out" >>"$log"
		echo "bench: verity import failed" >&2
		exit 1
	fi
	echo "bench: $out in $(since "$start") s"
fi
