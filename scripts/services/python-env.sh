#!/usr/bin/env bash
# The Python virtual environment holding the peer clients tests use (scripts/python-requirements.txt).
# Prints the path of its python. Reinstalls only when the requirements file changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${QUARRY_TEST_VENV:-$root/.cache/venv}
req=$root/scripts/python-requirements.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    . "$root/scripts/services/apt.sh"
    apt_install python3-venv
  fi
  echo "quarry: preparing Python peers in $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
