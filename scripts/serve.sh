#!/usr/bin/env bash
# Builds chatdesk_server and starts it with a demo shop, a throwaway app
# secret and login token (printed), and a fake platform on loopback that takes
# sends and posts their statuses back, while two pretend customers write.
# Open the printed address, paste the token, and answer them. Ctrl-C stops all.
# Usage: scripts/serve.sh [PORT]   (default 8080; the state lives in a temporary folder
#        unless CHATDESK_SERVE_DIR names one)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh serve
cmake --preset release -DCHATDESK_BUILD_TESTS=OFF -DCHATDESK_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target chatdesk_server
port="${1:-8080}"
state="${CHATDESK_SERVE_DIR:-$(mktemp -d)}"
secret="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
port_file="$(mktemp)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -f "$port_file"; }
trap cleanup EXIT INT TERM

python3 examples/server/fake_platform.py --server "http://127.0.0.1:${port}" --secret "$secret" \
  --number-id 106540352242922 --port-file "$port_file" &
pids+=($!)
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
platform_port="$(cat "$port_file")"

echo
echo "chatdesk: the inbox is at http://127.0.0.1:${port}/  (login token: ${token})"
echo "chatdesk: app secret ${secret}; state in ${state}; a fake platform on port ${platform_port}"
echo
build/release/examples/chatdesk_server --dir "$state" --port "$port" \
  --business examples/server/shop.json --app-secret "$secret" --token "$token" --verify-token demo \
  --platform "http://127.0.0.1:${platform_port}/v21.0" --agents "giulia:Giulia,marco:Marco" &
pids+=($!)
wait "${pids[-1]}"
