#!/bin/sh
# Benchmark of `privaudit risk` on one thread: generates a ROWS-row CSV with
# 6 quasi-identifier columns (bench/gen_table.cpp), runs the analysis, and
# reports rows/s (wall, and per core: user + system CPU time), peak RSS (GNU
# time), and the split between counting the records and the metrics computed
# from the classes (PRIVAUDIT_RISK_TIMING).
#
#   bench/risk_bench.sh [BUILD_DIR] [ROWS]      (defaults: build 10000000)
set -eu
build=${1:-build}
rows=${2:-10000000}
dir=${TMPDIR:-/tmp}/privaudit-risk-bench
mkdir -p "$dir"
csv="$dir/table-$rows.csv"
cmake --build "$build" --target privaudit gen_table >/dev/null
if [ ! -s "$csv" ]; then
  "$build/gen_table" "$rows" 42 > "$csv"
fi
bytes=$(wc -c < "$csv")
cat "$csv" > /dev/null  # warm the page cache: measure parsing, not the disk
qi=birth_year,sex,prefecture,occupation,nationality,marital_status
PRIVAUDIT_RISK_TIMING=1 /usr/bin/time -v "$build/privaudit" risk "$csv" --qi "$qi" --sensitive diagnosis \
  --population 100000000 --format json -o "$dir/report.json" -q -j 1 2> "$dir/time.txt" || true
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt" |
  awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
user=$(sed -n 's/.*User time (seconds): //p' "$dir/time.txt")
sys=$(sed -n 's/.*System time (seconds): //p' "$dir/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
classes=$(sed -n 's/.*"equivalence_classes": \([0-9]*\).*/\1/p' "$dir/report.json" | head -1)
timing=$(sed -n 's/^risk timing: //p' "$dir/time.txt")
awk -v timing="$timing" -v rows="$rows" -v bytes="$bytes" -v secs="$secs" -v user="$user" -v sys="$sys" -v rss="$rss" -v cls="$classes" 'BEGIN {
  cpu = user + sys
  printf "rows          %d (%.0f MB, 6 quasi-identifiers + sensitive)\n", rows, bytes / 1e6
  printf "classes       %s\n", cls
  printf "wall          %.2f s  -> %.2f M rows/s, %.0f MB/s\n", secs, rows / secs / 1e6, bytes / secs / 1e6
  printf "cpu           %.2f s  -> %.2f M rows/s per core\n", cpu, rows / cpu / 1e6
  printf "peak RSS      %.1f MB\n", rss / 1024
  if (timing != "") printf "phases        %s\n", timing
}'
