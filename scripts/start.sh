#!/usr/bin/env bash
# Installs everything and starts the demo: the local AWS emulator on :4566 with the demo
# seed (examples/aws-emulator/demo.yaml), the frontend on :3000 and the backend on :7007
# (SQLite in memory, guest sign-in). The ECR features need no AWS account: the backend
# talks to the emulator (ecr.endpoint in app-config.yaml, AWS_ENDPOINT_URL below).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/toolchain.sh

# The browser tests start the demo through this script after installing once.
if [ "${ECR_SKIP_INSTALL:-}" != 1 ]; then
  yarn install
fi

EMULATOR_PORT=4566
EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT"
EMULATOR_PID=""
APP_PID=""

emulator_healthy() {
  node -e "fetch('$EMULATOR_URL/_emulator/health').then(r => r.json()).then(b => process.exit(b.status === 'ok' ? 0 : 1), () => process.exit(1))" 2>/dev/null
}

port_taken() {
  node -e "const s = require('net').connect($EMULATOR_PORT, '127.0.0.1'); s.on('connect', () => process.exit(0)); s.on('error', () => process.exit(1));" 2>/dev/null
}

stop_app() {
  if [ -n "$APP_PID" ]; then
    kill "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
    APP_PID=""
  fi
}

stop_emulator() {
  if [ -n "$EMULATOR_PID" ]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}

# On exit, Ctrl-C or kill: stop the app, then the emulator this script started.
trap 'stop_app; stop_emulator' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if emulator_healthy; then
  echo "start: an AWS emulator already answers on $EMULATOR_URL; using it (it is left running)"
elif port_taken; then
  echo "start: port $EMULATOR_PORT is taken by something that is not the AWS emulator." >&2
  echo "start: stop it (e.g. LocalStack also uses 4566), or point ecr.endpoint and AWS_ENDPOINT_URL elsewhere." >&2
  exit 1
else
  # ECR_EMULATOR_ARGS: extra emulator flags, e.g. for e2e/scale.test.mjs
  # "--generate-images 10000 --generate-repository scale-10000".
  # shellcheck disable=SC2086
  node packages/aws-emulator/bin/aws-emulator \
    --seed examples/aws-emulator/demo.yaml --port "$EMULATOR_PORT" ${ECR_EMULATOR_ARGS:-} &
  EMULATOR_PID=$!
  for _ in $(seq 1 60); do
    if emulator_healthy; then
      break
    fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      echo "start: the AWS emulator exited before it was ready (see its output above)" >&2
      EMULATOR_PID=""
      exit 1
    fi
    sleep 0.5
  done
  if ! emulator_healthy; then
    echo "start: the AWS emulator did not answer on $EMULATOR_URL within 30 seconds" >&2
    exit 1
  fi
fi

# Every AWS SDK call of the backend goes to the emulator, including the STS calls that
# @backstage/integration-aws-node makes itself; the region is a dummy the emulator accepts.
export AWS_ENDPOINT_URL="$EMULATOR_URL"
export AWS_REGION=eu-west-2
export AWS_EC2_METADATA_DISABLED=true

# In the background so that the traps above run as soon as a signal arrives.
yarn start &
APP_PID=$!
wait "$APP_PID"
