#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need (npm packages, Debian
# packages, Python peer clients), starts the services on loopback (scripts/with-services.sh), runs
# every test with node's test runner, and stops what it started.
#   npm test                      everything, on this machine's Node.js and again on the current
#                                 LTS line (installed from the npm registry: scripts/services/node-lts.sh)
#   npm test -- test/http/*.ts    only these files, on this machine's Node.js
#   npm run test:only -- FILES    the same without the install checks
#   QUARRY_TEST_NODE_LTS=0|1      skip, or add, the second pass on the LTS line
set -euo pipefail
cd "$(dirname "$0")/.."

files=()
whole=0
for arg in "$@"; do
  case "$arg" in
    --no-setup) export QUARRY_SKIP_INSTALL=1 ;;
    *) files+=("$arg") ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  whole=1
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "quarry: no test files found" >&2
  exit 1
fi

export QUARRY_TEST_NODE_LTS=${QUARRY_TEST_NODE_LTS:-$whole}
if [ "$QUARRY_TEST_NODE_LTS" = 1 ]; then
  # Built before the services start, so a failed build stops the run at once.
  bash scripts/services/node-lts.sh tree >/dev/null
fi
exec bash scripts/with-services.sh bash scripts/run-suite.sh "${files[@]}"
