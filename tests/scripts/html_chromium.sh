#!/usr/bin/env bash
# The HTML report in headless Chromium: it renders with its findings, charts
# and working script, loads nothing external, and hostile names stay inert.
#   html_chromium.sh PRIVAUDIT_BIN SOURCE_DIR
. "$(dirname "$0")/common.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || missing_tool chromium

cd "$WORK"
printf 'html test key\n' > key
make_corpus corpus
set +e
"$BIN" scan -q --key-file key -o scan.html corpus corpus/broken-link
rc=$?
set -e
[ "$rc" = 1 ] || fail "scan exited $rc, expected 1"

# A saved report naming an archive member with a hostile name.
cat > member.json <<'JSON'
{
  "schema": "privaudit.report/1",
  "tool": {"name": "privaudit", "version": "0.1.0"},
  "command": "scan",
  "started_at": "2026-11-23T08:00:00Z",
  "duration_ms": 5,
  "fingerprint_key": "user-supplied",
  "inputs": {"files": 1, "bytes": 100, "skipped": [{"path": "x<iframe src=x>.bin", "reason": "binary"}]},
  "errors": [{"path": "leak.zip!/<svg onload=alert(1)>.csv", "error": "truncated <b>member</b>"}],
  "findings": [
    {"rule": "jp-my-number", "severity": "critical", "confidence": "high",
     "path": "leak.zip!/<script>alert(1)</script>.csv", "line": 2, "column": 3, "offset": 20,
     "field": "<img src=x onerror=alert(2)>", "record": 1, "masked": "********9018",
     "fingerprint": "9f1c2e7a4b0d3f11", "message": "Individual Number (My Number) with a valid check digit"}
  ],
  "summary": {"findings": 1, "by_rule": {"jp-my-number": 1}, "by_severity": {"critical": 1},
              "distinct_values": {"jp-my-number": 1}, "suppressed": 0}
}
JSON
"$BIN" report member.json --format html -o member.html

for page in scan.html member.html; do
  # Nothing external: no URL at all in the page, and a CSP that forbids fetches.
  if grep -Eq 'https?:|src="|href="|url\(|@import' "$page"; then
    grep -Eo '.{0,40}(https?:|src="|href="|url\(|@import).{0,40}' "$page" >&2
    fail "$page refers to something external"
  fi
  grep -q "default-src 'none'" "$page" || fail "$page has no Content-Security-Policy"
  profile=$(mktemp -d "$WORK/profile.XXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "file://$WORK/$page" > "$page.dom" 2> "$page.chromium.log" || { tail -20 "$page.chromium.log" >&2; fail "chromium failed on $page"; }
  [ -s "$page.dom" ] || fail "empty DOM for $page"
  grep -q 'id="findings-table"' "$page.dom" || fail "$page: no findings table"
  grep -q '<svg' "$page.dom" || fail "$page: no chart"
  grep -q '<rect' "$page.dom" || fail "$page: chart has no bars"
  grep -q '\*\*\*\*\*\*\*\*9018' "$page.dom" || fail "$page: a masked My Number is missing"
  grep -Eq 'id="filter-count">[0-9]+ of [0-9]+ shown' "$page.dom" || fail "$page: the script did not run"
  # Hostile names are text, never elements.
  if grep -Eq '<img|<iframe|<script>alert|<svg onload|<b>member' "$page.dom"; then
    grep -Eo '.{0,40}(<img|<iframe|<script>alert|<svg onload|<b>member).{0,40}' "$page.dom" >&2
    fail "$page: a name from the data became an element"
  fi
done
grep -q '&lt;img src=x onerror=alert(1)&gt;.txt' scan.html.dom || fail "scan.html: the hostile file name is not shown as text"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;.csv' member.html.dom || fail "member.html: the hostile member name is not shown as text"
grep -q 'broken-link' scan.html.dom || fail "scan.html: the error is not listed"
grep -q 'tool.bin' scan.html.dom || fail "scan.html: the skipped input is not listed"
echo "PASS: HTML report renders in $("$CHROMIUM" --version 2>/dev/null | head -1) and stays inert"
