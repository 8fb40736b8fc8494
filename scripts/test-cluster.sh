#!/usr/bin/env bash
# make test-cluster: a PostgreSQL primary and its streaming replica
# (pg_basebackup -R), two `verity serve` reading lists from the replica, and
# nginx in front running deploy/nginx/verity.conf — all on loopback, started
# and stopped here. Mixed load goes through nginx while each instance is
# restarted in turn with SIGTERM; the run fails on any failed request, any
# lost or doubled write (counted against the audit), or list traffic that
# never reached the replica. The work lives in a temporary directory, kept
# only when the run fails.
#
# Knobs: CLUSTER_DURATION (30s), CLUSTER_PORT (it and the next three; default:
# free ones),
# CLUSTER_KEEP=1 (keep the work directory).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh
scripts/ensure-nginx.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/verity-cluster.XXXXXX")
cleanup() {
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "test-cluster: FAILED (exit $rc); logs in $work (verity-*.log, nginx/, postgres.log, replica.log)" >&2
	elif [ "${CLUSTER_KEEP:-}" = 1 ]; then
		echo "test-cluster: work directory kept: $work"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p bin
go build -o bin/verity ./cmd/verity
go build -o "$work/cluster" ./scripts/cluster
"$work/cluster" -verity bin/verity -nginx "$(command -v nginx || echo /usr/sbin/nginx)" \
	-site deploy/nginx/verity.conf -work "$work" \
	-duration "${CLUSTER_DURATION:-30s}" -port "${CLUSTER_PORT:-0}"
