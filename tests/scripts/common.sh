# Shared by the script tests: arguments, a scratch folder, and the rule that
# a missing tool skips the test (exit 77) on a developer's machine but fails
# it under CI (CI=true), where scripts/bootstrap.sh must have installed it.
set -euo pipefail
BIN=$1
SRC=$2
WORK=$(mktemp -d /tmp/privaudit-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

missing_tool() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $1 is not installed, and CI=true: scripts/bootstrap.sh test must install it" >&2
    exit 1
  fi
  echo "SKIP: $1 is not installed (run scripts/install-deps.sh and scripts/install-test-tools.sh)" >&2
  exit 77
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A mixed corpus: the examples, awkward and hostile file names, nested
# folders, a binary file (skipped) and a broken symlink (an error).
make_corpus() {
  local c=$1
  mkdir -p "$c/nested/deeper" "$c/データ 一覧"
  cp "$SRC"/examples/*.csv "$SRC"/examples/*.log "$SRC"/examples/*.jsonl "$SRC"/examples/*.txt "$c/"
  printf 'マイナンバー 1234-5678-9018\n' > "$c/<img src=x onerror=alert(1)>.txt"
  printf 'id,個人番号\n1,621498320257\n' > "$c/データ 一覧/名簿 #1 (100%%).csv"
  printf '{"person":{"ids":{"mynumber":"６２１４９８３２０２５７"}},"mail":"a.b@example.jp"}\n' > "$c/nested/deeper/x y.jsonl"
  printf 'card_number=4111 1111 1111 1111 privaudit:allow\ncard_number=5555-5555-5555-4444\n' > "$c/nested/pay;ments.log"
  printf 'ELF\0\0\0binary' > "$c/nested/tool.bin"
  ln -s does-not-exist "$c/broken-link"
}
