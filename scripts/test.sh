#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need (npm packages, Debian's
# PostgreSQL, the Python peer clients), starts the services on loopback with throwaway data, runs
# every test with node's test runner, and stops what it started.
#   npm test                      everything
#   npm test -- test/http/*.ts    only these files
#   npm run test:only -- FILES    skip the install checks (services are still started)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services/apt.sh

setup=1
files=()
for arg in "$@"; do
  case "$arg" in
    --no-setup) setup=0 ;;
    *) files+=("$arg") ;;
  esac
done

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.quarry-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "quarry: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_sum" > node_modules/.quarry-lock.sha256
fi

if [ "$setup" -eq 1 ]; then
  bash scripts/services/postgres.sh install
fi
QUARRY_TEST_PYTHON=$(bash scripts/services/python-env.sh)
export QUARRY_TEST_PYTHON

run_dir=$(mktemp -d /tmp/quarry-test.XXXXXX)
chmod 755 "$run_dir"
cleanup() {
  bash scripts/services/postgres.sh stop "$run_dir/postgres" || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

pg_port=$(free_port)
bash scripts/services/postgres.sh start "$run_dir/postgres" "$pg_port"
export QUARRY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "quarry: PostgreSQL on 127.0.0.1:$pg_port" >&2

if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "quarry: no test files found" >&2
  exit 1
fi

# Most tests wait on I/O (databases, child processes), so more files run at once than there are cores.
node --import tsx --test --test-concurrency="${QUARRY_TEST_CONCURRENCY:-4}" "${files[@]}"
