#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UBSan (the Sanitize build type)
# in build-asan/ and runs the whole test suite there. Any sanitizer report
# fails the test it happens in.
#   bash scripts/sanitize.sh [CTEST_ARGS...]     e.g. -R hostile_test
# Environment: ASAN_BUILD_DIR (build-asan).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize >/dev/null
cmake --build "$build" -j"$(nproc)"
# halt_on_error: the first report ends the process (non-zero exit: the test fails).
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900 "$@"
