#!/usr/bin/env bash
# Runs test files with node's test runner once the services are up (called by scripts/test.sh
# through scripts/with-services.sh): first on the Node.js on PATH, then, with
# QUARRY_TEST_NODE_LTS=1, again on Node.js's current LTS line in a copy of the checkout whose
# native modules are built for it (scripts/services/node-lts.sh), less the files
# scripts/lts-pass-skip.txt names. Fails when either pass fails.
set -uo pipefail
cd "$(dirname "$0")/.."
# Most tests wait on I/O (databases, child processes), so more files run at once than there are cores.
concurrency=${QUARRY_TEST_CONCURRENCY:-4}

echo "quarry: running ${#} test files on Node.js $(node --version)" >&2
node --import tsx --test --test-concurrency="$concurrency" "$@"
first=$?
[ "${QUARRY_TEST_NODE_LTS:-0}" = 1 ] || exit "$first"

tree=$(bash scripts/services/node-lts.sh tree) || exit 1
bin=$(bash scripts/services/node-lts.sh bin) || exit 1
# The files scripts/lts-pass-skip.txt names (external engines and peers, minutes each) run in the first pass only.
mapfile -t skip < <(grep -v '^#' scripts/lts-pass-skip.txt | grep -v '^$')
second_files=()
for file in "$@"; do
  keep=1
  for s in "${skip[@]}"; do [ "$file" = "$s" ] && keep=0; done
  [ "$keep" = 1 ] && second_files+=("$file")
done
if [ ${#second_files[@]} -eq 0 ]; then
  echo "quarry: no file left for the second pass" >&2
  exit "$first"
fi
echo "quarry: running ${#second_files[@]} of the ${#} test files on Node.js $("$bin/node" --version) (current LTS) in $tree (scripts/lts-pass-skip.txt names the rest)" >&2
(cd "$tree" && PATH="$bin:$PATH" node --import tsx --test --test-concurrency="$concurrency" "${second_files[@]}")
second=$?
echo "quarry: tests on Node.js $(node --version): $([ "$first" = 0 ] && echo passed || echo FAILED); on $("$bin/node" --version): $([ "$second" = 0 ] && echo passed || echo FAILED)" >&2
[ "$first" = 0 ] && [ "$second" = 0 ]
