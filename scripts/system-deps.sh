#!/usr/bin/env bash
# Installs the Debian packages the tests drive when they are missing:
# Chromium for the browser tests, the AWS CLI that checks the emulator speaks
# the real wire protocols, and PostgreSQL and Redis for the scale-out test
# (e2e/scale-out.test.mjs runs scripts/scale-out.sh, which starts its own servers),
# and Java for OpenAPI Generator.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/aws ] || missing+=(awscli)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
# Java runs OpenAPI Generator for `yarn openapi:verify` (scripts/openapi.sh).
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -qq
timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
