#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need (npm packages, Debian
# packages, Python peer clients), starts the services on loopback (scripts/with-services.sh), runs
# every test with node's test runner, and stops what it started.
#   npm test                      everything
#   npm test -- test/http/*.ts    only these files
#   npm run test:only -- FILES    the same without the install checks
set -euo pipefail
cd "$(dirname "$0")/.."

files=()
for arg in "$@"; do
  case "$arg" in
    --no-setup) export QUARRY_SKIP_INSTALL=1 ;;
    *) files+=("$arg") ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "quarry: no test files found" >&2
  exit 1
fi

# Most tests wait on I/O (databases, child processes), so more files run at once than there are cores.
exec bash scripts/with-services.sh \
  node --import tsx --test --test-concurrency="${QUARRY_TEST_CONCURRENCY:-4}" "${files[@]}"
