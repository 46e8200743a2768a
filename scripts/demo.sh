#!/usr/bin/env bash
# Quick start 1: install what is missing, build chatdesk optimised, run the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh demo
cmake --preset release -DCHATDESK_BUILD_TESTS=OFF -DCHATDESK_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target chatdesk_demo
echo
exec build/release/examples/chatdesk_demo
