#!/usr/bin/env bash
# Quick start 2: install what is missing, then build and run every test:
#   dev   - GCC debug build, warnings as errors; unit, CLI, packaging, examples,
#           and the install-and-consume test (find_package against an installed tree);
#   clang - the same sources with clang, warnings as errors;
#   asan  - address and undefined-behaviour sanitizers over the whole suite.
# Usage: scripts/test.sh [preset ...]   (default: dev clang asan)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(dev clang asan)

passed=0
failed=0
failed_names=()
for preset in "${presets[@]}"; do
  echo "=== chatdesk: workflow preset '${preset}' ==="
  # A fresh configure each time, so stale cache entries cannot hide a problem.
  rm -f "build/${preset}/CMakeCache.txt"
  if cmake --workflow --preset "${preset}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("${preset}")
  fi
done

echo
if [ "${failed}" -ne 0 ]; then
  echo "chatdesk: failed presets: ${failed_names[*]}"
fi
echo "presets: ${passed} passed, ${failed} failed"
[ "${failed}" -eq 0 ]
