# shellcheck shell=bash
# runnable.sh samples, while a process runs, how many threads of it and of a
# private PostgreSQL's backends are runnable (state R: running or waiting for
# a CPU), every 0.2 s, and prints the mean of min(2, that count): how busy
# the work could keep this machine's two cores, whatever else shares them —
# on a busy machine CPU time / wall time says more about the neighbours.
# Sourced by scripts/bench-import.sh.

# runnable_sample PID PGDATA OUT: samples until PID ends, appending to OUT.
runnable_sample() {
	local pid=$1 pm backends="" n=0
	pm=$(head -n 1 "$2/postmaster.pid")
	while kill -0 "$pid" 2>/dev/null; do
		if [ $((n % 10)) = 0 ]; then # the backends, again every 2 s
			backends=$(awk -v pm="$pm" '$4 == pm { printf "%s ", $1 }' /proc/[0-9]*/stat 2>/dev/null || true)
		fi
		n=$((n + 1))
		# shellcheck disable=SC2086
		cat /proc/"$pid"/task/*/stat $(for b in $backends; do echo "/proc/$b/stat"; done) 2>/dev/null |
			sed 's/^.*) //' | awk '$1 == "R" { r++ } END { print r + 0 }' >>"$3" || true
		sleep 0.2
	done
}

# runnable_mean OUT prints the mean of min(2, count) over the samples.
runnable_mean() { awk '{ s += ($1 > 2 ? 2 : $1); n++ } END { printf "%.2f", n ? s / n : 0 }' "$1"; }
