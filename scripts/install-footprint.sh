#!/usr/bin/env bash
# What installing the package costs a palette user: packs this checkout (or takes a tarball given as $1), installs it
# into an empty folder with its runtime dependencies only, and prints the size of node_modules and how many packages it holds
# (the package itself counted).
# Usage: bash scripts/install-footprint.sh [package.tgz]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  (cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
  tarball="$(ls "$work"/*.tgz)"
fi
mkdir "$work/app"
cd "$work/app"
echo '{"name":"footprint","private":true}' > package.json
npm install --omit=dev --no-audit --no-fund --silent "$tarball"
size="$(du -sh node_modules | cut -f1)"
kib="$(du -sk node_modules | cut -f1)"
packages="$(npm ls --all --parseable | tail -n +2 | wc -l)"
echo "node_modules: $size ($kib KiB), $packages packages: $(basename "$tarball")"
