#!/usr/bin/env bash
# A throwaway MariaDB server on loopback for the catalog's federation tests.
#   mariadb.sh install          install Debian's mariadb-server if the server binary is missing
#   mariadb.sh start DIR PORT   create a data folder in DIR (if new) and start on 127.0.0.1:PORT
#   mariadb.sh stop DIR         stop the server started in DIR (by the pid it wrote)
# Connect as mysql://root@127.0.0.1:PORT/ (no password).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"

server_bin() {
  local bin
  for bin in /usr/sbin/mariadbd /usr/sbin/mysqld; do
    [ -x "$bin" ] && { echo "$bin"; return 0; }
  done
  return 1
}

install() {
  if server_bin >/dev/null && command -v mariadb-install-db >/dev/null; then return 0; fi
  # Keep the package's post-install from starting a system server on port 3306: policy-rc.d
  # answering 101 tells invoke-rc.d not to start services. Removed again afterwards.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created=1
  fi
  apt_install mariadb-server || { [ $created = 1 ] && rm -f "$policy"; exit 1; }
  [ $created = 1 ] && rm -f "$policy"
  server_bin >/dev/null || { echo "quarry: mariadb-server installed but mariadbd not found" >&2; exit 1; }
}

start() {
  local dir=$1 port=$2 bin user_args=()
  bin=$(server_bin) || { echo "quarry: MariaDB is not installed; run: $0 install" >&2; exit 1; }
  mkdir -p "$dir"
  # mariadbd refuses to run as root unless told to; as another user it runs as that user.
  [ "$(id -u)" -eq 0 ] && user_args=(--user=root)
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db "${user_args[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
  fi
  # --no-defaults keeps any system my.cnf (socket paths, ports) out of the throwaway server.
  "$bin" --no-defaults "${user_args[@]}" --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$dir/pid" --log-error="$dir/server.log" \
    --skip-name-resolve --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M \
    >/dev/null 2>&1 &
  wait_for_port "$port" 60 || { cat "$dir/server.log" >&2 2>/dev/null; exit 1; }
}

stop() {
  local dir=$1 pid i
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || exit 0
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
