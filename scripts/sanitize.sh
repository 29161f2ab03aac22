#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UBSan (the Sanitize build type)
# in build-asan/ and runs the whole test suite there. Any sanitizer report
# fails the test it happens in.
#   bash scripts/sanitize.sh [CTEST_ARGS...]     e.g. -R hostile_test
# Environment: ASAN_BUILD_DIR (build-asan).
#
# Many tests run the privaudit binary with its stderr discarded and expect
# exit code 1 (findings at the gate), which is also the sanitizers' default
# exit code: a report in such a child would pass unseen. So any report
# (ASan, UBSan, a leak at exit) ends the process with exit code 99, which no
# test expects. (log_path is no help: with GCC's two runtimes, libasan and
# libubsan, it is not reliably honoured.)
# tests/lsan.supp lists leaks inside third-party libraries only.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize >/dev/null
cmake --build "$build" -j"$(nproc)"
# halt_on_error: the first report ends the process (exit code 99).
common="exitcode=99"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1}:$common
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}:$common
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}:$common
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900 "$@"
