#!/usr/bin/env bash
# Installs Debian packages when they are missing. Sourced by the service scripts.
# apt-get update runs at most once per process tree (QUARRY_APT_UPDATED).

apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "quarry: Debian packages missing: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) or run as root." >&2
    return 1
  fi
  echo "quarry: installing Debian packages: ${missing[*]}" >&2
  if [ -z "${QUARRY_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    export QUARRY_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something accepts connections on 127.0.0.1:$1, for at most $2 seconds.
wait_for_port() {
  local port=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "quarry: nothing listened on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}
