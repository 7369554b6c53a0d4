# Starts a throwaway PostgreSQL (trust auth, loopback, a free port) and exports PG_CONN_STR.
# Sourced by .ci/run; also usable by hand: `source .ci/postgres.sh && start_postgres`.

pg_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$found" ] && [ -x "$found/$1" ]; then echo "$found/$1"; return; fi
  echo "ci: PostgreSQL's $1 was not found. Install PostgreSQL 15 (Debian: apt-get install postgresql)." >&2
  return 1
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_postgres() {
  local initdb pg_ctl
  initdb=$(pg_bin initdb) || return 1
  pg_ctl=$(pg_bin pg_ctl) || return 1
  PG_CI_DIR=$(mktemp -d /tmp/cdktf-xero-pg.XXXXXX)
  PG_CI_PORT=$(free_port)
  local run_as=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$PG_CI_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$initdb" -D "$PG_CI_DIR/data" -U postgres -A trust --no-sync >"$PG_CI_DIR/initdb.log" 2>&1 \
    || { cat "$PG_CI_DIR/initdb.log" >&2; return 1; }
  "${run_as[@]}" "$pg_ctl" -D "$PG_CI_DIR/data" -l "$PG_CI_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_CI_PORT -k $PG_CI_DIR -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_CI_DIR/server.log" >&2; return 1; }
  export PG_CONN_STR="postgres://postgres@127.0.0.1:$PG_CI_PORT/postgres?sslmode=disable"
  export PG_CI_DIR PG_CI_PORT
  echo "ci: PostgreSQL running on 127.0.0.1:$PG_CI_PORT"
}

stop_postgres() {
  [ -n "${PG_CI_DIR:-}" ] || return 0
  local pg_ctl run_as=()
  pg_ctl=$(pg_bin pg_ctl) || return 0
  [ "$(id -u)" = "0" ] && run_as=(runuser -u postgres --)
  "${run_as[@]}" "$pg_ctl" -D "$PG_CI_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_CI_DIR"
}
