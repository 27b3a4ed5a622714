#!/usr/bin/env bash
# Scale-out check (issue 8, point 7), part of `yarn test:e2e` (e2e/scale-out.test.mjs):
# two backend processes sharing one PostgreSQL database and one Redis cache (Debian's
# packages, installed when missing and run as throwaway servers in /tmp on free loopback
# ports), against the AWS emulator. Checks that the scheduled audit runs once, not once
# per instance, and that an images answer cached by instance A serves instance B. Then a
# control run proves that those checks can fail: two more backends, C and D, each with
# its own databases and an in-memory cache, must run the audit twice and call AWS twice.
# Prints PASS/FAIL lines, stops everything it started, and exits non-zero when a check
# fails. Takes about 2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
source scripts/toolchain.sh

WORK="$(mktemp -d /tmp/ecr-scale-out.XXXXXX)"
PIDS=()
PG_BIN=""
FAILED=0
START="$SECONDS"

free_port() {
  node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

elapsed() {
  echo "$((SECONDS - START)) s"
}

# Stops processes with SIGTERM, then SIGKILL after 20 s, and forgets them.
stop_pids() {
  local pid deadline=$((SECONDS + 20)) keep=()
  for pid in "$@"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    [[ " $* " == *" $pid "* ]] || keep+=("$pid")
  done
  PIDS=("${keep[@]}")
}

cleanup() {
  [ "${#PIDS[@]}" -eq 0 ] || stop_pids "${PIDS[@]}"
  if [ -n "$PG_BIN" ] && [ -d "$WORK/pg" ]; then
    (cd "$WORK" && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w -t 30 stop >/dev/null 2>&1) || true
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
      echo "scale-out: $package is not installed and this is not root; install it first (scripts/system-deps.sh)" >&2
      exit 1
    fi
    echo "scale-out: installing $package" >&2
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  fi
}

# --- PostgreSQL ----------------------------------------------------------------------
install_if_missing "compgen -G '/usr/lib/postgresql/*/bin/initdb'" postgresql
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

# --- Backends ------------------------------------------------------------------------
TOKEN="scale-out-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
ENTITY_PATH="/api/catalog/entities/by-name/component/default/payments-api"
IMAGES_PATH="/api/ecr/entity/default/component/payments-api/images"
declare -A PORT PID READY_AT

# start_backend NAME DATABASE_PREFIX CACHE_STORE INITIAL_DELAY_SECONDS
# Every backend uses the same PostgreSQL server; instances share a database when they
# share the prefix (one database per plugin: PREFIX + plugin id, e.g. backstage_plugin_ecr).
start_backend() {
  local name="$1" prefix="$2" cache="$3" delay="$4" port
  port="$(free_port)"
  PORT[$name]="$port"
  {
    cat <<EOF
backend:
  baseUrl: http://127.0.0.1:$port
  listen: { port: $port, host: 127.0.0.1 }
  database:
    client: pg
    prefix: $prefix
    connection: { host: 127.0.0.1, port: $PG_PORT, user: postgres }
  auth:
    externalAccess:
      - type: static
        options: { token: $TOKEN, subject: scale-out }
EOF
    if [ "$cache" = redis ]; then
      echo "  cache: { store: redis, connection: 'redis://127.0.0.1:$REDIS_PORT' }"
    else
      echo "  cache: { store: memory }"
    fi
    cat <<EOF
ecr:
  endpoint: $EMULATOR_URL
  cache: { ttlSeconds: 600 }
  audit:
    schedule:
      frequency: { minutes: 10 }
      timeout: { minutes: 5 }
      initialDelay: { seconds: $delay }
EOF
  } >"$WORK/$name.yaml"
  (cd packages/backend && AWS_ENDPOINT_URL="$EMULATOR_URL" AWS_REGION=eu-west-2 \
    AWS_EC2_METADATA_DISABLED=true NODE_ENV=development \
    exec node --require "$ROOT/node_modules/@backstage/cli-node/config/nodeTransform.cjs" src/index \
    --config ../../app-config.yaml --config "$WORK/$name.yaml") >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
  PIDS+=($!)
}
backend_ready() {
  curl -sf "http://127.0.0.1:${PORT[$1]}/.backstage/health/v1/readiness"
}
wait_ready() {
  wait_until "backend $1 readiness" 240 backend_ready "$1"
  READY_AT[$1]="$(date +%s)"
  echo "scale-out: backend $1 ready on :${PORT[$1]} ($(elapsed))"
}
# The catalog has read the example entity (the images route needs it).
entity_known() {
  curl -sf -o /dev/null -H "authorization: Bearer $TOKEN" "http://127.0.0.1:${PORT[$1]}$ENTITY_PATH"
}

psql_in() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -tAc "$2" 2>/dev/null | tr -d ' '
}
# audit_done DATABASE...: each database has a finished audit run.
audit_done() {
  local db
  for db in "$@"; do
    [ "$(psql_in "$db" "select count(*) from ecr_audit_runs where status <> 'running'")" -ge 1 ] || return 1
  done
}
audit_runs() {
  psql_in "$1" "select count(*) from ecr_audit_runs"
}
audit_status() {
  psql_in "$1" "select coalesce(string_agg(trigger || ':' || status, ','), 'none') from ecr_audit_runs"
}
# When the first run of DATABASE started, in seconds since the epoch.
first_run_at() {
  psql_in "$1" "select coalesce(floor(extract(epoch from min(started_at))), 0)::bigint from ecr_audit_runs"
}

describe_images() {
  curl -sf "$EMULATOR_URL/_emulator/calls" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s)['ecr:DescribeImages']??0))"
}
get_images() {
  curl -s -o "$WORK/images-$1.json" -w '%{http_code}' -H "authorization: Bearer $TOKEN" "http://127.0.0.1:${PORT[$1]}$IMAGES_PATH"
}
# fetched_at NAME: when the answer get_images saved for NAME was read from AWS.
fetched_at() {
  node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).fetchedAt)" "$WORK/images-$1.json" 2>/dev/null || echo none
}
# same_images NAME NAME: the two answers list the same repositories and images.
same_images() {
  node -e "const [a, b] = process.argv.slice(1).map(f => JSON.stringify(JSON.parse(require('fs').readFileSync(f, 'utf8')).repositories)); process.exit(a === b ? 0 : 1)" \
    "$WORK/images-$1.json" "$WORK/images-$2.json" 2>/dev/null
}

# === Shared: A and B, one database and one Redis =====================================
# One after the other: Backstage's migrations of an empty database do not race well
# (MigrationLocked), and a rolling start is how instances are added anyway.
# The run is due SHARED_DELAY s after A registers the task, which must leave time for B
# to start (~10 s alone on 2 cores). B waits 1 s only, so it is polling the task when the
# run falls due and competes for it: only the shared lock keeps it from running too.
SHARED_DELAY=30
SHARED_DB=backstage_plugin_ecr
start_backend a backstage_plugin_ redis "$SHARED_DELAY"
wait_ready a
start_backend b backstage_plugin_ redis 1
wait_ready b

# --- Check 1: the scheduled audit runs once --------------------------------------------
wait_until "the scheduled audit" 240 audit_done "$SHARED_DB"
echo "scale-out: audit run finished ($(elapsed))"
# B polls every 5 s: a second (wrong) run would start within that.
sleep 12
RUNS="$(audit_runs "$SHARED_DB")"
STATUS="$(audit_status "$SHARED_DB")"
LEAD=$(($(first_run_at "$SHARED_DB") - READY_AT[b]))
[ "$RUNS" = 1 ] && [ "$LEAD" -ge 0 ] && r=ok || r=no
check "$r" "the scheduled audit ran once for two instances ($RUNS run(s) in ecr_audit_runs: $STATUS; it started ${LEAD} s after B was ready)"

# --- Check 2: an answer cached by A serves B -----------------------------------------
wait_until "payments-api in A's catalog" 120 entity_known a
curl -sf -X POST "$EMULATOR_URL/_emulator/calls/reset" >/dev/null
STATUS_A="$(get_images a)"
AFTER_A="$(describe_images)"
STATUS_B="$(get_images b)"
AFTER_B="$(describe_images)"
if [ "$STATUS_A" = 200 ] && [ "$STATUS_B" = 200 ] && [ "$AFTER_A" -ge 1 ] && [ "$AFTER_A" = "$AFTER_B" ] &&
  cmp -s "$WORK/images-a.json" "$WORK/images-b.json"; then r=ok; else r=no; fi
check "$r" "images cached by A serve B (HTTP $STATUS_A then $STATUS_B; ecr:DescribeImages $AFTER_A after A, $AFTER_B after B; same answer, fetched at $(fetched_at a))"

# === Control: C and D, each with its own databases and an in-memory cache ============
# The same checks must fail without sharing, or they prove nothing. C and D share no
# database, so they start together; both are up well before their runs fall due.
stop_pids "${PID[a]}" "${PID[b]}"
echo "scale-out: backends A and B stopped ($(elapsed))"
CONTROL_DELAY=20
start_backend c control_c_plugin_ memory "$CONTROL_DELAY"
start_backend d control_d_plugin_ memory "$CONTROL_DELAY"
wait_ready c
wait_ready d
C_DB=control_c_plugin_ecr
D_DB=control_d_plugin_ecr

# --- Control 1: without a shared database the audit runs on each instance ------------
wait_until "the scheduled audit of C and D" 240 audit_done "$C_DB" "$D_DB"
echo "scale-out: audit runs finished ($(elapsed))"
RUNS_C="$(audit_runs "$C_DB")"
RUNS_D="$(audit_runs "$D_DB")"
FIRST_C="$(first_run_at "$C_DB")"
FIRST_D="$(first_run_at "$D_DB")"
FIRST=$((FIRST_C < FIRST_D ? FIRST_C : FIRST_D))
LAST_READY=$((READY_AT[c] > READY_AT[d] ? READY_AT[c] : READY_AT[d]))
LEAD=$((FIRST - LAST_READY))
[ "$RUNS_C" = 1 ] && [ "$RUNS_D" = 1 ] && [ "$LEAD" -ge 0 ] && r=ok || r=no
check "$r" "control: without a shared database the audit ran on each instance ($((RUNS_C + RUNS_D)) runs: $(audit_status "$C_DB") for C, $(audit_status "$D_DB") for D; the first started ${LEAD} s after both were ready)"

# --- Control 2: without a shared cache D calls AWS again ------------------------------
wait_until "payments-api in C's catalog" 120 entity_known c
wait_until "payments-api in D's catalog" 120 entity_known d
curl -sf -X POST "$EMULATOR_URL/_emulator/calls/reset" >/dev/null
STATUS_C="$(get_images c)"
AFTER_C="$(describe_images)"
STATUS_D="$(get_images d)"
AFTER_D="$(describe_images)"
FETCHED_C="$(fetched_at c)"
FETCHED_D="$(fetched_at d)"
if [ "$STATUS_C" = 200 ] && [ "$STATUS_D" = 200 ] && [ "$AFTER_C" -ge 1 ] && [ "$AFTER_D" -gt "$AFTER_C" ] &&
  same_images c d && [ "$FETCHED_C" != "$FETCHED_D" ]; then r=ok; else r=no; fi
check "$r" "control: without a shared cache D called AWS again (HTTP $STATUS_C then $STATUS_D; ecr:DescribeImages $AFTER_C after C, $AFTER_D after D; same images, fetched at $FETCHED_C and $FETCHED_D)"

echo "scale-out: done in $(elapsed)"
exit "$FAILED"
