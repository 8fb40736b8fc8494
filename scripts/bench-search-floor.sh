#!/usr/bin/env bash
# The floor of a search: what PostgreSQL alone needs for a search's minimal
# SQL, against what a search through verity costs, back to back on the same
# seeded database (BENCH_DATA_DIR, seeded by make bench or make bench-pages).
# pgbench (-M extended: each search planned for its term, as verity does; 16
# clients; verity-load's eight terms, at random) runs
#   walk    the newest-first walk that counts up to 201 matches (the "200+")
#   search  that walk and the page's rows by id, plus their associates for
#           the JSON API
#   walk to N+1, for each N in BENCH_CAPS (e.g. "100 20"): other count limits
# and verity-load then drives the same search through the API (or, with
# BENCH_PAGES=1, the HTML page). Prints tps or req/s and CPU µs per search:
# PostgreSQL's (postmaster and backends, /proc/*/stat) and verity's. On two
# cores N µs of CPU per search caps the rate at 2,000,000 / N per second.
# Measures; asserts nothing.
#
# Knobs: BENCH_DATA_DIR (required), BENCH_CLIENTS (16), BENCH_DURATION (5s),
# BENCH_PORT (18083), BENCH_PAGES (1: the HTML search page), BENCH_CAPS.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-5s}
PORT=${BENCH_PORT:-18083}
secs=${DURATION%s}
case "$secs" in '' | *[!0-9]*) echo "bench-search-floor: BENCH_DURATION must be whole seconds like 5s" >&2; exit 1 ;; esac
[ -n "${BENCH_DATA_DIR:-}" ] || { echo "bench-search-floor: set BENCH_DATA_DIR to a seeded data directory" >&2; exit 1; }
data=$(cd "$BENCH_DATA_DIR" && pwd)

. scripts/pg-tools.sh
bindir=$(pg_tools bench-search-floor) || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-search-floor.XXXXXX")
log="$work/bench.log"
server_pid=""
cleanup() {
	local rc=$?
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	[ "$rc" -eq 0 ] || tail -n 30 "$log" >&2 || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load
export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
unset DATABASE_URL
key=$(bin/verity apikey create --name bench-search-floor --role officer 2>>"$log")
ADDR="127.0.0.1:$PORT" bin/verity serve >>"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

# The minimal SQL of a search, one file per term (pgbench picks them at random):
# verity's walk (search.go) and, for the search, the page's rows by id (the
# ids read once beforehand: the benchmark changes nothing).
psql_() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$data/pg" -p 5432 -U postgres -d verity "$@"; }
walk() { # walk TERM LIMIT
	echo "SELECT id, status::text FROM customers WHERE search_text LIKE '%$1%' ORDER BY updated_at DESC, id DESC LIMIT $2;"
}
caps="200 ${BENCH_CAPS:-}"
for t in acme holdings smith garcia müller trading rossi tech; do
	for c in $caps; do walk "$t" $((c + 1)) >"$work/walk$c-$t.sql"; done
	ids=$(psql_ -c "SELECT array_agg(id) FROM (SELECT id FROM customers WHERE search_text LIKE '%$t%' ORDER BY updated_at DESC, id DESC LIMIT 21) p")
	{
		walk "$t" 201
		echo "SELECT * FROM customers WHERE id = ANY('$ids'::bigint[]) ORDER BY updated_at DESC, id DESC;"
		[ "${BENCH_PAGES:-}" = 1 ] || echo "SELECT * FROM associates WHERE customer_id = ANY('$ids'::bigint[]) ORDER BY customer_id;"
	} >"$work/search-$t.sql"
done

. scripts/cpu-ticks.sh
printf '%-28s %9s %12s %10s\n' "run (16 clients)" "per s" "PG µs" "verity µs"
pg_run() { # pg_run NAME FILE-PREFIX
	local files=() f out n d0 d1
	for f in "$work/$2"-*.sql; do files+=(-f "$f"); done
	read -r d0 _ <<<"$(cpu_ticks "$data" "$server_pid")"
	out=$(PGHOST="$data/pg" PGPORT=5432 PGUSER=postgres "$bindir/pgbench" -n -M extended -c "$CLIENTS" -j 2 -T "$secs" "${files[@]}" verity 2>>"$log")
	read -r d1 _ <<<"$(cpu_ticks "$data" "$server_pid")"
	n=$(echo "$out" | awk -F': ' '/actually processed/ { split($2, a, "/"); print a[1] }')
	printf '%-28s %9.0f %12s %10s\n' "pgbench $1" "$(echo "$out" | awk '/^tps/ { print $3; exit }')" "$(per_req "$d0" "$d1" "$n")" "-"
}
for c in $caps; do pg_run "walk to $((c + 1))" "walk$c"; done
pg_run "search (walk + page)" search

scenario=search extra=()
if [ "${BENCH_PAGES:-}" = 1 ]; then
	scenario="page search" extra=(-page-user officer@verity.test -page-password officer-demo-2026)
fi
bin/verity-load -url "http://127.0.0.1:$PORT" -key "$key" -clients "$CLIENTS" -duration 1s -only "$scenario" "${extra[@]}" >/dev/null 2>&1 || true
read -r d0 v0 <<<"$(cpu_ticks "$data" "$server_pid")"
out=$(bin/verity-load -url "http://127.0.0.1:$PORT" -key "$key" -clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" -only "$scenario" "${extra[@]}")
read -r d1 v1 <<<"$(cpu_ticks "$data" "$server_pid")"
n=$(echo "$out" | awk -v name="$scenario" 'index($0, name) == 1 { print $(NF - 4); exit }')
printf '%-28s %9s %12s %10s   p99 %s ms\n' "verity $scenario" "$(echo "$out" | awk -v name="$scenario" 'index($0, name) == 1 { print $(NF - 3); exit }')" \
	"$(per_req "$d0" "$d1" "$n")" "$(per_req "$v0" "$v1" "$n")" "$(echo "$out" | awk -v name="$scenario" 'index($0, name) == 1 { print $(NF - 1); exit }')"
