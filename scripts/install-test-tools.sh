#!/usr/bin/env bash
# Installs the test-only npm tools into tests/tools/node_modules from the
# committed package-lock.json: Microsoft's SARIF multitool (and the SARIF
# 2.1.0 JSON schema it ships) and ajv to validate against that schema.
# Idempotent; needs node and npm (scripts/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"
tool=node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ -f "$tool" ] && [ -f node_modules/ajv/package.json ] && [ -f node_modules/ajv-formats/package.json ] &&
   [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
# The package's own postinstall step (chmod) may be skipped by npm's script policy.
chmod u+x "$tool"
