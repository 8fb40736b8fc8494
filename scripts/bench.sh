#!/usr/bin/env bash
# make bench: load 100,000 customers into a throwaway database, start
# `verity serve` on it and drive the API with verity-load (16 clients).
# Prints the seed time, requests/s, p50 and p99 per endpoint and the server's
# peak RSS. Everything the seed, the server and the private PostgreSQL log
# goes to a log file, shown only when something fails.
#
# Knobs: BENCH_CUSTOMERS (100000), BENCH_CLIENTS (16), BENCH_DURATION (10s),
# BENCH_PORT (18080), BENCH_ONLY (scenario name parts, comma-separated), BENCH_IMPORT=1 (also
# time `verity import` of the same number of generated JSON lines into a
# fresh database), BENCH_KEEP=1 (keep the work directory), BENCH_DATA_DIR (a
# data directory to seed once and reuse: later runs skip the seed; the PUT
# scenarios change its customers, so copy a pristine one for A/B runs).
# Each scenario also prints its CPU time per request: the verity process'
# and PostgreSQL's (the postmaster and its backends, from /proc/*/stat), the
# steadier figure on a shared machine; and verity-load's own (the load
# generator shares the cores; its figure covers the timed run alone).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-100000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18080}

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench.XXXXXX")
data=${BENCH_DATA_DIR:-$work/data}
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

mkdir -p bin "$data"
data=$(cd "$data" && pwd)
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load

# The embedded PostgreSQL runs as an unprivileged user when we are root, so
# the data directory must be theirs to write.
if [ "$(id -u)" = 0 ]; then
	chown postgres "$work" "$data" 2>/dev/null || chmod 777 "$work" "$data"
fi
chmod a+r "$log" 2>/dev/null || true

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
# The private development database: the only one `seed --demo` writes demo staff into.
unset DATABASE_URL

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
echo "bench: $(nproc) CPUs${cpu:+ ($cpu)}, ${mem:-? GB} RAM, $(go env GOVERSION)"

if curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
	echo "bench: something already answers on 127.0.0.1:$PORT; choose another BENCH_PORT" >&2
	exit 1
fi
if [ -f "$data/.seeded-$CUSTOMERS" ]; then
	echo "bench: reusing the $CUSTOMERS customers seeded in $data"
else
	echo "bench: seeding $CUSTOMERS customers"
	start=$(now)
	if ! bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1; then
		echo "bench: verity seed failed" >&2
		exit 1
	fi
	echo "bench: seeded $CUSTOMERS customers in $(since "$start") s ($(grep -m1 '^seeded ' "$log" || echo 'no summary'))"
	if [ -n "${BENCH_DATA_DIR:-}" ]; then touch "$data/.seeded-$CUSTOMERS"; fi
fi

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

# CPU ticks used so far, as "db verity": PostgreSQL's (the postmaster, its
# live children and the children it has reaped) and the verity process'.
. scripts/cpu-ticks.sh
ticks() { cpu_ticks "$data" "$server_pid"; }

# One verity-load run per scenario, so each has its own CPU figures; the
# server process (not PostgreSQL, which is its child) is what RSS measures.
first=1
for sc in "GET one" "list filtered" "search" "PUT details" "PUT associates" "PUT status"; do
	if [ -n "${BENCH_ONLY:-}" ]; then
		want=""
		IFS=, read -ra parts <<<"$BENCH_ONLY"
		for part in "${parts[@]}"; do [[ "$sc" == *"$part"* ]] && want=1; done
		[ -n "$want" ] || continue
	fi
	read -r db0 sv0 <<<"$(ticks)"
	out=$(bin/verity-load -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
		-clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" -only "$sc")
	read -r db1 sv1 <<<"$(ticks)"
	reqs=$(echo "$out" | awk -v name="$sc" 'index($0, name) == 1 { print $(NF - 4); exit }')
	if [ "$first" = 1 ]; then
		echo "$out" | sed -n 1p
		printf '%s %10s %10s %10s\n' "$(echo "$out" | sed -n 2p)" "verity µs" "PG µs" "load µs"
		first=""
	fi
	load=$(echo "$out" | awk '/^  verity-load CPU: / { print $3; exit }')
	echo "$out" | awk -v name="$sc" -v c1="$(per_req "$sv0" "$sv1" "${reqs:-0}")" -v c2="$(per_req "$db0" "$db1" "${reqs:-0}")" -v c3="${load:-?}" \
		'index($0, name) == 1 { printf "%s %10s %10s %10s\n", $0, c1, c2, c3 } /^  first error/ { print }'
	rss=$(echo "$out" | grep '^server peak RSS' || true)
done
echo "${rss:-}"

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
