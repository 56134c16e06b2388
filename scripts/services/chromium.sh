#!/usr/bin/env bash
# Installs Debian's Chromium for the web UI's browser tests and prints its path.
#   chromium.sh install   installs it when missing (as root), then prints the executable's path
# A missing browser is an error: the UI tests fail rather than skip under CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/services/apt.sh

case "${1:-install}" in
  install)
    if [ "${QUARRY_SKIP_INSTALL:-0}" != 1 ]; then
      apt_install chromium
    fi
    path=$(command -v chromium || true)
    [ -n "$path" ] || { echo "quarry: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
    echo "$path"
    ;;
  *)
    echo "usage: chromium.sh install" >&2
    exit 2
    ;;
esac
