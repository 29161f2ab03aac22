#!/usr/bin/env bash
# Benchmark for `privaudit link`: two generated tables of ROWS rows each
# (default 5,000,000), 20% of people in both, 100 planted identifier
# conflicts per table. Prints wall seconds and peak RSS (/usr/bin/time -v)
# for key discovery and for --on quasi-identifier keys, and checks the
# shared My Number count against the generator's truth.
#
#   bench/link_bench.sh [ROWS] [OUT_DIR]
#   BUILD=build (default) holds privaudit and linkgen:
#   cmake --build build --target privaudit linkgen
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
OUT=${2:-${TMPDIR:-/tmp}/privaudit-link-bench-$ROWS}
BUILD=${BUILD:-build}
BIN=$BUILD/privaudit
GEN=$BUILD/linkgen
[[ -x $BIN && -x $GEN ]] || { echo "build first: cmake --build $BUILD --target privaudit linkgen" >&2; exit 2; }
mkdir -p "$OUT"
if [[ ! -s $OUT/truth.txt ]]; then
  echo "generating 2 x $ROWS rows in $OUT ..."
  "$GEN" "$OUT" "$ROWS"
fi
ls -l "$OUT"/a.csv "$OUT"/b.csv | awk '{printf "%s %.0f MB\n", $NF, $5/1e6}'
export PRIVAUDIT_KEY=link-bench

measure() {  # label, args...
  local label=$1; shift
  local log=$OUT/time-$label.txt
  /usr/bin/time -v "$BIN" link -q --fail-on never --format json -o "$OUT/report-$label.json" "$@" 2>"$log"
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  echo "$label: wall $secs, peak RSS ${rss} MB"
}

measure discover "$OUT/a.csv" "$OUT/b.csv"
measure on-qi "$OUT/a.csv" "$OUT/b.csv" --on 生年月日=birth_date,性別=sex,郵便番号=zip

want=$(awk '/shared_my_numbers/ {print $2}' "$OUT/truth.txt")
got=$(grep -o '"shared_values": [0-9]*' "$OUT/report-discover.json" | head -1 | grep -o '[0-9]*$')
conflicts=$(grep -c '"rule": "link-identifier-conflict"' "$OUT/report-discover.json" || true)
echo "shared My Numbers: $got (truth $want); identifier conflicts: $conflicts (planted 200)"
[[ $got == "$want" ]] || { echo "MISMATCH" >&2; exit 1; }
