#!/usr/bin/env bash
# Quick start 2: install what is missing, then build and run every test:
#   dev   - GCC debug build, warnings as errors; unit, CLI, packaging, examples,
#           and the install-and-consume test (find_package against an installed tree);
#   clang - the same sources with clang, warnings as errors;
#   asan  - address and undefined-behaviour sanitizers over the whole suite;
#   tsan  - thread sanitizer over the whole suite (the engine's threading test);
#   release - the optimised build of everything (what scripts/demo.sh and bench/ use), and its tests;
#   lint  - clang-tidy over the library, the program and the examples (uses dev's build).
# Usage: scripts/test.sh [step ...]   (default: dev clang asan tsan release lint)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(dev clang asan tsan release lint)

passed=0
failed=0
failed_names=()
for preset in "${presets[@]}"; do
  echo "=== chatdesk: ${preset} ==="
  if [ "${preset}" = lint ]; then
    [ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
    step=(scripts/lint.sh build/dev)
  else
    # A fresh configure each time, so stale cache entries cannot hide a problem.
    rm -f "build/${preset}/CMakeCache.txt"
    step=(cmake --workflow --preset "${preset}")
  fi
  if "${step[@]}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("${preset}")
  fi
done

echo
if [ "${failed}" -ne 0 ]; then
  echo "chatdesk: failed steps: ${failed_names[*]}"
fi
echo "steps: ${passed} passed, ${failed} failed"
[ "${failed}" -eq 0 ]
