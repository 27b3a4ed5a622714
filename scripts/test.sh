#!/usr/bin/env bash
# Installs everything and runs the whole test suite: unit and integration tests
# of every package, then the browser tests against the running demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

bash scripts/system-deps.sh
timeout 1200 yarn install --immutable

echo "--- unit and integration tests"
source scripts/test-services.sh
CI=true timeout 1800 yarn backstage-cli repo test </dev/null

echo "--- browser tests"
timeout 2100 yarn test:e2e </dev/null
