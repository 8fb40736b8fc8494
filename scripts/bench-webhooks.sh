#!/usr/bin/env bash
# What the webhook outbox costs: PUT details throughput with no endpoint
# subscribed vs one (a local receiver, subscribed to data-updated), runs
# alternated to even out a shared machine's noise, and the delivery lag
# (change to receipt) p50/p99 under that load. Prints figures; asserts nothing.
#
# Knobs: BENCH_CUSTOMERS (20000), BENCH_CLIENTS (16), BENCH_DURATION (10s),
# BENCH_ROUNDS (2), BENCH_PORT (18090), BENCH_KEEP=1 (keep the work directory).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-20000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-2}
PORT=${BENCH_PORT:-18090}

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-webhooks.XXXXXX")
log="$work/bench.log"
: >"$log"
server_pid=""
cleanup() {
	local rc=$?
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ]; then
		echo "bench-webhooks: FAILED (exit $rc); the last lines of $log:" >&2
		tail -n 40 "$log" >&2 || true
	fi
	if [ "${BENCH_KEEP:-}" = 1 ] || [ "$rc" -ne 0 ]; then
		echo "bench-webhooks: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p bin
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then chown postgres "$work" 2>/dev/null || chmod 777 "$work"; fi
chmod a+r "$log" 2>/dev/null || true

# The receiver listens on loopback, which only WEBHOOK_ALLOW_PRIVATE permits.
export DATA_DIR="$work/data" LOG_LEVEL=warn VERITY_ENV=development WEBHOOK_ALLOW_PRIVATE=true
unset DATABASE_URL
echo "bench-webhooks: $(nproc) CPUs, $(go env GOVERSION); seeding $CUSTOMERS customers"
bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1
officer_key=$(bin/verity apikey create --name bench-officer --role officer 2>>"$log")
admin_key=$(bin/verity apikey create --name bench-admin --role admin 2>>"$log")

ADDR="127.0.0.1:$PORT" bin/verity serve >>"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || { echo "bench-webhooks: verity serve exited" >&2; exit 1; }
	sleep 0.2
done

load() {
	bin/verity-load -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
		-clients "$CLIENTS" -duration "$DURATION" -only "PUT details" "$@"
}
none=() one=()
for round in $(seq 1 "$ROUNDS"); do
	out=$(load)
	echo "$out" | sed "s/^/round $round, no endpoint:  /"
	none+=("$(echo "$out" | awk '/^PUT details/ { print $4 }')")
	out=$(load -webhook)
	echo "$out" | sed "s/^/round $round, one endpoint: /"
	one+=("$(echo "$out" | awk '/^PUT details/ { print $4 }')")
done
awk -v a="${none[*]}" -v b="${one[*]}" 'BEGIN {
	n = split(a, x, " "); split(b, y, " ");
	for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
	printf "bench-webhooks: PUT details %.0f req/s with no endpoint, %.0f req/s with one (mean of %d rounds): the outbox costs %.1f%%\n",
		sx / n, sy / n, n, 100 * (sx - sy) / sx }'
