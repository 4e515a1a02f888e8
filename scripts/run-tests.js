#!/usr/bin/env node
// Runs the compiled test files (dist/test/**/*.test.js, or those under the folders given) with Node's test runner.
// Node 20's runner takes no glob, and given a folder it would also run the helpers beside the tests.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['dist/test'];

function findTests(location) {
  const stat = fs.statSync(location);
  if (stat.isFile()) return location.endsWith('.test.js') ? [location] : [];
  return fs
    .readdirSync(location)
    .sort()
    .flatMap((entry) => findTests(path.join(location, entry)));
}

const files = roots.flatMap((location) => findTests(path.resolve(root, location)));
if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
