#!/usr/bin/env bash
# Runs benchmarks with the services they need (scripts/with-services.sh).
#   npm run bench                          every bench/*.bench.ts, one after another
#   npm run bench -- bench/registry.bench.ts
# Each benchmark prints its figures as ratios against a baseline measured in the same run;
# copy the printed table into bench/RESULTS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find bench -name '*.bench.ts' | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "quarry: no benchmarks found" >&2
  exit 1
fi
run_all() {
  local f
  for f in "$@"; do
    echo "== $f" >&2
    node --import tsx "$f"
  done
}
export -f run_all
exec bash scripts/with-services.sh bash -c 'run_all "$@"' run_all "${files[@]}"
