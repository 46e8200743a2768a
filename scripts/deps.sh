#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a chatdesk task needs, if any are missing.
# Usage: scripts/deps.sh demo|test|serve|browser|postgres
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

demo_packages=(cmake ninja-build g++ pkg-config libfmt-dev nlohmann-json3-dev
  libhowardhinnant-date-dev tzdata libsimdjson-dev libabsl-dev libcli11-dev libssl-dev libsqlite3-dev libpq-dev libqrcodegencpp-dev)
test_packages=("${demo_packages[@]}" catch2 libbenchmark-dev clang clang-format clang-tidy libphonenumber-dev
  zbar-tools librsvg2-bin libcpp-httplib-dev python3)
# What scripts/serve.sh needs besides: the HTTP library and Python for the fake platform.
serve_packages=("${demo_packages[@]}" libcpp-httplib-dev python3)
# The browser the inbox's test drives (Debian's; Ubuntu ships Chromium as a snap instead).
browser_packages=(chromium chromium-driver python3-selenium)
# The PostgreSQL server the store tests start a throwaway cluster of (scripts/pg-cluster.sh).
postgres_packages=(postgresql)

case "${1:-}" in
  demo) wanted=("${demo_packages[@]}") ;;
  test) wanted=("${test_packages[@]}") ;;
  serve) wanted=("${serve_packages[@]}") ;;
  browser) wanted=("${browser_packages[@]}") ;;
  postgres) wanted=("${postgres_packages[@]}") ;;
  *) echo "usage: $0 demo|test|serve|browser|postgres" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "chatdesk: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "chatdesk: these packages are missing: ${missing[*]}" >&2
  echo "chatdesk: install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
