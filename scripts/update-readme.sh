#!/usr/bin/env bash
# Refreshes the main job's output shown in README.md from a real run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(build/privaudit scan --no-color examples/ 2>&1 || true)
awk -v out="$out" '
  /<!-- scan-output:start -->/ { print; print "```text"; print "$ privaudit scan examples/"; print out; print "```"; skip = 1; next }
  /<!-- scan-output:end -->/ { skip = 0 }
  !skip { print }
' README.md > README.md.tmp && mv README.md.tmp README.md
