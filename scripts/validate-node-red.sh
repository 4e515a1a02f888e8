#!/usr/bin/env bash
# Runs node-red-dev validate (the Node-RED flow library's scorecard) on this package. The catalogue lookups are
# shimmed (scripts/catalogue-shim.js) because catalogue.nodered.org cannot be reached; everything else is real.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${NODE_RED_DEV_DIR:-$(mktemp -d)}"
if [ ! -x "$dir/node_modules/.bin/node-red-dev" ]; then
  (cd "$dir" && npm init -y > /dev/null && npm install --no-audit --no-fund --loglevel=error node-red-dev@0.1.6)
fi
axios="$(cd "$dir" && node -p "require.resolve('axios', { paths: [require.resolve('node-red-dev/package.json')] })")"
NODE_RED_DEV_AXIOS="$axios" NODE_OPTIONS="--require $PWD/scripts/catalogue-shim.js" "$dir/node_modules/.bin/node-red-dev" validate -p .
