#!/usr/bin/env bash
# make bench-ceiling: what PostgreSQL itself can do on this machine against
# what the API does with it. On the benchmark database (100,000 customers,
# seeded like `make bench`), pgbench (-M prepared, 16 clients) runs the
# minimal SQL of four API operations (scripts/pgbench/*.sql) on the same
# working set verity-load uses (2,000 PENDING/REJECTED customers by name, a
# disjoint slice per client), then verity-load drives the same operation
# through the API, back to back. Prints operation, pgbench tps, API req/s,
# the ratio, pgbench's own p99 and the API's, and CPU time per request (PostgreSQL's for both,
# the verity process' for the API, and each load generator's own: pgbench's
# client and verity-load), the steadier figure on a shared machine. The CPU
# ratio counts the servers alone (PostgreSQL, verity), so the load
# generators' cost, which shares the cores and so weighs on the req/s
# ratio, never hides the server's. It ends with the outbox's floor (PUT details' minimal
# SQL with and without the rows a subscribed write adds; below). Measures; asserts nothing.
#
# Knobs: BENCH_CUSTOMERS (100000), BENCH_CLIENTS (16), BENCH_DURATION (10s, each
# phase), BENCH_PORT (18082), BENCH_DATA_DIR (keep the seeded database between
# runs), BENCH_ONLY (operation name parts, comma-separated: read, details, associates, status, outbox),
# BENCH_OUTBOX_ROUNDS (2: the outbox's floor, below, alternated this many times; 0 skips it),
# BENCH_VERITY (a verity binary built earlier, for A/B runs of two builds on
# the same data; default: build ./cmd/verity), BENCH_LOAD (a verity-load binary built earlier, likewise:
# the load generator's own cost, A/B).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-100000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18082}
SET_SIZE=2000 # verity-load's working set: 20 pages of 100

# pgbench and psql from the same PostgreSQL binaries the private server uses
# (scripts/ensure-postgres.sh): PG_BIN_DIR, else Debian's newest, else npm's.
. scripts/pg-tools.sh
bindir=$(pg_tools bench-ceiling) || exit 1

secs=${DURATION%s}
case "$secs" in '' | *[!0-9]*) echo "bench-ceiling: BENCH_DURATION must be whole seconds like 10s" >&2; exit 1 ;; esac

keep=${BENCH_DATA_DIR:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-ceiling.XXXXXX")
data=${keep:-$work/data}
log="$work/bench.log"
: >"$log"
mkdir -p bin "$data"
data=$(cd "$data" && pwd) # pgbench and psql need the socket directory as an absolute path
verity=${BENCH_VERITY:-bin/verity}
[ -n "${BENCH_VERITY:-}" ] || go build -o bin/verity ./cmd/verity
load=${BENCH_LOAD:-bin/verity-load}
[ -n "${BENCH_LOAD:-}" ] || go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then
	chown postgres "$data" 2>/dev/null || chmod 777 "$data"
	chmod 755 "$work"
fi
chmod a+r "$log" 2>/dev/null || true

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
# The private development database: the only one `seed --demo` writes demo staff into.
unset DATABASE_URL
server_pid=""
psql_() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$data/pg" -p 5432 -U postgres -d verity "$@"; }
# The outbox's floor subscribes an endpoint of its own (never delivered to: the server runs without its
# worker then); this retires it and its pending deliveries, also when a run stops half-way.
outbox_url=https://bench-ceiling.invalid/hook
outbox_off="UPDATE webhook_deliveries SET state = 'cancelled' WHERE state = 'pending' AND endpoint_id IN
  (SELECT id FROM webhook_endpoints WHERE url = '$outbox_url');
UPDATE webhook_endpoints SET enabled = false, deleted_at = coalesce(deleted_at, now()) WHERE url = '$outbox_url'"
cleanup() {
	local rc=$?
	if [ -n "$server_pid" ]; then
		psql_ -c 'DROP SCHEMA IF EXISTS bench_ceiling CASCADE' -c "$outbox_off" >>"$log" 2>&1 || true
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ]; then
		echo "bench-ceiling: FAILED (exit $rc); the last lines of $log:" >&2
		tail -n 40 "$log" >&2 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-ceiling: $(nproc) CPUs, $(go env GOVERSION), $("$bindir/pgbench" --version)"
if [ ! -f "$data/.seeded-$CUSTOMERS" ]; then
	echo "bench-ceiling: seeding $CUSTOMERS customers (once per data directory)"
	start=$(date +%s)
	"$verity" seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1
	echo "bench-ceiling: seeded in $(($(date +%s) - start)) s"
	touch "$data/.seeded-$CUSTOMERS"
fi
officer_key=$("$verity" apikey create --name bench-ceiling-officer --role officer 2>>"$log")
admin_key=$("$verity" apikey create --name bench-ceiling-admin --role admin 2>>"$log")

. scripts/wait-ready.sh
# serve starts verity serve (its arguments: more VAR=value settings) and waits until it is ready.
serve() {
	env "$@" ADDR="127.0.0.1:$PORT" "$verity" serve >>"$log" 2>&1 &
	server_pid=$!
	wait_ready bench-ceiling "$PORT" "$server_pid" || { server_pid=""; exit 1; }
}
serve

# The customers verity-load works on, numbered for pgbench's clients.
per=$((SET_SIZE / CLIENTS))
psql_ -v set_size="$SET_SIZE" -f scripts/pgbench/working-set.sql >>"$log" 2>&1

# CPU ticks used so far, as "db verity": PostgreSQL's (the postmaster, its
# live children and the children it has reaped, since pgbench's backends exit
# with pgbench) and the verity process'.
. scripts/cpu-ticks.sh
ticks() { cpu_ticks "$data" "$server_pid"; }

# times_ticks turns a line of bash's `times` ("0m1.250s 0m0.310s", user and system) into clock ticks:
# the CPU of a command substitution's children, i.e. of the load generator it ran.
times_ticks() { awk -v hz="$(getconf CLK_TCK)" '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * hz }'; }

# pgbench_run prints "tps transactions p99 client-ticks" for one script (scripts/pgbench/$1.sql, or the file $2): the p99 (ms) of
# pgbench's own transactions, from its per-transaction log (-l), is what
# the same queue of clients on these CPUs costs without the API.
pgbench_run() {
	local out p99 t
	rm -f "$work"/pgbench_log.*
	out=$(PGHOST="$data/pg" PGPORT=5432 PGUSER=postgres "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$secs" \
		-l --log-prefix="$work/pgbench_log" -D per="$per" -f "${2:-scripts/pgbench/$1.sql}" verity 2>>"$log" && times) ||
		{ echo "$out" >>"$log"; echo "bench-ceiling: pgbench $1 failed" >&2; return 1; }
	echo "$out" >>"$log"
	t=$(echo "$out" | tail -n 1 | times_ticks)
	p99=$(cat "$work"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.1f", (NR ? a[i] / 1000 : 0) }')
	echo "$out" | awk -v p99="$p99" -v t="$t" '/^number of transactions actually processed:/ { split($6, a, "/"); n = a[1] }
		/^tps = / { printf "%.0f %d %s", $3, n, p99 } END { printf " %d", t }'
}
# api prints "req/s p99 errors requests load-µs" for one verity-load scenario (load-µs: verity-load's own CPU
# per request over the timed run as it prints it; from an older build that does not, bash's `times`, its
# start-up read of the working set included).
api() {
	local out t r
	out=$("$load" -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" \
		-clients "$CLIENTS" -duration "$DURATION" -only "$1" 2>>"$log" && times) || { echo "$out" >>"$log"; echo "bench-ceiling: verity-load $1 failed" >&2; return 1; }
	echo "$out" >>"$log"
	t=$(echo "$out" | tail -n 1 | times_ticks)
	# "PUT details  n  req/s  p50  p99  errors": the name is two words.
	r=$(echo "$out" | awk -v name="$1" 'index($0, name) == 1 { printf "%.0f %s %s %s", $4, $6, $7, $3; exit }')
	echo "$r $(echo "$out" | awk -v t="$t" -v n="${r##* }" -v hz="$(getconf CLK_TCK)" '/^  verity-load CPU: / { u = $3 }
		END { printf "%.0f", (u != "" ? u : (n > 0 ? t * 1e6 / hz / n : 0)) }')"
}

echo "bench-ceiling: $CLIENTS clients, $DURATION per phase, working set $SET_SIZE customers ($per per client)"
echo "bench-ceiling: CPU µs per request: PostgreSQL's and pgbench's own under pgbench, PostgreSQL's, verity's and"
echo "bench-ceiling: verity-load's under the API; CPU % (the servers alone) = pgbench's PostgreSQL CPU / (the API's"
echo "bench-ceiling: PostgreSQL + verity CPU); with clients = the same with each side's load generator added"
printf '%-16s %11s %10s %7s %8s %8s %6s | %7s %7s | %7s %7s %7s | %7s %8s\n' "operation" "pgbench tps" "API req/s" "ratio" "pgb p99" "API p99" \
	"errors" "pgb: PG" "client" "API: PG" "verity" "load" "CPU %" "+clients"
for op in "read-one:GET one" "update-details:PUT details" "replace-associates:PUT associates" "change-status:PUT status"; do
	script=${op%%:*} name=${op#*:}
	if [ -n "${BENCH_ONLY:-}" ]; then
		wanted=""
		IFS=, read -ra only <<<"$BENCH_ONLY"
		for o in "${only[@]}"; do [[ "$script" == *"$o"* ]] && wanted=1; done
		[ -n "$wanted" ] || continue
	fi
	read -r db0 _ <<<"$(ticks)"
	res=$(pgbench_run "$script") # a failed phase stops the script (set -e)
	read -r tps txs pp99 pgb_t <<<"$res"
	read -r db1 sv1 <<<"$(ticks)"
	res=$(api "$name")
	read -r rps p99 errs reqs load_us <<<"$res"
	read -r db2 sv2 <<<"$(ticks)"
	awk -v n="$name" -v t="$tps" -v r="$rps" -v q="$pp99" -v p="$p99" -v e="$errs" -v c1="$(per_req "$db0" "$db1" "$txs")" \
		-v k1="$(per_req 0 "$pgb_t" "$txs")" -v c2="$(per_req "$db1" "$db2" "$reqs")" -v c3="$(per_req "$sv1" "$sv2" "$reqs")" \
		-v k2="$load_us" \
		'BEGIN { printf "%-16s %11d %10d %6.1f%% %5.1f ms %5.1f ms %6d | %7d %7d | %7d %7d %7d | %6.1f%% %7.1f%%\n", n, t, r, (t > 0 ? 100 * r / t : 0), q, p, e,
			c1, k1, c2, c3, k2, (c2 + c3 > 0 ? 100 * c1 / (c2 + c3) : 0), (c2 + c3 + k2 > 0 ? 100 * (c1 + k1) / (c2 + c3 + k2) : 0) }'
done

# The outbox's floor (issue 10: PUT details with one endpoint subscribed against none). PostgreSQL alone runs
# PUT details' minimal SQL with what the outbox adds to the write's statement (scripts/pgbench/outbox.sql in
# place of update-details.sql's final SELECT: the event row with a real data-updated payload, its delivery
# row), its own endpoint disabled and then enabled, alternated BENCH_OUTBOX_ROUNDS times (2; 0 skips this).
# verity serve runs without its webhook worker meanwhile, so nothing is delivered: this is the write's part
# alone, what no code of ours can go below on this machine — the API's figure (make bench-webhooks) adds the
# delivery and verity's own work.
outbox_rounds=${BENCH_OUTBOX_ROUNDS:-2}
case ",${BENCH_ONLY:-outbox}," in *outbox*) ;; *) outbox_rounds=0 ;; esac
if [ "$outbox_rounds" -gt 0 ]; then
	ref=$(psql_ -At -c "SELECT reference FROM bench_ceiling.working_set WHERE k = 0")
	payload=$(curl -fsS -H "Authorization: Bearer $officer_key" "http://127.0.0.1:$PORT/platform/v1/customers/$ref")
	kill -TERM "$server_pid" && wait "$server_pid" || true
	server_pid=""
	serve WEBHOOK_WORKER=off
	psql_ -v payload="$payload" -v url="$outbox_url" >>"$log" 2>&1 <<'SQL'
CREATE TABLE bench_ceiling.outbox AS SELECT 'platform:accounts:customer:data-updated'::text AS name, :'payload'::text AS payload;
INSERT INTO webhook_endpoints (reference, url, events, enabled, secret)
VALUES (gen_random_uuid(), :'url', ARRAY['platform:accounts:customer:data-updated'], false, 'bench-ceiling');
SQL
	{ sed '$d' scripts/pgbench/update-details.sql; cat scripts/pgbench/outbox.sql; } >"$work/update-details-outbox.sql"
	toggle() { psql_ -c "UPDATE webhook_endpoints SET enabled = $1 WHERE url = '$outbox_url' AND deleted_at IS NULL" >>"$log"; }
	echo "bench-ceiling: the outbox's floor, PostgreSQL alone (update-details.sql + outbox.sql, payload ${#payload} bytes, no worker)"
	printf '%-22s %11s %10s\n' "phase" "pgbench tps" "PG µs/tx"
	sums=""
	for round in $(seq 1 "$outbox_rounds"); do
		for state in false true; do
			toggle "$state"
			read -r db0 _ <<<"$(ticks)"
			read -r tps txs _ _ <<<"$(pgbench_run update-details-outbox "$work/update-details-outbox.sql")"
			read -r db1 _ <<<"$(ticks)"
			us=$(per_req "$db0" "$db1" "$txs")
			printf '%-22s %11d %10d\n' "round $round, $([ "$state" = true ] && echo one endpoint || echo no endpoint)" "$tps" "$us"
			sums="$sums $state $tps $us"
		done
	done
	psql_ -c "$outbox_off" >>"$log"
	echo "$sums" | awk '{ for (i = 1; i <= NF; i += 3) { k = ($i == "true"); t[k] += $(i + 1); c[k] += $(i + 2); n[k]++ } }
		END { printf "bench-ceiling: the outbox'"'"'s floor: %.0f tps with no endpoint, %.0f with one: %.1f%% of PostgreSQL'"'"'s write throughput; PostgreSQL CPU per write %.0f -> %.0f µs (+%.1f%%)\n",
			t[0] / n[0], t[1] / n[1], 100 * (t[0] - t[1]) / t[0], c[0] / n[0], c[1] / n[1], 100 * (c[1] - c[0]) / c[0] }'
fi
