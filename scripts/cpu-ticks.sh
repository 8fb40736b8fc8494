# shellcheck shell=bash
# CPU time of a private PostgreSQL and of verity serve, for the bench scripts
# (sourced). The steadier figure on a shared machine: per request, it does not
# depend on what else the CPUs were doing.

# cpu_ticks DATA_DIR SERVER_PID prints two clock-tick counts: PostgreSQL's
# (its postmaster, the backends it reaped and the live ones) and the server's.
cpu_ticks() {
	local pm
	pm=$(head -n 1 "$1/pg/postmaster.pid")
	cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^\([0-9]*\) .*) /\1 /' | awk -v pm="$pm" -v sv="$2" '
		# $1 pid, $3 ppid, $13 utime, $14 stime, $15 cutime, $16 cstime
		$1 == pm { db += $13 + $14 + $15 + $16 }
		$3 == pm { db += $13 + $14 }
		$1 == sv { v = $13 + $14 }
		END { printf "%d %d\n", db, v }'
}

# per_req prints microseconds per request from two tick counts and a request count.
per_req() { awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (n > 0 ? (b - a) * 1e6 / hz / n : 0) }'; }
