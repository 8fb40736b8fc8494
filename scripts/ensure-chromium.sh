#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (Playwright drives it through executablePath; it downloads no browser of its
# own). Idempotent and quiet: one line, or the installer's output on failure.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM not found; install it as root: apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() { cat "$log" >&2; echo "ensure-chromium: $1" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 || fail "apt-get update failed"
# fonts-liberation: without a font, pages render as boxes in screenshots.
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium fonts-liberation >>"$log" 2>&1 ||
  fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "installed chromium, yet $CHROMIUM is missing"
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
