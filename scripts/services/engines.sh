#!/usr/bin/env bash
# Spark and Trino for the engines tests, installed by Quarry's own `quarry engines install` into a cache
# outside the repository shared by every work tree and run (Spark ~450 MB, Trino ~500 MB after pruning;
# Trino's 821 MB download took 104 s here). A second install is a no-op.
#   engines.sh install   install what is missing; prints the cache folder (QUARRY_TEST_ENGINES_CACHE)
# Cache folder: $QUARRY_CACHE_DIR/engines (default ~/.cache/quarry-engines). Needs Maven, python3-venv,
# a Java 17 (Spark) and a Java 24+ (Trino, e.g. the Temurin 25 JDK under /usr/lib/jvm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt.sh
. "$here/apt.sh"

install() {
  local cache=${QUARRY_CACHE_DIR:+$QUARRY_CACHE_DIR/engines}
  cache=${cache:-$HOME/.cache/quarry-engines}
  command -v mvn >/dev/null 2>&1 || apt_install maven
  python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
  [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ] || apt_install openjdk-17-jre-headless
  mkdir -p "$cache"
  local home
  home=$(mktemp -d /tmp/quarry-engines-install.XXXXXX)
  for engine in spark trino; do
    echo "quarry: quarry engines install $engine (cache $cache)" >&2
    QUARRY_ENGINES_CACHE=$cache QUARRY_HOME=$home node "$here/../../bin/quarry.js" engines install "$engine" >/dev/null
  done
  rm -rf "$home"
  echo "$cache"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
