#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages. Idempotent.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      libcli11-dev libfmt-dev libsimdjson-dev libarchive-dev libboost-test-dev
      libvectorscan-dev libssl-dev libuchardet-dev libexpat1-dev
      libsqlite3-dev libpq-dev libmariadb-dev
      mandoc ripgrep time
      postgresql mariadb-server)  # private test instances (tests/stores_test.cpp)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
