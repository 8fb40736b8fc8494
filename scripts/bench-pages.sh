#!/usr/bin/env bash
# make bench-pages: the web admin's list, queues (Pending, Mine, Overdue), search and customer pages on
# a large table (default 1,000,000 customers), signed in as the demo officer.
# Prints one-client API search times (BENCH_TERMS), then requests/s, p50, p99
# and the CPU time per request (PostgreSQL's and verity's) per page. Seeding a million customers takes
# a while (see docs/performance.md); set BENCH_DATA_DIR to keep the database
# between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-1000000}
CLIENTS=${BENCH_CLIENTS:-16}
DURATION=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18081}

keep=${BENCH_DATA_DIR:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-pages.XXXXXX")
data=${keep:-$work/data}
mkdir -p bin "$data"
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then chown postgres "$data" 2>/dev/null || chmod 777 "$data"; fi

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
# The private development database: the only one `seed --demo` writes demo staff into.
unset DATABASE_URL
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$data/.seeded-$CUSTOMERS" ]; then
	echo "bench-pages: seeding $CUSTOMERS customers (once per data directory)"
	start=$(date +%s)
	bin/verity seed --demo --customers "$CUSTOMERS" --seed 42 >"$work/seed.log" 2>&1 || { tail -n 30 "$work/seed.log" >&2; exit 1; }
	echo "bench-pages: seeded in $(( $(date +%s) - start )) s"
	touch "$data/.seeded-$CUSTOMERS"
fi
key=$(bin/verity apikey create --name bench-pages --role officer 2>>"$work/seed.log")

ADDR="127.0.0.1:$PORT" bin/verity serve >"$work/serve.log" 2>&1 &
server_pid=$!
# The first start after an upgrade migrates: building a new index over a
# million customers takes minutes (docs/performance.md).
for _ in $(seq 1 6000); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

# CPU ticks used so far, as "db verity": PostgreSQL's (the postmaster and its
# backends, which live as long as the server's pool) and the verity process'.
. scripts/cpu-ticks.sh
ticks() { cpu_ticks "$data" "$server_pid"; }
hz=$(getconf CLK_TCK)

# One request at a time through the API: the median of seven per search term
# (BENCH_TERMS), typing included (one and two letters).
for term in ${BENCH_TERMS-qz ac acme}; do
	q=$(printf %s "$term" | od -An -tx1 | tr -s ' \n' '%%' | sed 's/%$//')
	for _ in 1 2 3 4 5 6 7; do
		curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT/platform/v1/customers?q=$q"
	done | sort -n | awk -v t="$term" 'NR == 4 { printf "bench-pages: 1 client, API q=%s: %.1f ms (median of 7)\n", t, $1 * 1000 }'
done

# Each page scenario on its own, with the CPU time it cost per request.
printf '%-18s %8s %9s %9s %9s %8s %12s %10s\n' scenario requests req/s "p50 ms" "p99 ms" errors "PG µs/req" "verity µs"
for name in "page list" "page queue" "page search" "page mine" "page overdue" "page customer"; do
	case "$name" in *"${BENCH_ONLY:-page}"*) ;; *) continue ;; esac
	read -r d0 v0 < <(ticks)
	out=$(bin/verity-load -url "http://127.0.0.1:$PORT" -key "$key" -clients "$CLIENTS" -duration "$DURATION" -pid "$server_pid" \
		-only "$name" -page-user officer@verity.test -page-password officer-demo-2026)
	read -r d1 v1 < <(ticks)
	echo "$out" | awk -v name="$name" -v d=$((d1 - d0)) -v v=$((v1 - v0)) -v hz="$hz" 'index($0, name) == 1 {
		n = $(NF - 4)
		printf "%-18s %8d %9s %9s %9s %8s %12.0f %10.0f\n", name, n, $(NF - 3), $(NF - 2), $(NF - 1), $NF,
			(n > 0 ? d * 1e6 / hz / n : 0), (n > 0 ? v * 1e6 / hz / n : 0) }'
	rss=$(echo "$out" | grep 'peak RSS' || true)
done
echo "${rss:-}"
