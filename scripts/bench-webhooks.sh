#!/usr/bin/env bash
# What the webhook outbox costs: PUT details throughput with no endpoint
# subscribed vs one (a local receiver, subscribed to data-updated), runs
# alternated to even out a shared machine's noise, and the delivery lag
# (change to receipt) p50/p99 under that load, and the CPU each PUT costs
# (PostgreSQL's and verity's, from /proc/*/stat, counted until every event is
# delivered): on a shared machine the steadier figure — and, of
# PostgreSQL's, what the webhook worker's own connection used (its rounds:
# claims and outcomes), and the WAL written per PUT (the same span: the
# writes, their events, the rounds). Prints figures; asserts nothing.
#
# Knobs: BENCH_CUSTOMERS (20000), BENCH_CLIENTS (16), BENCH_DURATION (10s),
# BENCH_ROUNDS (2), BENCH_PORT (18090), BENCH_KEEP=1 (keep the work directory),
# BENCH_SEED_DIR (a seeded data directory to start from, copied, so rounds of
# runs compare the same data; seeded there first when missing),
# BENCH_SERVE_ENV (more VAR=value settings for verity serve, e.g. WEBHOOK_WORKER=off),
# BENCH_VERITY (a verity binary to measure instead of this tree's, e.g. the
# previous release's, for a before/after on the same data back to back).
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
verity=${BENCH_VERITY:-bin/verity}
if [ "$(id -u)" = 0 ]; then chown postgres "$work" 2>/dev/null || chmod 777 "$work"; fi
chmod a+r "$log" 2>/dev/null || true

# The receiver listens on loopback, which only WEBHOOK_ALLOW_PRIVATE permits.
export DATA_DIR="$work/data" LOG_LEVEL=warn VERITY_ENV=development WEBHOOK_ALLOW_PRIVATE=true
unset DATABASE_URL
echo "bench-webhooks: $(nproc) CPUs, $(go env GOVERSION); $CUSTOMERS customers"
seed_dir=${BENCH_SEED_DIR:-}
if [ -n "$seed_dir" ] && [ -d "$seed_dir" ]; then
	cp -a "$seed_dir" "$DATA_DIR"
else
	"$verity" seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1
	if [ -n "$seed_dir" ]; then
		cp -a "$DATA_DIR" "$seed_dir"
	fi
fi
officer_key=$("$verity" apikey create --name bench-officer --role officer 2>>"$log")
admin_key=$("$verity" apikey create --name bench-admin --role admin 2>>"$log")

# shellcheck disable=SC2086 # BENCH_SERVE_ENV is a list of settings
env ${BENCH_SERVE_ENV:-} ADDR="127.0.0.1:$PORT" "$verity" serve >>"$log" 2>&1 &
server_pid=$!
. scripts/wait-ready.sh
wait_ready bench-webhooks "$PORT" "$server_pid" || exit 1

# ticks prints the CPU ticks used so far by PostgreSQL (the postmaster, its
# live children and the children it has reaped) plus verity serve.
. scripts/cpu-ticks.sh
ticks() { cpu_ticks "$DATA_DIR" "$server_pid"; }

load() {
	bin/verity-load -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
		-clients "$CLIENTS" -duration "$DURATION" -only "PUT details" "$@"
}
# worker prints the pid of the webhook worker's own PostgreSQL connection
# and the CPU ticks it has used (nothing when there is none, or no psql).
worker() {
	local pid
	pid=$(psql -h "$DATA_DIR/pg" -U postgres -d verity -XAtc \
		"SELECT pid FROM pg_stat_activity WHERE application_name = 'verity webhook worker'" 2>/dev/null | head -n 1) || true
	[ -n "$pid" ] && awk -v p="$pid" '{ print p, $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true
}
# wal prints the bytes of WAL PostgreSQL has written so far (nothing
# without psql).
wal() {
	psql -h "$DATA_DIR/pg" -U postgres -d verity -XAtc "SELECT pg_current_wal_lsn() - '0/0'" 2>/dev/null || true
}
# phase runs one load (its arguments go to verity-load) and prints its
# output, then "cpu: <PostgreSQL µs> <verity µs> <verity-load µs> per
# request" — verity-load's CPU (bash's `times` of the command substitution,
# whose only child it is) covers the load generator and, with -webhook, the
# receiver, which in a deployment runs on the subscriber's machines — and,
# of PostgreSQL's, what the webhook worker's own connection used (its rounds).
phase() {
	local out db0 sv0 db1 sv1 n lg w0 w1 wk="" l0 l1 wb=""
	w0=$(worker)
	l0=$(wal)
	read -r db0 sv0 <<<"$(ticks)"
	out=$(load "$@"; times)
	read -r db1 sv1 <<<"$(ticks)"
	w1=$(worker)
	l1=$(wal)
	n=$(echo "$out" | awk '/^PUT details/ { print $3 }')
	lg=$(echo "$out" | tail -n 1 | awk -v n="$n" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%.0f", (n > 0 ? t * 1e6 / n : 0) }')
	if [ -n "$w0" ] && [ "${w0%% *}" = "${w1%% *}" ]; then
		wk="; the webhook worker's rounds $(per_req "${w0##* }" "${w1##* }" "$n") µs of PostgreSQL's"
	fi
	if [ -n "$l0" ] && [ -n "$l1" ] && [ "$n" -gt 0 ]; then
		wb="; WAL $(awk -v a="$l0" -v b="$l1" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / n }') bytes per PUT"
	fi
	echo "$out" | head -n -2
	echo "cpu: $(per_req "$db0" "$db1" "$n") $(per_req "$sv0" "$sv1" "$n") $lg µs per PUT (PostgreSQL, verity, verity-load)$wk$wb"
}
none=() one=() cnone=() cone=() lnone=() lone=()
for round in $(seq 1 "$ROUNDS"); do
	out=$(phase -tag "r$round-none ")
	echo "$out" | sed "s/^/round $round, no endpoint:  /"
	none+=("$(echo "$out" | awk '/^PUT details/ { print $4 }')")
	cnone+=("$(echo "$out" | awk '/^cpu:/ { print $2 + $3 }')")
	lnone+=("$(echo "$out" | awk '/^cpu:/ { print $4 }')")
	out=$(phase -webhook -tag "r$round-one ")
	echo "$out" | sed "s/^/round $round, one endpoint: /"
	one+=("$(echo "$out" | awk '/^PUT details/ { print $4 }')")
	cone+=("$(echo "$out" | awk '/^cpu:/ { print $2 + $3 }')")
	lone+=("$(echo "$out" | awk '/^cpu:/ { print $4 }')")
done
# What the figures cover: with WEBHOOK_WORKER=off the measured process only
# writes the events (the outbox); otherwise it also delivers them, beside the
# receiver, on the same CPUs.
what="the outbox and its delivery"
case " ${BENCH_SERVE_ENV:-} " in *" WEBHOOK_WORKER=off "*) what="the outbox alone (delivery off)" ;; esac
awk -v a="${cnone[*]}" -v b="${cone[*]}" -v what="$what" 'BEGIN {
	n = split(a, x, " "); split(b, y, " ");
	for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
	printf "bench-webhooks: CPU per PUT (PostgreSQL + verity) %.0f µs with no endpoint, %.0f µs with one: %s add %.1f%%\n",
		sx / n, sy / n, what, 100 * (sy - sx) / sx }'
awk -v a="${lnone[*]}" -v b="${lone[*]}" 'BEGIN {
	n = split(a, x, " "); split(b, y, " ");
	for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
	printf "bench-webhooks: CPU per PUT of verity-load (load generator, and with an endpoint its receiver) %.0f µs with no endpoint, %.0f µs with one\n", sx / n, sy / n }'
awk -v a="${none[*]}" -v b="${one[*]}" -v what="$what" 'BEGIN {
	n = split(a, x, " "); split(b, y, " ");
	for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] }
	printf "bench-webhooks: PUT details %.0f req/s with no endpoint, %.0f req/s with one (mean of %d rounds): %s cost %.1f%% of the throughput\n",
		sx / n, sy / n, n, what, 100 * (sx - sy) / sx }'
