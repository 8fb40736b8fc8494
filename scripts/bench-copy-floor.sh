#!/usr/bin/env bash
# bench-copy-floor.sh measures what PostgreSQL alone needs to store an
# import's rows: the customers, associates and audit entries that
# `verity import` of N generated lines wrote are copied out, then loaded into
# a fresh migrated database by psql's COPY (one transaction, every index,
# trigger and foreign key live, lz4 as the import uses) while the CPU time of
# that PostgreSQL is read from /proc. That is the floor of an import's
# database work per line, without any of verity's parsing or checks; the
# import's total (scripts/bench-import.sh) minus it is verity's share.
#
#   scripts/bench-copy-floor.sh                 # 100,000 lines
#   IMPORT_LINES=20000 scripts/bench-copy-floor.sh
#
# The customers are loaded as an import's batch loads them (migration 00016):
# with verity.bulk set, so their insert triggers step aside, then the search
# grams the import wrote by their own COPY and the counters' deltas by one
# INSERT … SELECT … GROUP BY; each is printed apart.
#
# The parallel floor (FLOOR_PARALLEL="1 2 3 4 6"): the same rows cut into the
# import's batches (FLOOR_BATCH, 2000 customers), each batch one transaction
# of the statements the import's batch sends, in its order, k batches at a
# time over k connections (scripts/copyfloor, lib/pq only), into a fresh
# database for each k; prints the wall time, PostgreSQL's CPU per line and
# the cores busy, then the serial VACUUM/ANALYZE the import runs after.
#
# Knobs: IMPORT_LINES (100000), PORT (18190: verity serve, only to run the
# private PostgreSQL), IMPORT_KEEP=1 (keep the work directory), FLOOR_BIN
# (a verity binary to load and migrate with; builds bin/verity when unset),
# FLOOR_PARALLEL, FLOOR_BATCH, FLOOR_ROWS (a directory to keep the rows in
# and take them from on the next run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cpu-ticks.sh
lines_n=${IMPORT_LINES:-100000}
PORT=${PORT:-18190}
bindir=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/psql" ] && bindir=$d; done
bin=${FLOOR_BIN:-}
if [ -z "$bin" ]; then
	CGO_ENABLED=0 go build -o bin/verity ./cmd/verity
	bin=bin/verity
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-copy-floor.XXXXXX")
work=$(cd "$work" && pwd)
log="$work/log"
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ "${IMPORT_KEEP:-}" != 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/a" "$work/b" "$work/rows"
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$work"
	chmod 777 "$work/a" "$work/b" "$work/rows"
fi
export LOG_LEVEL=warn VERITY_ENV=development
unset DATABASE_URL
psql_() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$1/pg" -p 5432 -U postgres -d verity "${@:2}"; }
serve() {
	DATA_DIR="$1" ADDR="127.0.0.1:$PORT" WEBHOOK_WORKER=off "$bin" serve >>"$log" 2>&1 &
	server_pid=$!
	for _ in $(seq 1 150); do
		curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$server_pid" 2>/dev/null || { echo "bench-copy-floor: verity serve exited" >&2; tail "$log" >&2; exit 1; }
		sleep 0.2
	done
	echo "bench-copy-floor: verity serve did not start" >&2
	exit 1
}
stop() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

file="${TMPDIR:-/tmp}/bench-import-$lines_n.jsonl"
if [ ! -s "$file" ]; then
	go run ./scripts/gen-customers -n "$lines_n" -seed 43 >"$file.part" && mv "$file.part" "$file"
fi
echo "bench-copy-floor: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# A staff account keeps verity serve (here only the database's keeper) from
# seeding its demo data on first start.
staff() { echo "copy-floor-password" | DATA_DIR="$1" "$bin" user create --email floor@verity.test --name Floor --role admin --password-stdin >>"$log" 2>&1; }
# The columns the import's COPYs name (internal/customer/import_copy.go), in
# customer order, so FLOOR_PARALLEL can cut them into the import's batches.
customer_cols=id,reference,status,type,risk_score,name,description,tax_residence_country_code,registration_number,address_line1,address_line2,city,postal_code,country_code,verification_url,verification_status,version,last_editor,search_text,created_at,updated_at,website,status_since
associate_cols=customer_id,reference,position,first_name,last_name,date_of_birth,has_address,address_line1,address_line2,city,postal_code,country_code,birth_country_code,email,phone,document_number,document_type,document_country_code,tax_number,tax_country_code,title,risk_score,has_ownership,has_control,is_signer,verification_url,verification_status
audit_cols=actor_type,actor_id,actor_name,action,customer_id,subject,changes,reason,request_id
# FLOOR_ROWS keeps the rows for the next run (made by an import when empty).
rows=${FLOOR_ROWS:-$work/rows}
if [ ! -s "$rows/audit_entries" ]; then
	mkdir -p "$rows"
	if [ "$(id -u)" = 0 ]; then chmod 777 "$rows"; fi
	rows=$(cd "$rows" && pwd)
	DATA_DIR="$work/a" "$bin" migrate >>"$log" 2>&1
	DATA_DIR="$work/a" "$bin" import "$file" >>"$log" 2>&1
	staff "$work/a"
	serve "$work/a"
	psql_ "$work/a" -c "COPY (SELECT $customer_cols FROM customers ORDER BY id) TO '$rows/customers'"
	psql_ "$work/a" -c "COPY (SELECT customer_id, grams FROM customer_search_grams ORDER BY customer_id) TO '$rows/customer_search_grams'"
	psql_ "$work/a" -c "COPY (SELECT $associate_cols FROM associates ORDER BY customer_id, position) TO '$rows/associates'"
	psql_ "$work/a" -c "COPY (SELECT $audit_cols FROM audit_entries WHERE action = 'customer.import' ORDER BY customer_id, id) TO '$rows/audit_entries'"
	stop
	rm -rf "$work/a"
fi
rows=$(cd "$rows" && pwd)
# ticks is a query of the backend's own CPU ticks (utime + stime, /proc/self/stat).
ticks="SELECT 'ticks', (a[12]::int + a[13]::int) FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') a;"
hz=$(getconf CLK_TCK)

if [ -n "${FLOOR_PARALLEL:-}" ]; then
	# The parallel floor: the same rows in the import's batches (FLOOR_BATCH,
	# 2000 customers), each batch one transaction of the import's statements,
	# k batches at a time over k connections (scripts/copyfloor), into a
	# fresh database for each k; then what the import runs after its load.
	go build -o "$work/copyfloor" ./scripts/copyfloor
	for k in $FLOOR_PARALLEL; do
		b="$work/b$k"
		mkdir -p "$b"
		if [ "$(id -u)" = 0 ]; then chmod 777 "$b"; fi
		DATA_DIR="$b" "$bin" migrate >>"$log" 2>&1
		staff "$b"
		serve "$b"
		before=$(cpu_ticks "$b" "$server_pid" || true)
		"$work/copyfloor" -dsn "host=$b/pg port=5432 user=postgres dbname=verity sslmode=disable" -dir "$rows" -k "$k" -batch "${FLOOR_BATCH:-2000}" >"$work/out$k"
		after=$(cpu_ticks "$b" "$server_pid" || true)
		psql_ "$b" -At >"$work/ticks-after$k" <<SQL
$ticks
VACUUM (ANALYZE) customers, customer_counts;
ANALYZE associates, audit_entries, customer_search_grams;
$ticks
SQL
		stop
		db_us=$(per_req "${before% *}" "${after% *}" "$lines_n")
		awk -v n="$lines_n" -v us="$db_us" -v hz="$hz" -v out="$(cat "$work/out$k")" '
			$1 == "ticks" { t[++j] = $2 }
			END {
				split(out, f, " ")
				for (i in f) { if (f[i] == "wall") wall = f[i + 1]; if (f[i] == "CPU") drv = f[i + 1] }
				printf "bench-copy-floor: %s\nbench-copy-floor:   k=%s: load %.1f s wall, PostgreSQL %d µs per line, cores busy %.2f (PostgreSQL %.2f + driver); after the load (VACUUM/ANALYZE, serial) %.0f µs per line\n",
					out, K, wall, us, (us + drv) * n / 1e6 / wall, us * n / 1e6 / wall, (t[2] - t[1]) * 1e6 / hz / n
			}' K="$k" FS='|' "$work/ticks-after$k"
		rm -rf "$b"
	done
	exit 0
fi
DATA_DIR="$work/b" "$bin" migrate >>"$log" 2>&1
staff "$work/b"
serve "$work/b"
before=$(cpu_ticks "$work/b" "$server_pid" || true) # a process ending mid-read fails cat
start=$(date +%s.%N)
# The backend's own CPU ticks between the statements give each table's share.
psql_ "$work/b" -At >"$work/ticks" <<SQL
BEGIN;
SET LOCAL default_toast_compression = lz4;
SET LOCAL verity.bulk = 'on';
$ticks
COPY customers ($customer_cols) FROM '$rows/customers';
$ticks
COPY customer_search_grams (customer_id, grams) FROM '$rows/customer_search_grams';
$ticks
INSERT INTO customer_counts (status, risk_score, n) SELECT status, risk_score, count(*) FROM customers GROUP BY 1, 2;
$ticks
COPY associates ($associate_cols) FROM '$rows/associates';
$ticks
COPY audit_entries ($audit_cols) FROM '$rows/audit_entries';
$ticks
COMMIT;
SQL
end=$(date +%s.%N)
after=$(cpu_ticks "$work/b" "$server_pid" || true)
# What an import runs after its load (customer.AfterBulkLoad): not part of
# the floor above, printed apart.
psql_ "$work/b" -At >"$work/ticks-after" <<SQL
$ticks
VACUUM (ANALYZE) customers, customer_counts;
$ticks
ANALYZE associates, audit_entries, customer_search_grams;
$ticks
SQL
rows=$(psql_ "$work/b" -At -c "SELECT (SELECT count(*) FROM customers) || ' customers, ' || (SELECT count(*) FROM associates) || ' associates, ' || (SELECT count(*) FROM audit_entries) || ' audit entries'")
stop
db_us=$(per_req "${before% *}" "${after% *}" "$lines_n")
awk -v s="$start" -v e="$end" -v n="$lines_n" -v us="$db_us" -v rows="$rows" 'BEGIN {
	printf "bench-copy-floor: COPY of %s in %.1f s; PostgreSQL CPU %d µs per line (%.1f s for 100,000 lines on one core)\n", rows, e - s, us, us * 100000 / 1e6 }'
cat "$work/ticks" "$work/ticks-after" | awk -F'|' -v n="$lines_n" -v hz="$hz" '$1 == "ticks" { t[++k] = $2 } END {
	split("customers (every index, verity.bulk on)|search grams (COPY, GIN index)|counters (one INSERT … GROUP BY)|associates|audit entries|after the load: VACUUM (ANALYZE) customers|after the load: ANALYZE associates, audit, grams", name, "|")
	for (i = 1; i <= 5; i++) printf "bench-copy-floor:   %s: %.0f µs per line\n", name[i], (t[i + 1] - t[i]) * 1e6 / hz / n
	for (i = 7; i <= 8; i++) printf "bench-copy-floor:   %s: %.0f µs per line\n", name[i - 1], (t[i + 1] - t[i]) * 1e6 / hz / n
}'
