#!/usr/bin/env bash
# Makes sure nginx is on this machine for `make test-cluster`: Debian's nginx
# package when we are root with apt (its default site is not started: the
# test runs its own nginx with its own configuration), otherwise it names
# the fix. Prints one line.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
	echo "ensure-nginx: $( (command -v nginx || echo /usr/sbin/nginx) | head -1)"
	exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	export DEBIAN_FRONTEND=noninteractive
	# No service starts inside a container or CI; on a machine with systemd the
	# package would start nginx on port 80, which policy-rc.d prevents.
	policy=/usr/sbin/policy-rc.d
	made_policy=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
	fi
	ok=1
	{ apt-get -o DPkg::Lock::Timeout=300 update && apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends nginx; } >"$log" 2>&1 || ok=""
	[ -n "$made_policy" ] && rm -f "$policy"
	if [ -z "$ok" ]; then
		cat "$log" >&2
		echo "ensure-nginx: apt-get install nginx failed" >&2
		exit 1
	fi
	echo "ensure-nginx: installed $(/usr/sbin/nginx -v 2>&1)"
	exit 0
fi
echo "ensure-nginx: no nginx, and no apt-get as root to install it: install nginx (Debian/Ubuntu: apt-get install nginx)" >&2
exit 1
