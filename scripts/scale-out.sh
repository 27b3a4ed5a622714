#!/usr/bin/env bash
# Scale-out check (issue 8, point 7), run by hand: two backend processes sharing one
# PostgreSQL database and one Redis cache (Debian's packages, installed when missing and
# run as throwaway servers in /tmp on free loopback ports), against the AWS emulator.
# Checks that the scheduled audit runs once, not once per instance, and that an images
# answer cached by instance A serves instance B. Prints PASS/FAIL lines, stops everything
# it started, and exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
source scripts/toolchain.sh

WORK="$(mktemp -d /tmp/ecr-scale-out.XXXXXX)"
PIDS=()
PG_BIN=""
FAILED=0

free_port() {
  node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$PG_BIN" ] && [ -d "$WORK/pg" ]; then
    (cd "$WORK" && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

check() {
  if [ "$1" = ok ]; then
    echo "PASS  $2"
  else
    echo "FAIL  $2"
    FAILED=1
  fi
}

wait_until() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "scale-out: $what did not happen within $seconds s (logs in $WORK)" >&2
      tail -n 30 "$WORK"/*.log >&2 || true
      return 1
    fi
    sleep 1
  done
}

install_if_missing() {
  local probe="$1" package="$2"
  if ! eval "$probe" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "scale-out: $package is not installed and this is not root; install it first" >&2
      exit 1
    fi
    echo "scale-out: installing $package" >&2
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  fi
}

# --- PostgreSQL ----------------------------------------------------------------------
install_if_missing 'ls -d /usr/lib/postgresql/*/bin' postgresql
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PG_PORT="$(free_port)"
[ "$(id -u)" -eq 0 ] && chown postgres "$WORK"
(cd "$WORK" && as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust >/dev/null)
(cd "$WORK" && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null)
chmod 0777 "$WORK"
echo "scale-out: PostgreSQL on 127.0.0.1:$PG_PORT"

# --- Redis ---------------------------------------------------------------------------
install_if_missing 'command -v redis-server' redis-server
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
wait_until "Redis start" 30 redis-cli -p "$REDIS_PORT" ping
echo "scale-out: Redis on 127.0.0.1:$REDIS_PORT"

# --- AWS emulator --------------------------------------------------------------------
EMULATOR_PORT="$(free_port)"
EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT"
node packages/aws-emulator/bin/aws-emulator --port "$EMULATOR_PORT" >"$WORK/emulator.log" 2>&1 &
PIDS+=($!)
wait_until "the emulator start" 60 curl -sf "$EMULATOR_URL/_emulator/health"
echo "scale-out: AWS emulator on $EMULATOR_URL"

# --- Two backends --------------------------------------------------------------------
TOKEN="scale-out-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
start_backend() {
  local name="$1" port="$2"
  cat >"$WORK/$name.yaml" <<EOF
backend:
  baseUrl: http://127.0.0.1:$port
  listen: { port: $port, host: 127.0.0.1 }
  database:
    client: pg
    connection: { host: 127.0.0.1, port: $PG_PORT, user: postgres }
  cache:
    store: redis
    connection: redis://127.0.0.1:$REDIS_PORT
  auth:
    externalAccess:
      - type: static
        options: { token: $TOKEN, subject: scale-out }
ecr:
  endpoint: $EMULATOR_URL
  cache: { ttlSeconds: 600 }
  audit:
    schedule:
      frequency: { minutes: 10 }
      timeout: { minutes: 5 }
      # Both instances are up before the first run is due (each start takes ~10-30 s).
      initialDelay: { seconds: 60 }
EOF
  (cd packages/backend && AWS_ENDPOINT_URL="$EMULATOR_URL" AWS_REGION=eu-west-2 \
    AWS_EC2_METADATA_DISABLED=true NODE_ENV=development \
    exec node --require "$ROOT/node_modules/@backstage/cli-node/config/nodeTransform.cjs" src/index \
    --config ../../app-config.yaml --config "$WORK/$name.yaml") >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
PORT_A="$(free_port)"
PORT_B="$(free_port)"
# One after the other: Backstage's migrations of an empty database do not race
# well (MigrationLocked), and a rolling start is how instances are added anyway.
start_backend a "$PORT_A"
wait_until "backend A readiness" 240 curl -sf "http://127.0.0.1:$PORT_A/.backstage/health/v1/readiness"
start_backend b "$PORT_B"
wait_until "backend B readiness" 240 curl -sf "http://127.0.0.1:$PORT_B/.backstage/health/v1/readiness"
echo "scale-out: backends A on :$PORT_A and B on :$PORT_B"

psql_count() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d backstage_plugin_ecr -tAc "$1" 2>/dev/null | tr -d ' '
}
audit_done() {
  [ "$(psql_count "select count(*) from ecr_audit_runs where status <> 'running'")" -ge 1 ]
}

# --- Check 1: the scheduled audit runs once --------------------------------------------
wait_until "the scheduled audit" 240 audit_done
# Give a second (wrong) run time to show up: the other instance would start at once.
sleep 20
RUNS="$(psql_count "select count(*) from ecr_audit_runs")"
STATUS="$(psql_count "select string_agg(trigger || ':' || status, ',') from ecr_audit_runs")"
[ "$RUNS" = 1 ] && r=ok || r=no
check "$r" "the scheduled audit ran once for two instances ($RUNS run(s) in ecr_audit_runs: $STATUS)"

# --- Check 2: an answer cached by A serves B -----------------------------------------
IMAGES_PATH="/api/ecr/entity/default/component/payments-api/images"
describe_images() {
  curl -sf "$EMULATOR_URL/_emulator/calls" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s)['ecr:DescribeImages']??0))"
}
get_images() {
  curl -s -o "$WORK/images-$1.json" -w '%{http_code}' -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$2$IMAGES_PATH"
}
curl -sf -X POST "$EMULATOR_URL/_emulator/calls/reset" >/dev/null
STATUS_A="$(get_images a "$PORT_A")"
AFTER_A="$(describe_images)"
STATUS_B="$(get_images b "$PORT_B")"
AFTER_B="$(describe_images)"
if [ "$STATUS_A" = 200 ] && [ "$STATUS_B" = 200 ] && [ "$AFTER_A" -ge 1 ] && [ "$AFTER_A" = "$AFTER_B" ] &&
  cmp -s "$WORK/images-a.json" "$WORK/images-b.json"; then r=ok; else r=no; fi
check "$r" "images cached by A serve B (HTTP $STATUS_A then $STATUS_B; ecr:DescribeImages $AFTER_A after A, $AFTER_B after B; same answer)"

exit "$FAILED"
