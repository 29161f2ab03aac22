#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available).
#   bash scripts/bootstrap.sh scan   install deps, build, run `privaudit scan examples/`
#   bash scripts/bootstrap.sh test   install deps, build, run the whole test suite (CTest), then
#                                    again under ASan+UBSan, then each fuzz target for 30 s
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-scan}
bash scripts/install-deps.sh
if [ "$mode" = test ]; then bash scripts/install-test-tools.sh; fi
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
cmake --build "$BUILD_DIR" -j"$(nproc)"
case "$mode" in
  scan)
    set +e
    "$BUILD_DIR/privaudit" scan examples/
    rc=$?
    echo "(privaudit exit code: $rc — 1 means findings at or above the gate, as designed)" >&2
    exit 0 ;;
  test)
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
    # The same suite under AddressSanitizer and UBSan (build-asan/), then
    # every fuzz target for FUZZ_SECONDS (build-fuzz/). SANITIZE=0 or
    # FUZZ_SECONDS=0 leaves either out.
    if [ "${SANITIZE:-1}" != 0 ]; then bash scripts/sanitize.sh; fi
    if [ "${FUZZ_SECONDS:-30}" != 0 ]; then bash tests/fuzz/run.sh "${FUZZ_SECONDS:-30}"; fi ;;
  *) echo "usage: $0 scan|test" >&2; exit 2 ;;
esac
