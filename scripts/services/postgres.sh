#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests and benchmarks.
#   postgres.sh install          install Debian's PostgreSQL if no server binaries are present
#   postgres.sh start DIR PORT [durable]
#                                create a cluster in DIR (if new) and start it on 127.0.0.1:PORT;
#                                with "durable", a commit is acknowledged only once written (see below);
#                                QUARRY_PG_MAX_CONNECTIONS sets max_connections (default 400)
#   postgres.sh stop DIR [MODE]  stop the cluster in DIR (MODE: fast (default) | smart | immediate)
# Connect as postgres://postgres@127.0.0.1:PORT/postgres (trust authentication).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

# PostgreSQL refuses to run as root, so as root the server runs as the postgres user.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if pg_bin >/dev/null; then return 0; fi
  # Keep the package from creating and starting its own cluster on port 5432.
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  fi
  apt_install postgresql
  pg_bin >/dev/null || { echo "quarry: PostgreSQL installed but initdb not found" >&2; exit 1; }
}

start() {
  local dir=$1 port=$2 durable=${3:-} bin sync=off
  bin=$(pg_bin) || { echo "quarry: PostgreSQL is not installed; run: $0 install" >&2; exit 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_server_user "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # fsync and friends are off: this data is thrown away after the run. synchronous_commit=off also
  # acknowledges commits still in PostgreSQL's memory, which a crash (stop -m immediate) loses; tests
  # that crash the server on purpose ask for "durable" (written to the OS at commit; fsync stays off,
  # as the machine itself does not crash).
  [ "$durable" = durable ] && sync=on
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=$sync -c full_page_writes=off -c max_connections=${QUARRY_PG_MAX_CONNECTIONS:-400}" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

stop() {
  local dir=$1 mode=${2:-fast} bin
  bin=$(pg_bin) || exit 0
  [ -f "$dir/data/postmaster.pid" ] || exit 0
  as_server_user "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" "${4:-}" ;;
  stop) stop "$2" "${3:-fast}" ;;
  *) echo "usage: $0 install | start DIR PORT [durable] | stop DIR [fast|smart|immediate]" >&2; exit 2 ;;
esac
