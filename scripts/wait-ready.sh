# shellcheck shell=bash
# Sourced by the bench scripts. wait_ready NAME PORT PID [TRIES] waits until
# the verity serve on PORT (process PID) answers /readyz, trying every 0.2 s
# TRIES times (150: 30 s); it fails, saying so as NAME, when the process exits
# first or the last try gets no answer.
wait_ready() {
	local i
	for ((i = 0; i < ${4:-150}; i++)); do
		curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$3" 2>/dev/null || { echo "$1: verity serve exited during start-up" >&2; return 1; }
		sleep 0.2
	done
	curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null || { echo "$1: verity serve not ready on :$2" >&2; return 1; }
}
