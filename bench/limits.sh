#!/bin/sh
# Checks the memory and time limits of SPEC's "done when" figures:
#   - a zip holding 16 zips of 1 GiB of zeros each is stopped in under a
#     minute with peak memory under 512 MiB (run with and without --binary:
#     without it the zero members are binary and only drained, metered);
#   - a 2 GiB log and a 512 MiB file with no newline scan with peak RSS
#     under 256 MiB.
# Usage: bench/limits.sh [BUILD_DIR]   (default: build). Needs ~2.6 GiB in $TMPDIR.
set -eu

build=${1:-build}
bin=$build/privaudit
gen=$build/gen_limits
[ -x "$bin" ] || { echo "limits.sh: no $bin (cmake --build $build --target privaudit)" >&2; exit 2; }
[ -x "$gen" ] || { echo "limits.sh: no $gen (cmake --build $build --target gen_limits)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/privaudit-limits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "building inputs in $tmp ..."
"$gen" bomb "$tmp/bomb.zip" 16 1073741824
"$gen" log "$tmp/big.log" 2147483648
"$gen" line "$tmp/one-line.txt" 536870912
ls -l "$tmp"

fail=0
# run NAME LIMIT_MIB LIMIT_SECONDS ARGS...: runs privaudit under time -v.
run() {
  name=$1 limit_mib=$2 limit_s=$3
  shift 3
  set +e
  /usr/bin/time -v "$bin" scan -q --format json -o "$tmp/report.json" "$@" 2>"$tmp/time.txt"
  code=$?
  set -e
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time.txt" |
         awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
  rss_mib=$((rss_kb / 1024))
  findings=$(grep -c '"rule":' "$tmp/report.json" || true)
  errors=$(grep -o '"error": "[^"]*"' "$tmp/report.json" | sort | uniq -c | sed 's/^ */    /' || true)
  verdict=ok
  if [ "$rss_mib" -ge "$limit_mib" ] || awk "BEGIN { exit !($secs >= $limit_s) }"; then
    verdict=FAIL
    fail=1
  fi
  printf '%-34s %7.1f s  peak RSS %5d MiB  exit %d  findings %s  [%s: < %d MiB, < %d s]\n' \
    "$name" "$secs" "$rss_mib" "$code" "$findings" "$verdict" "$limit_mib" "$limit_s"
  [ -n "$errors" ] && echo "$errors"
  return 0
}

run "zip of 16 x 1 GiB zeros" 512 60 "$tmp/bomb.zip"
run "zip of 16 x 1 GiB zeros --binary" 512 60 --binary "$tmp/bomb.zip"
run "2 GiB log" 256 600 "$tmp/big.log"
run "512 MiB, no newline" 256 600 "$tmp/one-line.txt"
exit $fail
