#!/usr/bin/env bash
# Throughput benchmark, side by side in one run:
#   cat piped through a second cat (the ceiling: reading the files from the
#   page cache through a pipe, one copy more than a plain read; a bare
#   `cat files > /dev/null` showed one 10 ms tick of time's %e, 13 GB/s),
#   ripgrep with the two naive unvalidated My Number regexes the issue names
#   (4-4-4 with optional separators, the base of the "vs rg -j1" column, and
#   \b[0-9]{12}\b), privaudit scan -j1 and -j$(nproc) (every built-in rule,
#   validated), over a folder of files and over one large log (which
#   -j$(nproc) splits).
# Usage: bash bench/run.sh [MEGABYTES=128] [ID_RATE=0.2]
# Needs a build (bash scripts/bootstrap.sh scan builds one) and ripgrep
# (installed by scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-128}
RATE=${2:-0.2}
BUILD=${BUILD_DIR:-build}
OUT=bench/out
SHARDS=8
command -v rg >/dev/null || { echo "bench: ripgrep is missing: run scripts/install-deps.sh" >&2; exit 1; }
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target privaudit gencorpus >/dev/null
rm -rf "$OUT/corpus"; mkdir -p "$OUT/corpus"
for i in $(seq 0 $((SHARDS - 1))); do
  mkdir -p "$OUT/corpus/shard$i"
  "$BUILD/gencorpus" gen "$OUT/corpus/shard$i" $((MB / SHARDS)) $((1000 + i)) "$RATE" >/dev/null
  mv "$OUT/corpus/shard$i/truth.tsv" "$OUT/truth$i.tsv"
done
bytes=$(find "$OUT/corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$OUT/corpus" -type f | sort)
# One large log (the shards' logs and prose, concatenated): a single file
# that -j N splits across threads.
rm -rf "$OUT/big"; mkdir -p "$OUT/big"
cat "$OUT"/corpus/shard*/app.log "$OUT"/corpus/shard*/memo.txt > "$OUT/big/all.log"
big_bytes=$(stat -c %s "$OUT/big/all.log")
format=json
"$BUILD/privaudit" scan --help | grep -q jsonl && format=jsonl
cat $files "$OUT/big/all.log" > /dev/null  # warm the page cache

measure() {  # name, command...
  local name=$1; shift
  local best=999999 rss=0 t0 t1 secs kb
  for _ in 1 2 3; do
    # Wall time in milliseconds (time's %e counts in 10 ms steps, too coarse
    # for the ceiling); peak RSS from time.
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$OUT/time.txt" "$@" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    kb=$(tail -n 1 "$OUT/time.txt")
    best=$(awk -v a="$best" -v b="$secs" 'BEGIN {print (b < a) ? b : a}')
    rss=$kb
  done
  echo "$name $best $rss"
}

RG444='\b[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}\b'
RG12='\b[0-9]{12}\b'
{
  measure "cat | cat (ceiling)" sh -c "cat $(echo $files) | cat > /dev/null"
  measure "rg -j1 4-4-4 (naive regex)" rg -j1 -c "$RG444" "$OUT/corpus"
  measure "rg -j1 $RG12" rg -j1 -c "$RG12" "$OUT/corpus"
  measure "privaudit scan -j1" "$BUILD/privaudit" scan -q -j1 --format "$format" -o /dev/null "$OUT/corpus"
  measure "privaudit scan -j$(nproc)" "$BUILD/privaudit" scan -q -j"$(nproc)" --format "$format" -o /dev/null "$OUT/corpus"
} > "$OUT/results.txt"
{
  measure "rg -j1 4-4-4 (naive regex)" rg -j1 -c "$RG444" "$OUT/big/all.log"
  measure "rg -j1 $RG12" rg -j1 -c "$RG12" "$OUT/big/all.log"
  measure "privaudit scan -j1" "$BUILD/privaudit" scan -q -j1 --format "$format" -o /dev/null "$OUT/big/all.log"
  measure "privaudit scan -j$(nproc)" "$BUILD/privaudit" scan -q -j"$(nproc)" --format "$format" -o /dev/null "$OUT/big/all.log"
} > "$OUT/results-big.txt"

table() {  # results file, bytes
  local rg_s pa1
  rg_s=$(awk '/^rg -j1 4-4-4 / {print $(NF-1)}' "$1")  # "vs rg -j1": against the 4-4-4 regex
  pa1=$(awk '/^privaudit scan -j1 / {print $(NF-1)}' "$1")
  printf '%-28s %9s %10s %12s %12s %12s\n' tool seconds "MB/s" "vs rg -j1" "vs -j1" "peak RSS MB"
  while read -r line; do
    rss=${line##* }; rest=${line% *}; secs=${rest##* }; name=${rest% *}
    N=$name awk -v s="$secs" -v r="$rss" -v b="$2" -v g="$rg_s" -v p="$pa1" \
      'BEGIN {n = ENVIRON["N"]; s = (s < 0.001) ? 0.001 : s; vs1 = (n ~ /^privaudit/) ? sprintf("%11.2fx", p/s) : sprintf("%12s", "");
              printf "%-28s %9.3f %10.1f %11.2fx %s %12.1f\n", n, s, b/1e6/s, g/s, vs1, r/1024}'
  done < "$1"
}
echo "corpus: $(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b/1e6}') in $SHARDS shards (CSV, JSONL, logs, Japanese prose; id rate $RATE), $(nproc) cores"
table "$OUT/results.txt" "$bytes"
echo
echo "one file: $(awk -v b="$big_bytes" 'BEGIN {printf "%.1f MB", b/1e6}') (the shards' logs and prose in one file; -j$(nproc) splits it)"
table "$OUT/results-big.txt" "$big_bytes"
# Accuracy on the same corpus: precision and recall per rule against the generator's truth.
"$BUILD/privaudit" scan -q -j"$(nproc)" --format json -o "$OUT/report.json" "$OUT/corpus" || true
for i in $(seq 0 $((SHARDS - 1))); do cp "$OUT/truth$i.tsv" "$OUT/corpus/shard$i/truth.tsv"; done
echo "accuracy (shard 0):"
"$BUILD/privaudit" scan -q -j1 --format json -o "$OUT/report0.json" "$OUT/corpus/shard0" --exclude truth.tsv || true
"$BUILD/gencorpus" eval "$OUT/corpus/shard0" "$OUT/report0.json"
