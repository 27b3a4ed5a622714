#!/usr/bin/env bash
# Fails when a published package's API or dependencies changed without its
# reports being regenerated and reviewed: the API reports (report.api.md, with
# release tags validated) and the knip reports (knip-report.md: unused or
# missing dependencies). Regenerate them with `yarn build:api-reports` and
# `yarn build:knip-reports`, read the diff, and commit it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

packages=(plugins/ecr-common plugins/ecr-node plugins/ecr-backend plugins/ecr plugins/scaffolder-backend-module-ecr)

# API Extractor reads the type declarations that tsc writes to dist-types/. They
# are written afresh from one whole compilation: an incremental one re-emits only
# what changed, and TypeScript may then print a union's members in another order.
rm -rf dist-types
yarn tsc --incremental false
yarn backstage-repo-tools api-reports --ci \
  -o ae-undocumented,ae-wrong-input-file-type --validate-release-tags "${packages[@]}"
yarn backstage-repo-tools knip-reports --ci "${packages[@]}"
