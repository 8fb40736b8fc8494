#!/usr/bin/env bash
# make bench-documents: the memory test of the documents (issue 9). Starts a
# `verity serve` on a fresh private database with a few hundred demo
# customers, then 20 concurrent 10 MiB uploads (BVNK's JSON body, base64)
# followed by 20 concurrent downloads, sampling the server's RSS
# (/proc/PID/status VmRSS every 20 ms, and VmHWM). Prints peak RSS and
# throughput; the figure goes into docs/performance.md ("Documents").
set -euo pipefail
cd "$(dirname "$0")/.."

DOCS=${BENCH_DOCUMENTS:-20}
SIZE=${BENCH_DOCUMENT_SIZE:-10485760}
PORT=${BENCH_PORT:-18082}

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-bench-documents.XXXXXX")
data=$work/data
mkdir -p bin "$data"
go build -o bin/verity ./cmd/verity
go build -o bin/verity-load ./cmd/verity-load
if [ "$(id -u)" = 0 ]; then chown postgres "$data" 2>/dev/null || chmod 777 "$data"; fi

export DATA_DIR="$data" LOG_LEVEL=warn VERITY_ENV=development
unset DATABASE_URL
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

bin/verity seed --demo --customers 200 --seed 9 >"$work/seed.log" 2>&1 || { tail -n 30 "$work/seed.log" >&2; exit 1; }
key=$(bin/verity apikey create --name bench-documents --role officer 2>>"$work/seed.log")

ADDR="127.0.0.1:$PORT" bin/verity serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }
echo "bench-documents: server RSS before the test: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$server_pid/status)"

bin/verity-load -url "http://127.0.0.1:$PORT" -key "$key" -clients 1 -pid "$server_pid" \
	-documents "$DOCS" -document-size "$SIZE"
