#!/bin/sh
# Times `privaudit consent` on a generated 1M-event ledger and 1M-record log,
# on one core. Usage: bench/consent_bench.sh [BUILD_DIR] [EVENTS] [RECORDS]
# (defaults: build 1000000 1000000). Needs the privaudit and consent_gen
# targets: cmake --build build --target privaudit consent_gen
set -eu
build=${1:-build}
events=${2:-1000000}
records=${3:-1000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/consent_bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$build/consent_gen" "$dir" "$events" "$records" 1
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
for run in 1 2 3; do
  /usr/bin/time -f "run $run: %e s wall, %U s user, %M KiB max RSS" \
    $pin "$build/privaudit" consent --ledger "$dir/ledger.jsonl" "$dir/log.csv" \
    --format json -o "$dir/report.json" --fail-on never -q
done
python3 - "$dir/report.json" <<'PY' 2>/dev/null || true
import json, sys
r = json.load(open(sys.argv[1]))
c = r["consent"]
print("records", c["records"], "ledger_events", c["ledger_events"], "provision_records", c["provision_records"])
print("by_rule", json.dumps(c["by_rule"]))
PY
