#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages. Idempotent.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      libcli11-dev libfmt-dev libsimdjson-dev libarchive-dev libboost-test-dev
      libvectorscan-dev libssl-dev libuchardet-dev libexpat1-dev
      libsqlite3-dev libpq-dev libmariadb-dev
      mandoc ripgrep time
      clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz/run.sh): clang-14 and its fuzzer runtime
      llvm-14                   # llvm-symbolizer: file:line in fuzz crash reports
      postgresql mariadb-server   # private test instances (tests/stores_test.cpp)
      chromium fonts-noto-cjk   # headless HTML report test and docs/report.png
      ca-certificates libicu72) # npm test tools (scripts/install-test-tools.sh); the SARIF multitool is .NET
# Node.js and npm for the test tools: Debian's, unless the machine has its own.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
