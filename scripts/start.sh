#!/usr/bin/env bash
# Installs everything and starts the demo: frontend on :3000, backend on :7007
# (SQLite in memory, guest sign-in).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

yarn install
exec yarn start
