#!/usr/bin/env bash
# SARIF from a scan of a mixed corpus (and from an aggregated scan past 5,000
# results) must pass Microsoft's SARIF multitool (SARIF and GitHub rules) and
# the SARIF 2.1.0 JSON schema with zero errors.
#   sarif_validate.sh PRIVAUDIT_BIN SOURCE_DIR
. "$(dirname "$0")/common.sh"
TOOLS=$SRC/tests/tools
MULTITOOL=$TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
command -v node >/dev/null || missing_tool node
[ -f "$MULTITOOL" ] && [ -f "$TOOLS/node_modules/ajv/package.json" ] || missing_tool "the SARIF multitool (tests/tools)"

cd "$WORK"
printf 'sarif test key\n' > key
make_corpus corpus
set +e
"$BIN" scan -q --key-file key --format sarif -o mixed.sarif corpus corpus/broken-link
rc=$?
set -e
[ "$rc" = 1 ] || fail "scan exited $rc, expected 1"

# Past kSarifMaxResults: 5,200 valid My Numbers in one column, aggregated.
node -e '
const w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
let out = "id,個人番号\n";
for (let i = 0; i < 5200; i++) {
  const body = String(10000000000 + i * 7919).padStart(11, "0").slice(-11);
  let s = 0;
  for (let k = 0; k < 11; k++) s += Number(body[k]) * w[k];
  const r = s % 11;
  out += `${i},${body}${r <= 1 ? 0 : 11 - r}\n`;
}
require("fs").mkdirSync("big");
require("fs").writeFileSync("big/many.csv", out);
'
set +e
"$BIN" scan -q --key-file key --format sarif -o big.sarif big
rc=$?
set -e
[ "$rc" = 1 ] || fail "big scan exited $rc, expected 1"
grep -q '"aggregated": true' big.sarif || fail "big.sarif is not aggregated"

status=0
for f in mixed.sarif big.sarif; do
  # The multitool exits 0 even when it finds errors: read its output.
  DOTNET_CLI_TELEMETRY_OPTOUT=1 "$MULTITOOL" validate "$f" --rule-kind "Sarif;Gh" > "$f.validate.txt" 2>&1 || true
  grep -q "Analysis completed successfully" "$f.validate.txt" || { cat "$f.validate.txt"; fail "multitool did not finish on $f"; }
  if grep -q ': error ' "$f.validate.txt"; then
    grep ': error ' "$f.validate.txt" >&2
    status=1
  fi
  echo "$f: multitool: $(grep -c ': error ' "$f.validate.txt" || true) errors, $(grep -c ': warning ' "$f.validate.txt" || true) warnings"
done
(cd "$TOOLS" && node validate-sarif-schema.js "$WORK/mixed.sarif" "$WORK/big.sarif") || status=1
[ "$status" = 0 ] || fail "SARIF validation errors"
echo "PASS: SARIF validates (multitool + JSON schema)"
