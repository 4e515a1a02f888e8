#!/usr/bin/env node
// Node-RED looks for a node's or plugin's editor HTML, locales/ and icons/ beside its .js file: copy them next to
// the compiled nodes in <outDir>/nodes and the compiled plugins in <outDir>/plugins (default dist).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.resolve(root, process.argv[2] ?? 'dist');
const target = path.join(outDir, 'nodes');
fs.mkdirSync(target, { recursive: true });

for (const entry of fs.readdirSync(path.join(root, 'nodes'))) {
  if (entry.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', entry), path.join(target, entry));
}
for (const folder of ['locales', 'icons']) {
  const source = path.join(root, folder);
  if (fs.existsSync(source)) fs.cpSync(source, path.join(target, folder), { recursive: true });
}

const plugins = path.join(outDir, 'plugins');
fs.mkdirSync(plugins, { recursive: true });
for (const entry of fs.readdirSync(path.join(root, 'plugins'))) {
  if (entry.endsWith('.html')) fs.copyFileSync(path.join(root, 'plugins', entry), path.join(plugins, entry));
}
fs.cpSync(path.join(root, 'plugins', 'locales'), path.join(plugins, 'locales'), { recursive: true });
