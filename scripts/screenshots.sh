#!/usr/bin/env bash
# Refreshes the README's screenshots in docs/screenshots/ by running the
# browser tests that take them against a fresh demo. Test runs themselves
# write their screenshots to the ignored e2e/output/ and change no tracked file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

ECR_UPDATE_SCREENSHOTS=1 timeout 1200 node --test --test-concurrency=1 \
  e2e/ecr-tab.test.mjs e2e/audit.test.mjs e2e/claim.test.mjs </dev/null
git status --short docs/screenshots
