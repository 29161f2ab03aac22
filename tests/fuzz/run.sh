#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS, from its seed corpus in tests/fuzz/corpus/<target>/.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 30 s, every target)
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_JOBS (targets run at once;
# default: cores), FUZZ_FLAGS (extra libFuzzer flags).
# New inputs go to FUZZ_BUILD_DIR/corpus/<target>/, crashes to
# FUZZ_BUILD_DIR/artifacts/; each target's log is FUZZ_BUILD_DIR/logs/<target>.log.
# Exits non-zero when a target crashed, leaked, timed out or ran out of memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
cxx=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14)}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DPRIVAUDIT_FUZZ=ON >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
mkdir -p "$build/artifacts" "$build/logs"

# Runs one target; prints its final figures; returns libFuzzer's status.
run_one() {
  local t=$1 work="$build/corpus/$1" log="$build/logs/$1.log"
  mkdir -p "$work"
  local rc=0
  "$build/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" ${FUZZ_FLAGS:-} \
    "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  local done_line cov
  done_line=$(grep -E '^#[0-9]+ +DONE' "$log" | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 || true)
  local execs
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  if [ $rc -eq 0 ]; then
    echo "$t: ok, ${execs:-?} runs in ${seconds}s, ${cov:-no coverage line}"
  else
    echo "$t: FAILED (exit $rc), see $log"
    grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 || true
  fi
  return $rc
}

status=0
pids=()
names=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ $status -eq 0 ] && echo "fuzz: every target ran ${seconds}s without a crash" || echo "fuzz: FAILED" >&2
exit $status
