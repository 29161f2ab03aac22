#!/usr/bin/env bash
# Throughput of `privaudit scan` on a PostgreSQL table of ROWS rows (default
# 1,000,000: id, name, a 12-digit account number, a My Number on every
# 1000th row, a note), beside `COPY (SELECT ...) TO STDOUT` into /dev/null,
# the ceiling for reading the rows at all. Starts a private PostgreSQL
# (initdb + pg_ctl under a temporary folder, loopback only), stops and
# removes it on exit. Prints rows/s, MB/s (of COPY's text) and peak RSS.
#
#   bench/db_bench.sh [ROWS]
#   BUILD=build (default) holds privaudit: cmake --build build --target privaudit
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
BUILD=${BUILD:-build}
BIN=$BUILD/privaudit
REPEAT=${REPEAT:-3}
[[ -x $BIN ]] || { echo "build first: cmake --build $BUILD --target privaudit" >&2; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
[[ -x $PGBIN/initdb ]] || { echo "PostgreSQL is not installed (scripts/install-deps.sh)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/privaudit-dbbench-XXXXXX")
RUNAS=()
if [[ $(id -u) == 0 ]]; then chown postgres: "$tmp"; RUNAS=(runuser -u postgres --); fi
cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
"${RUNAS[@]}" "$PGBIN/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U postgres -d postgres)

echo "loading $ROWS rows ..."
"${psql[@]}" <<SQL
CREATE TABLE big AS
SELECT i AS id, 'user' || i AS name,
       lpad((100000000000 + (i::bigint * 982451653) % 800000000000)::text, 12, '0') AS acct,
       CASE WHEN i % 1000 = 0 THEN (ARRAY['123456789018','234567890121'])[(i / 1000) % 2 + 1] END AS mynum,
       'order shipped to the Tokyo branch'::text AS note
FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE big;
SQL
uri="postgresql://postgres@127.0.0.1:$port/postgres"
bytes=$("${psql[@]}" -c "COPY (SELECT id, name, acct, mynum, note FROM big) TO STDOUT" | wc -c)

best() {  # prints the best wall time (s) and its peak RSS (KB) of REPEAT runs of "$@"
  local b=999999 rss=0
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || [[ $? == 1 ]]
    read -r t m < <(tail -n 1 "$tmp/time")  # after "Command exited with non-zero status 1"
    if awk "BEGIN{exit !($t < $b)}"; then b=$t; rss=$m; fi
  done
  echo "$b $rss"
}
read -r copy_s copy_rss < <(best "${psql[@]}" -c "COPY (SELECT id, name, acct, mynum, note FROM big) TO STDOUT")
read -r scan_s scan_rss < <(best "$BIN" scan -q --format json -o "$tmp/report.json" --table public.big "$uri")
found=$(grep -o '"jp-my-number": [0-9]*' "$tmp/report.json" | head -1 || true)

report() {  # label seconds rss
  awk -v l="$1" -v s="$2" -v r="$3" -v n="$ROWS" -v b="$bytes" 'BEGIN {
    s = (s > 0) ? s : 0.01
    printf "%-34s %6.2f s  %9.0f rows/s  %6.1f MB/s  peak RSS %4.0f MB\n", l, s, n / s, b / 1e6 / s, r / 1024 }'
}
echo "rows: $ROWS, COPY text: $(awk -v b="$bytes" 'BEGIN{printf "%.1f MB", b/1e6}'), best of $REPEAT"
report "COPY ... TO STDOUT > /dev/null" "$copy_s" "$copy_rss"
report "privaudit scan postgresql://..." "$scan_s" "$scan_rss"
echo "findings: $found (expected $((ROWS / 1000)))"
