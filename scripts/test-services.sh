# Sourced by scripts/test.sh: starts the throwaway servers the tests need and
# stops them when the sourcing shell exits.
#  - PostgreSQL (Debian's), so the audit store is tested against a real server:
#    BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at it.

ECR_PG_DIR=""

ecr_pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && echo "$dir"
}

ecr_start_postgres() {
  local bin
  bin="$(ecr_pg_bin)"
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "test-services: PostgreSQL is not installed; its tests are skipped" >&2
      return 0
    fi
    echo "test-services: installing postgresql" >&2
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin="$(ecr_pg_bin)"
  fi
  local major
  major="$("$bin/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
  # A free port, so a server someone else runs does not get in the way.
  ECR_PG_PORT="${ECR_PG_PORT:-$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")}"
  ECR_PG_DIR="$(mktemp -d /tmp/ecr-test-pg.XXXXXX)"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$ECR_PG_DIR"
    run=(runuser -u postgres --)
  fi
  # The postgres user may not enter the checkout; run from the cluster's folder.
  (cd "$ECR_PG_DIR" && "${run[@]}" "$bin/initdb" -D "$ECR_PG_DIR/data" -U postgres --auth=trust >/dev/null)
  (cd "$ECR_PG_DIR" && "${run[@]}" "$bin/pg_ctl" -D "$ECR_PG_DIR/data" -l "$ECR_PG_DIR/log" -w -t 60 \
    -o "-p $ECR_PG_PORT -k $ECR_PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null)
  export "BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING=postgresql://postgres@127.0.0.1:$ECR_PG_PORT"
  echo "test-services: PostgreSQL $major on 127.0.0.1:$ECR_PG_PORT" >&2
}

ecr_stop_services() {
  if [ -n "$ECR_PG_DIR" ] && [ -d "$ECR_PG_DIR/data" ]; then
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    (cd "$ECR_PG_DIR" && "${run[@]}" "$(ecr_pg_bin)/pg_ctl" -D "$ECR_PG_DIR/data" -m fast -w stop >/dev/null 2>&1) || true
    rm -rf "$ECR_PG_DIR"
  fi
}

trap ecr_stop_services EXIT
ecr_start_postgres
