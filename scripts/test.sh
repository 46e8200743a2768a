#!/usr/bin/env bash
# Quick start 2: install what is missing, then build and run every test:
#   dev   - GCC debug build, warnings as errors; unit, CLI, packaging, examples,
#           and the install-and-consume test (find_package against an installed tree);
#   asan  - clang 14 with warnings as errors, and the address and undefined-behaviour
#           sanitizers over the whole suite (benchmarks built too);
#   tsan  - thread sanitizer over the tests that run threads ([threads]: clock, dedupe, desk, feed);
#   release - the optimised build of everything (what scripts/demo.sh and bench/ use), and its tests;
#   lint  - clang-tidy over the library, the program and the examples (uses dev's build).
# Each step's time is printed, and a summary at the end: CI must stay well under 40 minutes.
# Usage: scripts/test.sh [step ...]   (default: dev asan tsan release lint; "clang" is
# a plain clang build for local use)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
# The store tests run against a real PostgreSQL server too: a missing server
# fails them, unless the package cannot be installed on this machine at all.
if scripts/deps.sh postgres; then
  export CHATDESK_REQUIRE_POSTGRES=1
else
  echo "SKIP: the PostgreSQL server (package postgresql) could not be installed; its store tests are skipped"
  export CHATDESK_REQUIRE_POSTGRES=0
fi
# The inbox's browser test drives Debian's Chromium; where it cannot be installed
# (Ubuntu ships it as a snap) that one test is left out, and says so.
if ! scripts/deps.sh browser; then
  echo "SKIP: Chromium, chromium-driver or python3-selenium could not be installed; the inbox's browser test is skipped"
fi
# A run cut short (a timeout, Ctrl-C) leaves no PostgreSQL cluster behind.
stop_clusters() {
  for d in build/*/tests/postgres; do [ -d "$d" ] && scripts/pg-cluster.sh stop "$d" || true; done
}
trap stop_clusters EXIT

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(dev asan tsan release lint)

all_started=$(date +%s)
times=()
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
  started=$(date +%s)
  if "${step[@]}"; then
    passed=$((passed + 1))
    outcome=passed
  else
    failed=$((failed + 1))
    failed_names+=("${preset}")
    outcome=FAILED
  fi
  seconds=$(( $(date +%s) - started ))
  times+=("$(printf '%-8s %-7s %4d s' "${preset}" "${outcome}" "${seconds}")")
  echo "=== chatdesk: ${preset} ${outcome} in ${seconds} s ==="
done

echo
echo "step     result   time"
printf '%s\n' "${times[@]}"
echo "total             $(( $(date +%s) - all_started )) s"

echo
if [ "${failed}" -ne 0 ]; then
  echo "chatdesk: failed steps: ${failed_names[*]}"
fi
echo "steps: ${passed} passed, ${failed} failed"
[ "${failed}" -eq 0 ]
