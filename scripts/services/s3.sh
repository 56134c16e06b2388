#!/usr/bin/env bash
# An S3-compatible test server on loopback: moto's server mode, from the peer virtual environment
# (moto[server] is pinned in scripts/python-requirements.txt, so python-env.sh installs it).
#   s3.sh start DIR PORT   start moto_server on 127.0.0.1:PORT, pid and log in DIR; waits until it answers
#   s3.sh stop DIR         stop the server started in DIR
# Clients use endpoint http://127.0.0.1:PORT, path-style addressing, any access key (moto accepts all).
# moto keeps objects in memory: the data is gone when the server stops.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"

start() {
  local dir=$1 port=$2 python bin
  python=$(bash "$here/python-env.sh")
  bin=$(dirname "$python")/moto_server
  [ -x "$bin" ] || { echo "quarry: moto_server not found beside $python; check scripts/python-requirements.txt" >&2; exit 1; }
  mkdir -p "$dir"
  # setsid puts the server in its own process group, so stop can end it and any worker it forked.
  setsid "$bin" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 < /dev/null &
  echo $! > "$dir/moto.pid"
  wait_for_port "$port" 60 || { cat "$dir/moto.log" >&2; exit 1; }
}

stop() {
  local dir=$1 pid
  [ -f "$dir/moto.pid" ] || exit 0
  pid=$(cat "$dir/moto.pid")
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  rm -f "$dir/moto.pid"
}

case "${1:-}" in
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
