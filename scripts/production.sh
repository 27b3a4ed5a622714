#!/usr/bin/env bash
# Builds the production bundle and runs it as Backstage's host build does
# (https://backstage.io/docs/deployment/docker, "Host Build"), without Docker:
#
#   1. `yarn tsc`, then `yarn build:backend`: the backend bundle
#      packages/backend/dist/{skeleton,bundle}.tar.gz, with the production build of
#      packages/app that the app-backend plugin serves;
#   2. a temporary folder gets the skeleton, the root package.json and yarn.lock and the
#      committed Yarn release, then a production-only install
#      (`yarn workspaces focus --all --production`, from the Yarn cache), then the bundle;
#   3. `node packages/backend --config app-config.yaml --config app-config.production.yaml`
#      there, with NODE_ENV=production, on PostgreSQL.
#
# Usage: scripts/production.sh [--skip-build | --skip-tsc] [--config FILE]...
#   --skip-build   run the bundle already in packages/backend/dist
#   --skip-tsc     build without the type check first (the bundle does not need the
#                  dist-types it writes; the browser tests use this, as CI type-checks
#                  in a step of its own and a half-edited file elsewhere in a shared
#                  checkout must not stop them)
#   --config FILE  a further config file, read after app-config.production.yaml
#                  (e.g. e2e/fixtures/app-config.production-test.yaml)
#
# PostgreSQL: POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER and POSTGRES_PASSWORD name the
# server, as app-config.production.yaml reads them. When POSTGRES_HOST is not set, a
# throwaway server (Debian's PostgreSQL) is started on a free loopback port and removed
# on exit. app-config.production.yaml also needs ECR_AWS_ACCOUNT_ID and ECR_AWS_REGION.
#
# Everything runs in this script's process group; on exit, Ctrl-C or kill it stops the
# backend and PostgreSQL and removes the temporary folders.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
source scripts/toolchain.sh

SKIP_BUILD=0
SKIP_TSC=0
EXTRA_CONFIG=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --skip-build) SKIP_BUILD=1 ;;
    --skip-tsc) SKIP_TSC=1 ;;
    --config)
      [ "$#" -ge 2 ] || { echo "production: --config needs a file" >&2; exit 2; }
      EXTRA_CONFIG+=(--config "$(realpath "$2")")
      shift
      ;;
    *)
      echo "production: unknown argument $1 (see the header of $0)" >&2
      exit 2
      ;;
  esac
  shift
done

APP_DIR=""
PG_DIR=""
PG_PID=""
BACKEND_PID=""

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# Stops a process with SIGNAL, then SIGKILL after 20 s.
stop_pid() {
  local pid="$1" signal="$2" deadline=$((SECONDS + 20))
  [ -n "$pid" ] || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_pid "$BACKEND_PID" TERM
  # SIGINT is PostgreSQL's fast shutdown.
  stop_pid "$PG_PID" INT
  [ -z "$APP_DIR" ] || rm -rf "$APP_DIR"
  [ -z "$PG_DIR" ] || rm -rf "$PG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. Build ---------------------------------------------------------------------------
if [ "$SKIP_BUILD" = 0 ]; then
  START="$SECONDS"
  if [ "$SKIP_TSC" = 0 ]; then
    echo "production: yarn tsc"
    yarn tsc
  fi
  echo "production: yarn build:backend"
  yarn build:backend
  echo "production: built in $((SECONDS - START)) s"
fi
for file in skeleton.tar.gz bundle.tar.gz; do
  if [ ! -f "packages/backend/dist/$file" ]; then
    echo "production: packages/backend/dist/$file is missing; run without --skip-build" >&2
    exit 1
  fi
done

# --- 2. Unpack and install production dependencies ---------------------------------------
START="$SECONDS"
APP_DIR="$(mktemp -d /tmp/ecr-production.XXXXXX)"
mkdir -p "$APP_DIR/.yarn"
cp -r .yarn/releases "$APP_DIR/.yarn/"
cp .yarnrc.yml backstage.json package.json yarn.lock "$APP_DIR/"
tar -xzf packages/backend/dist/skeleton.tar.gz -C "$APP_DIR"
# Offline: the packages come from the Yarn cache the workspace install filled, and from
# the registry only when one is missing there.
(cd "$APP_DIR" && YARN_ENABLE_OFFLINE_MODE=1 yarn workspaces focus --all --production)
tar -xzf packages/backend/dist/bundle.tar.gz -C "$APP_DIR"
cp app-config.yaml app-config.production.yaml "$APP_DIR/"
echo "production: unpacked and installed in $APP_DIR ($((SECONDS - START)) s)"

# --- 3. PostgreSQL ---------------------------------------------------------------------
if [ -z "${POSTGRES_HOST:-}" ]; then
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$PG_BIN" ]; then
    echo "production: set POSTGRES_HOST (and _PORT, _USER, _PASSWORD), or install Debian's postgresql (scripts/system-deps.sh)" >&2
    exit 1
  fi
  PG_DIR="$(mktemp -d /tmp/ecr-production-pg.XXXXXX)"
  [ "$(id -u)" -ne 0 ] || chown postgres "$PG_DIR"
  POSTGRES_PORT="$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
  # The postgres user may not enter the checkout; run from the cluster's folder.
  (cd "$PG_DIR" && as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust >/dev/null)
  # In the foreground of a background job (not pg_ctl, which detaches), so that the
  # server stays in this script's process group.
  cd "$PG_DIR"
  as_postgres "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$POSTGRES_PORT" -k "$PG_DIR" \
    -c listen_addresses=127.0.0.1 >"$PG_DIR/log" 2>&1 &
  PG_PID=$!
  cd "$ROOT"
  for _ in $(seq 1 120); do
    pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" && break
    kill -0 "$PG_PID" 2>/dev/null || { cat "$PG_DIR/log" >&2; exit 1; }
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$POSTGRES_PORT" || {
    echo "production: PostgreSQL did not start within 60 s" >&2
    exit 1
  }
  # Trust authentication: the password is not asked for.
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT POSTGRES_USER=postgres POSTGRES_PASSWORD=unused
  echo "production: PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
fi

# --- 4. Run ----------------------------------------------------------------------------
cd "$APP_DIR"
echo "production: node packages/backend --config app-config.yaml --config app-config.production.yaml ${EXTRA_CONFIG[*]}"
NODE_ENV=production node packages/backend \
  --config app-config.yaml --config app-config.production.yaml "${EXTRA_CONFIG[@]}" &
BACKEND_PID=$!
# In the background so that the traps above run as soon as a signal arrives.
set +e
wait "$BACKEND_PID"
STATUS=$?
BACKEND_PID=""
exit "$STATUS"
