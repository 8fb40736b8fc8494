#!/usr/bin/env bash
# The floor of a search: what PostgreSQL alone needs for a search's minimal
# SQL, against what a search through verity costs, back to back on the same
# seeded database (BENCH_DATA_DIR, seeded by make bench or make bench-pages).
# pgbench (verity's statements, each term prepared or planned as verity runs
# it; 16 clients; verity-load's eight terms, one after the other) runs
#   walk    the newest-first walk that counts up to 201 matches (the "200+")
#   search  that walk with the page's keys (the JSON API: the rest comes from
#           verity's list cache), or, with BENCH_PAGES=1, the walk and then
#           the page's rows by id
#   walk to N+1, for each N in BENCH_CAPS (e.g. "100 20"): other count limits
# and verity-load then drives the same search through the API (or, with
# BENCH_PAGES=1, the HTML page). Prints tps or req/s and CPU µs per search:
# PostgreSQL's (postmaster and backends, /proc/*/stat) and verity's. On two
# cores N µs of CPU per search caps the rate at 2,000,000 / N per second.
# Measures; asserts nothing.
#
# Knobs: BENCH_DATA_DIR (required), BENCH_CLIENTS (16), BENCH_DURATION (5s),
# BENCH_PORT (18083), BENCH_PAGES (1: the HTML search page), BENCH_CAPS,
# BENCH_TERM_SECS (2: each term's pgbench run).
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
. scripts/wait-ready.sh
wait_ready bench-search-floor "$PORT" "$server_pid" 600 || exit 1

# A search's statements as verity runs them (internal/customer/search.go), per
# term: the walk, which sends back the counts per status and the page's ids —
# for the API with the page's keys in the same statement, the rows and
# associates coming from the list cache once read (the benchmark changes
# nothing); for the web page then its rows by id, whole, with the associates'
# count. A common term
# (1 % or more of search_text's histogram buckets hold it: search.go's
# commonTerm) walks with strpos in a prepared statement; a rare one with LIKE,
# planned for its term. Each term runs in turn (BENCH_TERM_SECS, 2 s) under
# pgbench -M prepared or extended, as verity runs its walk, its values as
# parameters (a rare term's key read is then planned each time too, where
# verity prepares it); the terms weigh alike in the figures, as they do in
# verity-load: PG µs is their mean, per s the rate of an even mix.
psql_() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$data/pg" -p 5432 -U postgres -d verity "$@"; }
walk() { # walk COND LIMIT
	echo "SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'VERIFIED'), count(*) FILTER (WHERE status = 'REJECTED'),
(array_agg(id) FILTER (WHERE status = ANY(:st::customer_status[])))[:off::int + 1 : :off::int + :n::int] AS page, 0::bigint
FROM (SELECT id, status FROM customers WHERE $1 ORDER BY updated_at DESC, id DESC LIMIT $2) w"
}
walk_keys() { # walk_keys COND LIMIT: the API's walk, with its page's keys in the same statement
	echo "SELECT w.*, k.ids, k.versions, k.owners, k.emails, k.names FROM ($(walk "$1" "$2")) w
LEFT JOIN LATERAL (SELECT array_agg(id ORDER BY updated_at DESC, id DESC) AS ids,
    array_agg(version ORDER BY updated_at DESC, id DESC) AS versions,
    array_agg(coalesce(assignee_id, 0) ORDER BY updated_at DESC, id DESC) AS owners,
    array_agg(coalesce(email, '') ORDER BY updated_at DESC, id DESC) AS emails,
    array_agg(coalesce(name, '') ORDER BY updated_at DESC, id DESC) AS names
  FROM (SELECT id, version, assignee_id, (SELECT su.email FROM staff_users su WHERE su.id = assignee_id),
(SELECT su.name FROM staff_users su WHERE su.id = assignee_id), updated_at FROM customers WHERE id = ANY(w.page)) c (id, version, assignee_id, email, name, updated_at)) k ON true"
}
common() { # common TERM: is it common, as search.go's commonTerm decides (1 % of the histogram's buckets)
	[ "$(psql_ -c "SELECT count(*) FILTER (WHERE strpos(h, '$1') > 0) >= 0.01 * (count(*) - 1) AND count(*) > 1
		FROM pg_stats, unnest(histogram_bounds::text::text[]) h WHERE schemaname = current_schema()
		AND tablename = 'customers' AND attname = 'search_text'")" = t ]
}
caps="200 ${BENCH_CAPS:-}"
term_secs=${BENCH_TERM_SECS:-2}
terms="acme holdings smith garcia müller trading rossi tech"
for kind in common rare; do
	cond="search_text LIKE :like"
	[ "$kind" = rare ] || cond="strpos(search_text, :term) > 0"
	for c in $caps; do echo "$(walk "$cond" $((c + 1)));" >"$work/walk$c-$kind.sql"; done
	if [ "${BENCH_PAGES:-}" = 1 ]; then
		{
			echo "$(walk "$cond" 201);"
			echo "SELECT *, (SELECT count(*) FROM associates a WHERE a.customer_id = customers.id) FROM customers WHERE id = ANY(:ids) ORDER BY updated_at DESC, id DESC;"
		} >"$work/search-$kind.sql"
	else
		echo "$(walk_keys "$cond" 201);" >"$work/search-$kind.sql"
	fi
done
declare -A kind ids
for t in $terms; do
	kind[$t]=rare
	if common "$t"; then kind[$t]=common; fi
	ids[$t]=$(psql_ -c "SELECT array_agg(id) FROM (SELECT id FROM customers WHERE search_text LIKE '%$t%' ORDER BY updated_at DESC, id DESC LIMIT 21) p")
done
echo "common terms (a prepared walk): $(for t in $terms; do [ "${kind[$t]}" = common ] && printf '%s ' "$t"; done)"

. scripts/cpu-ticks.sh
printf '%-28s %9s %12s %10s\n' "run ($CLIENTS clients)" "per s" "PG µs" "verity µs"
pg_run() { # pg_run NAME FILE-PREFIX: each term in turn, weighed alike (verity-load picks them at random)
	local t d0 d1 mode out n sum_us=0 sum_s=0 k=0
	for t in $terms; do
		mode=extended
		[ "${kind[$t]}" = rare ] || mode=prepared
		read -r d0 _ <<<"$(cpu_ticks "$data" "$server_pid")"
		out=$(PGHOST="$data/pg" PGPORT=5432 PGUSER=postgres "$bindir/pgbench" -n -M "$mode" -c "$CLIENTS" -j 2 -T "$term_secs" \
			-D term="$t" -D like="%$t%" -D st='{PENDING,VERIFIED,REJECTED}' -D off=0 -D n=21 -D ids="${ids[$t]}" \
			-f "$work/$2-${kind[$t]}.sql" verity 2>>"$log")
		read -r d1 _ <<<"$(cpu_ticks "$data" "$server_pid")"
		n=$(echo "$out" | awk -F': ' '/actually processed/ { split($2, a, "/"); print a[1] }')
		sum_us=$((sum_us + $(per_req "$d0" "$d1" "$n")))
		sum_s=$(echo "$out" | awk -v a="$sum_s" '/^tps/ { printf "%.9f", a + 1 / $3; exit }')
		k=$((k + 1))
	done
	printf '%-28s %9.0f %12s %10s\n' "pgbench $1" "$(awk -v s="$sum_s" -v k="$k" 'BEGIN { print k / s }')" "$((sum_us / k))" "-"
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
