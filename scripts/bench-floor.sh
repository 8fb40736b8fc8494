#!/usr/bin/env bash
# make bench-floor: the best any implementation could do on this machine, per API scenario of the speed table
# (issue 11), measured from its irreducible parts. For each scenario, back to back on the benchmark database:
#  real   verity-load drives `verity serve` (16 clients): req/s, p99, CPU µs per request of verity, PostgreSQL
#         and verity-load itself;
#  stub   the same scenario against `verity-load -stub`, which answers every request with the bytes the real
#         server answered (recorded beforehand with `verity-load -record`) on the same HTTP stack and does
#         nothing else: the HTTP floor (stub and load-generator CPU per request);
#  db     pgbench -M prepared (16 clients, the same working set) running the statements the server runs for
#         that request (scripts/floor/*.sql, captured with log_statement=all; a PUT's are two, each its own
#         transaction: the unlocked read, then the one write statement with its audit entry and events):
#         PostgreSQL CPU per request and pgbench's own p50/p99. A script whose first statement reads the
#         working set's row (\gset) has that statement measured alone and subtracted.
#  stack  (GET one and the PUTs; measured right after the real server, on the data as it left it) the stub
#         with -driver: per request it also runs the server's own
#         statements (customer.StackFloor: the same SQL, prepared, on a pool of verity serve's size) through
#         database/sql and lib/pq before it answers — what any server on this stack pays besides its rules
#         (docs/performance-method.md): stub, PostgreSQL and load generator CPU per request, req/s and p99.
# The bound: req/s ≤ CPUs / (stub + load generator + PostgreSQL CPU per request), printed beside the target
# and the real server's figures. For GET one and the PUTs the target is 60 % of bench-ceiling's pgbench tps
# (scripts/pgbench/*.sql, measured in the same run). Measures; asserts nothing.
#
# Knobs: BENCH_CUSTOMERS (100000), BENCH_CLIENTS (16), BENCH_DURATION (10s, each phase), BENCH_PORT (18090;
# the stub listens on the next port), BENCH_DATA_DIR (keep the seeded database between runs), BENCH_ONLY
# (scenario name parts, comma-separated: "GET one,search"), BENCH_PAGE_USER and BENCH_PAGE_PASSWORD (the page
# search's sign-in; the demo officer), BENCH_VERITY and BENCH_LOAD (verity and verity-load binaries built earlier,
# for A/B runs of two builds on the same data; default: build them).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-100000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18090}
STUB_PORT=$((PORT + 1))
SET_SIZE=2000 # verity-load's working set: 20 pages of 100
PAGE_USER=${BENCH_PAGE_USER:-officer@verity.test}
PAGE_PASSWORD=${BENCH_PAGE_PASSWORD:-officer-demo-2026}

. scripts/pg-tools.sh
bindir=$(pg_tools bench-floor) || exit 1
secs=${DURATION%s}
case "$secs" in '' | *[!0-9]*) echo "bench-floor: BENCH_DURATION must be whole seconds like 10s" >&2; exit 1 ;; esac

keep=${BENCH_DATA_DIR:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-floor.XXXXXX")
data=${keep:-$work/data}
log="$work/bench.log"
: >"$log"
mkdir -p bin "$data" "$work/sql"
data=$(cd "$data" && pwd) # pgbench and psql need the socket directory as an absolute path
work=$(cd "$work" && pwd) # pgbench runs in $work/sql
verity=${BENCH_VERITY:-bin/verity} load=${BENCH_LOAD:-bin/verity-load}
[ -n "${BENCH_VERITY:-}" ] || go build -o bin/verity ./cmd/verity
[ -n "${BENCH_LOAD:-}" ] || go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then
	chown postgres "$data" 2>/dev/null || chmod 777 "$data"
	chmod 755 "$work"
	chmod 777 "$work/sql" # pgbench's latency logs
fi
chmod a+r "$log" 2>/dev/null || true

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
unset DATABASE_URL
server_pid="" stub_pid=""
psql_() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$data/pg" -p 5432 -U postgres -d verity "$@"; }
cleanup() {
	local rc=$?
	if [ -n "$stub_pid" ]; then kill -TERM "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; fi
	if [ -n "$server_pid" ]; then
		psql_ -c 'DROP SCHEMA IF EXISTS bench_floor CASCADE' -c 'DROP SCHEMA IF EXISTS bench_ceiling CASCADE' >>"$log" 2>&1 || true
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ]; then
		echo "bench-floor: FAILED (exit $rc); the last lines of $log:" >&2
		tail -n 40 "$log" >&2 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in "$PORT" "$STUB_PORT"; do
	if curl -s -o /dev/null "http://127.0.0.1:$p/" 2>/dev/null; then
		echo "bench-floor: something already answers on 127.0.0.1:$p; choose another BENCH_PORT" >&2
		exit 1
	fi
done
echo "bench-floor: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION), $("$bindir/pgbench" --version)"
if [ ! -f "$data/.seeded-$CUSTOMERS" ]; then
	echo "bench-floor: seeding $CUSTOMERS customers (once per data directory)"
	"$verity" seed --demo --customers "$CUSTOMERS" --seed 42 >>"$log" 2>&1
	touch "$data/.seeded-$CUSTOMERS"
fi
officer_key=$("$verity" apikey create --name bench-floor-officer --role officer 2>>"$log")
admin_key=$("$verity" apikey create --name bench-floor-admin --role admin 2>>"$log")

ADDR="127.0.0.1:$PORT" "$verity" serve >>"$log" 2>&1 &
server_pid=$!
. scripts/wait-ready.sh
wait_ready bench-floor "$PORT" "$server_pid" || { server_pid=""; exit 1; }

. scripts/cpu-ticks.sh
per=$((SET_SIZE / CLIENTS))
psql_ -v set_size="$SET_SIZE" -f scripts/floor/setup.sql >>"$log" 2>&1
psql_ -v set_size="$SET_SIZE" -f scripts/pgbench/working-set.sql >>"$log" 2>&1

# The search scripts, one per term, with the ids the same walk returns now (each prepared once per
# connection: one script for all terms would give the walk a generic plan, which the server never uses).
search_scripts() {
	local t ids21 ids20 n=0
	for t in acme holdings smith garcia müller trading rossi tech; do
		read -r ids21 ids20 <<<"$(psql_ -At -F ' ' -c "SELECT '''{' || string_agg(id::text, ',' ORDER BY o) || '}''', '''{' ||
			string_agg(id::text, ',' ORDER BY o) FILTER (WHERE o <= 20) || '}''' FROM (SELECT id, row_number() OVER () AS o FROM
			(SELECT id FROM customers WHERE search_text LIKE '%$t%' ORDER BY updated_at DESC, id DESC LIMIT 21) s) s")"
		sed -e "s/@PATTERN@/'%$t%'/" -e "s/@IDS21@/$ids21/" -e "s/@IDS20@/$ids20/" scripts/floor/search.sql >"$work/sql/search-$n.sql"
		sed -e "s/@PATTERN@/'%$t%'/" -e "s/@IDS21@/$ids21/" scripts/floor/page-search.sql >"$work/sql/page-search-$n.sql"
		n=$((n + 1))
	done
}
search_scripts

# pg_phase NAME FILE... runs pgbench on the files (one chosen at random per transaction) and prints
# "tps transactions PG-ticks p50-ms p99-ms pgbench-ticks".
pg_phase() {
	local name=$1 out args=() f db0 db1
	shift
	for f in "$@"; do args+=(-f "$f"); done
	rm -f "$work/sql/pglog"*
	read -r db0 _ <<<"$(cpu_ticks "$data" "$server_pid")"
	out=$(cd "$work/sql" && PGHOST="$data/pg" PGPORT=5432 PGUSER=postgres "$bindir/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$secs" \
		-D per="$per" -D status=PENDING -D risk=LOW -D lim=21 -D sid="${sid:-none}" -D uid="${uid:-0}" -l --log-prefix=pglog "${args[@]}" verity 2>&1 && times) ||
		{ echo "$out" >>"$log"; echo "bench-floor: pgbench $name failed" >&2; return 1; }
	read -r db1 _ <<<"$(cpu_ticks "$data" "$server_pid")"
	echo "$out" >>"$log"
	local lat
	lat=$(cat "$work/sql/pglog"* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f %.2f", v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000; else print "0 0" }')
	echo "$out" | awk -v d="$((db1 - db0))" -v lat="$lat" -v t="$(echo "$out" | tail -n 1 | times_ticks)" '
		/^number of transactions actually processed:/ { split($6, a, "/"); n = a[1] }
		/^tps = / { printf "%.0f %d %d %s %d", $3, n, d, lat, t; exit }'
}
# times_ticks turns a line of bash's `times` ("0m1.250s 0m0.310s", user and system) into clock ticks.
times_ticks() { awk -v hz="$(getconf CLK_TCK)" '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * hz }'; }
# load_phase URL SCENARIO prints "req/s p50 p99 errors requests load-ticks" of one verity-load run; load-ticks
# are verity-load's own CPU over the timed run as it prints it (in clock ticks), or from an older build that does
# not print it, bash's `times` (its start-up read of the working set included).
load_phase() {
	local out t
	# A new -tag each run: every PUT details changes the customer it edits.
	out=$( ("$load" -url "$1" -key "$officer_key" -admin-key "$admin_key" -clients "$CLIENTS" -duration "$DURATION" -only "$2" \
		-tag "floor$(date +%s%N) " $(page_flags "$2") &&
		times) 2>>"$log") || { echo "$out" >>"$log"; echo "bench-floor: verity-load $2 failed on $1" >&2; return 1; }
	echo "$out" >>"$log"
	# times: the subshell's own line, then its children's (verity-load) user and system time.
	t=$(echo "$out" | tail -n 1 | times_ticks)
	echo "$out" | awk -v name="$2" -v t="$t" -v hz="$(getconf CLK_TCK)" 'index($0, name) == 1 && !r { k = split(name, w, " "); n = $(k + 1)
			r = sprintf("%.0f %s %s %s %s", $(k + 2), $(k + 3), $(k + 4), $(k + 5), n) }
		r && /^  verity-load CPU: / && u == "" { u = $3 }
		END { printf "%s %s", r, (u != "" ? u * n * hz / 1e6 : t) }'
}
# stub_phase SCENARIO [FLAG…] runs the stub (verity-load -stub, with FLAG… — e.g. -driver URL for the stack
# floor) and one load_phase against it; it sets phase to load_phase's figures, then PostgreSQL's and the stub's
# ticks. Not for $( ): stub_pid must stay visible to cleanup.
stub_phase() {
	local sc=$1 res db0 st0 db1 st1
	shift
	"$load" -stub "$work/rec" -listen "127.0.0.1:$STUB_PORT" "$@" >>"$log" 2>&1 &
	stub_pid=$!
	for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$STUB_PORT/" && break; sleep 0.1; done
	read -r db0 st0 <<<"$(cpu_ticks "$data" "$stub_pid")"
	res=$(load_phase "http://127.0.0.1:$STUB_PORT" "$sc") || return 1
	read -r db1 st1 <<<"$(cpu_ticks "$data" "$stub_pid")"
	kill -TERM "$stub_pid"; wait "$stub_pid" 2>/dev/null || true; stub_pid=""
	phase="$res $((db1 - db0)) $((st1 - st0))"
}
# page_flags SCENARIO prints the sign-in flags a web page scenario needs (the demo officer by default).
page_flags() { case "$1" in page*) echo "-page-user $PAGE_USER -page-password $PAGE_PASSWORD" ;; esac; }
us() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }'; }

cpus=$(nproc)
echo "bench-floor: $CLIENTS clients, $DURATION per phase, $cpus CPUs shared by the load generator, the server and PostgreSQL"
echo "bench-floor: CPU µs per request; bound = $cpus CPUs / (stub + load generator + PostgreSQL floor); pgbench p50/p99 ms"
printf '%-15s %-18s | %-28s | %-23s | %-21s | %s\n' "" "" "real server" "stub (HTTP floor)" "pgbench (DB floor)" "floor"
printf '%-15s %-18s | %6s %6s %14s | %6s %6s %9s | %5s %6s %8s | %6s %7s\n' scenario target \
	"req/s" "p99" "verity+PG+load" "req/s" "p99" "stub+load" "PG µs" "p50" "p99" "µs" "bound"
for entry in "GET one:get-one:read-one" "list filtered:list:" "search:search:" "PUT details:put-details:update-details" \
	"PUT associates:put-associates:replace-associates" "PUT status:put-status:change-status" "page search:page-search:"; do
	IFS=: read -r sc script ceiling <<<"$entry"
	if [ -n "${BENCH_ONLY:-}" ]; then
		want=""
		IFS=, read -ra parts <<<"$BENCH_ONLY"
		for part in "${parts[@]}"; do [[ "$sc" == *"$part"* ]] && want=1; done
		[ -n "$want" ] || continue
	fi
	# Record the answers first (each distinct request once), then the real server, the stub and pgbench.
	"$load" -url "http://127.0.0.1:$PORT" -key "$officer_key" -admin-key "$admin_key" -clients "$CLIENTS" \
		-only "$sc" $(page_flags "$sc") -record "$work/rec" >>"$log" 2>&1 || { echo "bench-floor: recording $sc failed" >&2; exit 1; }

	read -r db0 sv0 <<<"$(cpu_ticks "$data" "$server_pid")"
	res=$(load_phase "http://127.0.0.1:$PORT" "$sc") || exit 1
	read -r r_rps r_p50 r_p99 r_err r_n r_load <<<"$res"
	read -r db1 sv1 <<<"$(cpu_ticks "$data" "$server_pid")"
	real_cpu=$(($(us $((sv1 - sv0)) "$r_n") + $(us $((db1 - db0)) "$r_n") + $(us "$r_load" "$r_n")))
	real_parts="$(us $((sv1 - sv0)) "$r_n")+$(us $((db1 - db0)) "$r_n")+$(us "$r_load" "$r_n")"

	if [ -n "$ceiling" ]; then
		# The stack floor right after the real server, on the data as the real run left it: the stub running
		# the server's statements through database/sql and lib/pq (printed after the ceiling, below).
		stub_phase "$sc" -driver "postgres://postgres@/verity?host=$data/pg&port=5432&sslmode=disable" || exit 1
		read -r d_rps d_p50 d_p99 d_err d_n d_load d_db d_st <<<"$phase"
		d_stub=$(us "$d_st" "$d_n") d_pg=$(us "$d_db" "$d_n") d_load=$(us "$d_load" "$d_n")
	fi

	stub_phase "$sc" || exit 1
	read -r s_rps s_p50 s_p99 s_err s_n s_load _ s_st <<<"$phase"
	stub_us=$(us "$s_st" "$s_n")
	load_us=$(us "$s_load" "$s_n")

	case "$script" in
	search) files=("$work"/sql/search-*.sql) ;;
	page-search)
		files=("$work"/sql/page-search-*.sql)
		# The page user's newest live session (the recording's sign-in made one) and its user id.
		read -r sid uid <<<"$(psql_ -At -F ' ' -c "SELECT '\\x' || encode(s.id, 'hex'), s.user_id FROM staff_sessions s
			JOIN staff_users u ON u.id = s.user_id WHERE u.email = '$PAGE_USER' AND s.ended_why IS NULL ORDER BY s.created_at DESC LIMIT 1")"
		echo "bench-floor: page search as session $sid of user $uid" >>"$log"
		sed -i "s/:uid/$uid/" "${files[@]}"
		;;
	*) files=("$PWD/scripts/floor/$script.sql") ;;
	esac
	res=$(pg_phase "$sc" "${files[@]}") || exit 1
	read -r p_tps p_n p_ticks p_p50 p_p99 _ <<<"$res"
	pg_us=$(us "$p_ticks" "$p_n")
	if grep -q '\\gset' "${files[0]}"; then
		# The working set's row alone: the script up to its \gset.
		sed -n '1,/\\gset/p' "${files[0]}" >"$work/sql/lookup.sql"
		res=$(pg_phase "$sc lookup" "$work/sql/lookup.sql") || exit 1
		read -r _ l_n l_ticks _ _ <<<"$res"
		pg_us=$((pg_us - $(us "$l_ticks" "$l_n")))
	fi
	case "$sc" in
	"list filtered") target="≥ 2,000 req/s" ;;
	search) target="≥ 1,000 req/s" ;;
	"page search") target="≥ 600 (on 1M)" ;;
	*)
		res=$(pg_phase "$sc ceiling" "$PWD/scripts/pgbench/$ceiling.sql") || exit 1
		read -r c_tps c_n c_ticks c_p50 c_p99 c_client <<<"$res"
		target="60 % of ceiling"
		;;
	esac
	floor_us=$((stub_us + load_us + pg_us))
	printf '%-15s %-18s | %6s %6s %14s | %6s %6s %9s | %5s %6s %8s | %6s %7s\n' "$sc" "$target" \
		"$r_rps" "$r_p99" "$real_parts" "$s_rps" "$s_p99" "$stub_us+$load_us" "$pg_us" "$p_p50" "$p_p99" "$floor_us" \
		"$(awk -v c="$cpus" -v f="$floor_us" 'BEGIN { printf "%.0f", (f > 0 ? c * 1e6 / f : 0) }')"
	if [ -z "$ceiling" ]; then
		awk -v c="$cpus" -v real="$real_cpu" 'BEGIN { printf "  the real server'"'"'s %d µs per request allow %.0f req/s on %d CPUs\n", real, c * 1e6 / real, c }'
	else
		# The ceiling as CPU allows it: CPUs / (PostgreSQL + pgbench CPU per transaction), steady on a busy
		# machine where its tps is not; the bounds as a share of it.
		awk -v c="$cpus" -v h=$((stub_us + load_us)) -v f="$floor_us" -v pg="$(us "$c_ticks" "$c_n")" -v cl="$(us "$c_client" "$c_n")" \
			-v t="$c_tps" -v p50="$c_p50" -v p99="$c_p99" -v name="$ceiling" -v real="$real_cpu" 'BEGIN {
			cb = c * 1e6 / (pg + cl); b = c * 1e6 / f; bm = c * 1e6 / (h + pg)
			printf "  ceiling (%s): %d tps, p50/p99 %s/%s ms; CPU µs per transaction PG %d + pgbench %d -> %.0f tps on %d CPUs\n", name, t, p50, p99, pg, cl, cb, c
			printf "  of that: the real server %.0f %% (%d µs), the floor %.0f %% with the server'"'"'s statements, %.0f %% with the minimal SQL (%d µs)\n",
				100 * c * 1e6 / real / cb, real, 100 * b / cb, 100 * bm / cb, h + pg }'
	fi
	if [ -n "$ceiling" ]; then
		awk -v c="$cpus" -v st="$d_stub" -v pg="$d_pg" -v ld="$d_load" \
			-v rps="$d_rps" -v p50="$d_p50" -v p99="$d_p99" -v cpg="$(us "$c_ticks" "$c_n")" -v ccl="$(us "$c_client" "$c_n")" 'BEGIN {
			f = st + pg + ld; cb = c * 1e6 / (cpg + ccl)
			printf "  stack floor (stub + database/sql + lib/pq, the server'"'"'s statements): %d req/s, p50/p99 %s/%s ms; CPU µs per request stub %d + PG %d + load %d = %d -> %.0f req/s on %d CPUs, %.0f %% of the ceiling\n",
				rps, p50, p99, st, pg, ld, f, c * 1e6 / f, c, 100 * c * 1e6 / f / cb }'
		[ "$d_err" = 0 ] || echo "  errors: stack floor $d_err (see $log)"
	fi
	if [ "$r_err" != 0 ] || [ "$s_err" != 0 ]; then echo "  errors: real $r_err, stub $s_err (see $log)"; fi
done
echo "bench-floor: real = verity + PostgreSQL + verity-load CPU µs per request; its own bound would be $cpus CPUs / that sum"
