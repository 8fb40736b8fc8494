#!/usr/bin/env bash
# bench-import.sh times `verity import` of generated JSON lines into a fresh
# database and prints wall time, lines/s and the CPU seconds of the verity
# process and its private PostgreSQL (the postmaster and every backend it
# reaped), which is steadier than wall time on a shared machine.
#
#   scripts/bench-import.sh                  # 100,000 lines
#   IMPORT_LINES=20000 IMPORT_BIN=old/verity scripts/bench-import.sh
#   IMPORT_SEED=1000000 scripts/bench-import.sh   # time `verity seed --demo --customers N` instead
#
# Knobs: IMPORT_LINES (100000), IMPORT_BIN (builds bin/verity when unset),
# IMPORT_SEED (a number: `verity seed --demo` that many customers instead),
# IMPORT_KEEP=1 (keep the work directory), IMPORT_SPLIT=1 (the private
# PostgreSQL is kept running by `verity serve` on PORT, 18191, and the import
# reaches it through DATABASE_URL, so verity's CPU and PostgreSQL's are
# printed apart, with the cores busy: CPU time / wall time, and the cores the
# import kept runnable, which a busy machine does not hide: scripts/runnable.sh),
# IMPORT_WAITS=1 (with IMPORT_SPLIT=1: what the import's connections waited
# on, from pg_stat_activity every 10 ms: scripts/pgwaits).
# Needs only TMPDIR's disk.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "bench-import: needs /usr/bin/time (Debian package time)" >&2; exit 1; }

lines_n=${IMPORT_LINES:-100000}
bin=${IMPORT_BIN:-}
if [ -z "$bin" ]; then
	CGO_ENABLED=0 go build -o bin/verity ./cmd/verity
	bin=bin/verity
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-import.XXXXXX")
cleanup() { if [ "${IMPORT_KEEP:-}" != 1 ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

# The database is created (initdb, migrations) before the clock starts.
# /usr/bin/time counts the command's CPU and its reaped children's: verity
# waits for its postmaster, which waits for its backends.
DATA_DIR="$work/data" "$bin" migrate >"$work/migrate.log" 2>&1

echo "bench-import: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${IMPORT_SEED:-}" ]; then
	n=$IMPORT_SEED
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" env DATA_DIR="$work/data" "$bin" seed --demo --customers "$n" --seed 42 >"$work/out" 2>"$work/err" || {
		tail -n 20 "$work/err" >&2; echo "bench-import: seed failed" >&2; exit 1; }
	read -r wall user sys rss <"$work/time"
	echo "bench-import: $(tail -n 1 "$work/out")"
	awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$n" -v r="$rss" 'BEGIN {
		printf "bench-import: seed of %d customers in %.1f s (%.0f/s); CPU %.1f s user + %.1f s sys = %.0f µs per customer; peak RSS %.0f MB\n",
			n, w, n / w, u, s, (u + s) * 1e6 / n, r / 1024 }'
	exit 0
fi
file="${TMPDIR:-/tmp}/bench-import-$lines_n.jsonl"
if [ ! -s "$file" ]; then
	go run ./scripts/gen-customers -n "$lines_n" -seed 43 >"$file.part" && mv "$file.part" "$file"
fi
echo "bench-import: $(du -h "$file" | cut -f1) of JSON lines"
if [ "${IMPORT_SPLIT:-}" = 1 ]; then
	. scripts/cpu-ticks.sh
	port=${PORT:-18191}
	echo "split-password" | DATA_DIR="$work/data" "$bin" user create --email split@verity.test --name Split --role admin --password-stdin >>"$work/serve.log" 2>&1
	DATA_DIR="$work/data" ADDR="127.0.0.1:$port" WEBHOOK_WORKER=off LOG_LEVEL=warn VERITY_ENV=development "$bin" serve >>"$work/serve.log" 2>&1 &
	server_pid=$!
	trap 'kill -TERM $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; cleanup' EXIT
	for _ in $(seq 1 150); do
		curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
		sleep 0.2
	done
	url="host=$work/data/pg port=5432 user=postgres dbname=verity sslmode=disable application_name=verity-import"
	if [ "${IMPORT_WAITS:-}" = 1 ]; then go build -o "$work/pgwaits" ./scripts/pgwaits; fi
	before=$(cpu_ticks "$work/data" "$server_pid" || true) # a process ending mid-read fails cat
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" env DATA_DIR="$work/data" DATABASE_URL="$url" "$bin" import "$file" >"$work/out" 2>"$work/err" &
	timer=$!
	. scripts/runnable.sh
	imp=""
	for _ in $(seq 1 50); do # verity is /usr/bin/time's child
		imp=$(awk -v p="$timer" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true)
		[ -n "$imp" ] && break
		sleep 0.02
	done
	if [ "${IMPORT_WAITS:-}" = 1 ]; then
		"$work/pgwaits" -dsn "${url% application_name=*}" -app verity-import -pid "${imp:-$timer}" >"$work/waits" 2>&1 &
		waits=$!
	fi
	runnable_sample "${imp:-$timer}" "$work/data/pg" "$work/runnable"
	wait "$timer" || { tail -n 20 "$work/err" >&2; echo "bench-import: import failed" >&2; exit 1; }
	after=$(cpu_ticks "$work/data" "$server_pid" || true)
	read -r wall user sys rss <"$work/time"
	db_us=$(per_req "${before% *}" "${after% *}" "$lines_n")
	echo "bench-import: $(tail -n 1 "$work/out")"
	awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$lines_n" -v r="$rss" -v db="$db_us" 'BEGIN {
		v = (u + s) * 1e6 / n
		printf "bench-import: %d lines in %.1f s (%.0f lines/s); CPU per line: verity %.0f µs + PostgreSQL %d µs = %.0f µs; cores busy %.2f; verity peak RSS %.0f MB\n",
			n, w, n / w, v, db, v + db, (v + db) * n / 1e6 / w, r / 1024 }'
	echo "bench-import: cores the import kept runnable (mean of min(2, runnable threads of verity and its backends), every 0.2 s): $(runnable_mean "$work/runnable")"
	if [ -n "${waits:-}" ]; then wait "$waits" || true; sed 's/^/bench-import: /' "$work/waits"; fi
	exit 0
fi
/usr/bin/time -f "%e %U %S %M" -o "$work/time" env DATA_DIR="$work/data" "$bin" import "$file" >"$work/out" 2>"$work/err" || {
	tail -n 20 "$work/err" >&2; echo "bench-import: import failed" >&2; exit 1; }
read -r wall user sys rss <"$work/time"
echo "bench-import: $(tail -n 1 "$work/out")"
awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$lines_n" -v r="$rss" 'BEGIN {
	printf "bench-import: %d lines in %.1f s (%.0f lines/s); CPU %.1f s user + %.1f s sys = %.0f µs per line; peak RSS %.0f MB\n",
		n, w, n / w, u, s, (u + s) * 1e6 / n, r / 1024 }'
