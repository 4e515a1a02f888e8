// The names users can depend on. The package's own name resolves through its "exports" map (Node's self-reference),
// so this is what `require('node-red-contrib-greengrass-stream-manager/client')` gives an installed copy, minus npm.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE = 'node-red-contrib-greengrass-stream-manager';
const README = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
/** The README's code: fenced blocks and `spans`, where a name is documented rather than merely a word. */
const README_CODE = [...README.matchAll(/```[^\n]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map((match) => match[1] ?? match[2]).join('\n');

const CLIENT = [
  'Consumer',
  'EventType',
  'ExportFormat',
  'HealthChecker',
  'Persistence',
  'Status',
  'StatusLevel',
  'StrategyOnFull',
  'StreamManagerClient',
  'StreamManagerError',
  'ValidationError',
  'checkHealth',
  'checkpointStreamName',
  'decodeDeadLetter',
  'deserializeJsonBytesToObj',
  'isCheckpointStream',
  'listConsumers',
  'removeConsumer',
  'validateAndSerializeToJsonBytes',
];
const SERVER = ['startServer'];

const WHY = 'the public API changed. Each export is a promise to users: widening it is a decision, not a side effect of a ' +
  're-export. Update this list and the README section that documents the name in the same change';

function runtimeNames(specifier: string): string[] {
  return Object.keys(require(specifier) as object).sort();
}

function assertExports(specifier: string, pinned: string[]): void {
  const actual = runtimeNames(specifier);
  const added = actual.filter((name) => !pinned.includes(name));
  const removed = pinned.filter((name) => !actual.includes(name));
  assert.deepEqual(actual, pinned, `${specifier}: ${WHY}. New: [${added.join(', ')}]; gone: [${removed.join(', ')}]`);
}

describe('public exports', () => {
  it('./client gives the client, consumer, health check, errors, enums and JSON helpers, and no wire internals', () => {
    assertExports(`${PACKAGE}/client`, CLIENT);
  });

  it('the package root is ./client', () => {
    assertExports(PACKAGE, CLIENT);
    assert.equal(require.resolve(PACKAGE), require.resolve(`${PACKAGE}/client`));
  });

  it('./server gives startServer only', () => {
    assertExports(`${PACKAGE}/server`, SERVER);
  });

  it('README names every export in its code', () => {
    const undocumented = [...CLIENT, ...SERVER].filter((name) => !new RegExp(`\\b${name}\\b`).test(README_CODE));
    assert.deepEqual(undocumented, [], 'exports the README does not document');
  });
});
