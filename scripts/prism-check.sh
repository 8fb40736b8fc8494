#!/usr/bin/env bash
# Stoplight Prism, in proxy mode, validates a recorded run of the API tests'
# traffic against the OpenAPI document (web/api/openapi/openapi.yaml):
#  1. the Go API tests run with VERITY_API_RECORD set and write every
#     exchange (request and the real server's answer) to a file;
#  2. scripts/prism-replay.mjs puts Prism in front of an upstream that gives
#     back the recorded answers, replays the requests through it and fails on
#     any violation Prism reports;
#  3. the same replay with one answer doctored (an undocumented field) must
#     fail, so a Prism that checks nothing cannot pass.
# Bounded: the tests take about 10 s, each replay a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export TMPDIR="${TMPDIR:-$PWD/tmp}"
mkdir -p "$TMPDIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
doc=web/api/openapi/openapi.yaml

if ! VERITY_API_RECORD="$work/traffic.jsonl" timeout 300 go test -count=1 ./web/api/ >"$work/test.log" 2>&1; then
	cat "$work/test.log" >&2
	echo "prism-check: the API tests failed while recording" >&2
	exit 1
fi
timeout 120 node scripts/prism-replay.mjs "$doc" "$work/traffic.jsonl"

node -e '
const fs = require("fs");
const xs = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
const x = xs.find((x) => x.status === 200 && x.resBody.startsWith("{\"reference\""));
if (!x) { console.error("prism-check: no customer answer to doctor"); process.exit(1); }
x.resBody = JSON.stringify({ ...JSON.parse(x.resBody), internalId: 7 });
fs.writeFileSync(process.argv[2], xs.map((x) => JSON.stringify(x)).join("\n") + "\n");
' "$work/traffic.jsonl" "$work/doctored.jsonl"
if timeout 120 node scripts/prism-replay.mjs "$doc" "$work/doctored.jsonl" >"$work/doctored.log" 2>&1; then
	cat "$work/doctored.log" >&2
	echo "prism-check: Prism passed an answer with an undocumented field; the check has no teeth" >&2
	exit 1
fi
echo "prism-check: a doctored answer (undocumented field) is caught"
