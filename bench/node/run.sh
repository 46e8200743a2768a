#!/bin/sh
# Runs bench_whatsapp_api_js.mjs, installing whatsapp-api-js 6.x with npm into
# a cache directory when it is missing. Usage: bench/node/run.sh BODY.json ...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${CHATDESK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chatdesk-bench-node}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "bench/node/run.sh: Node.js and npm are needed: apt-get install nodejs npm" >&2
  exit 2
fi
if [ ! -f "$cache/node_modules/whatsapp-api-js/package.json" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --silent whatsapp-api-js@6 >&2
fi
cp "$here/bench_whatsapp_api_js.mjs" "$cache/"
exec node "$cache/bench_whatsapp_api_js.mjs" "$@"
