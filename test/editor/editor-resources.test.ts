// The dialogs' shared browser code (resources/), run in a plain VM context: units convert exactly both ways for every
// saved value up to 2^63 - 1, and the validators hold the SDK's limits for stream definitions and export destinations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { exportDefinitionSchema, validateObject } from '../../lib/protocol/validation';

const RESOURCES = path.join(__dirname, '..', '..', '..', 'resources');

interface Unit {
  id: string;
  factor: bigint;
}
interface EditorCode {
  units: {
    SIZE: Unit[];
    DURATION: Unit[];
    split(units: Unit[], saved: string, fallbackUnit: string): { amount: string; unit: string };
    join(units: Unit[], amount: string, unit: string): string | undefined;
  };
  validators: {
    optionalInteger(min: bigint, max: bigint): (value: string) => boolean;
    exportDefinitionProblems(definition: unknown): string[];
    isStreamName(value: unknown): boolean;
  };
}

function loadEditorCode(): EditorCode {
  const context = vm.createContext({ window: {} });
  for (const file of ['units.js', 'validators.js', 'export-destinations.js']) {
    vm.runInContext(fs.readFileSync(path.join(RESOURCES, file), 'utf8'), context, { filename: file });
  }
  return (context.window as { GreengrassStreamManagerEditor: EditorCode }).GreengrassStreamManagerEditor;
}

/** A value made in the VM context, rebuilt with this context's Object and Array so that deepEqual compares contents. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A fixed-seed generator, so that a failure names a value that comes back on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('editor resources', () => {
  const editor = loadEditorCode();
  const { units, validators } = editor;

  it('shows a saved size in the largest unit that divides it, and saves it back unchanged', () => {
    assert.deepEqual(plain(units.split(units.SIZE, '268435456', 'MB')), { amount: '256', unit: 'MB' });
    assert.deepEqual(plain(units.split(units.SIZE, '1073741824', 'MB')), { amount: '1', unit: 'GB' });
    assert.deepEqual(plain(units.split(units.SIZE, '1536', 'MB')), { amount: '1536', unit: 'bytes' });
    assert.deepEqual(plain(units.split(units.SIZE, '1000', 'MB')), { amount: '1000', unit: 'bytes' });
    assert.deepEqual(plain(units.split(units.SIZE, '', 'MB')), { amount: '', unit: 'MB' });
    assert.deepEqual(plain(units.split(units.DURATION, '604800000', 'days')), { amount: '7', unit: 'days' });
    assert.deepEqual(plain(units.split(units.DURATION, '90000', 'days')), { amount: '90', unit: 'seconds' });
    const random = seededRandom(13);
    for (let i = 0; i < 2000; i++) {
      const saved = (BigInt(Math.floor(random() * 2 ** 31)) * BigInt(Math.floor(random() * 2 ** 32)) + BigInt(i)).toString();
      for (const measure of [units.SIZE, units.DURATION]) {
        const shown = units.split(measure, saved, measure[0].id);
        assert.equal(units.join(measure, shown.amount, shown.unit), saved, `${saved} comes back through ${shown.amount} ${shown.unit}`);
      }
    }
    const largest = (2n ** 63n - 1n).toString();
    assert.equal(units.join(units.SIZE, units.split(units.SIZE, largest, 'MB').amount, 'bytes'), largest);
  });

  it('turns a typed amount into whole bytes or milliseconds, rounding fractions, and refuses what is no amount', () => {
    assert.equal(units.join(units.SIZE, '64', 'MB'), '67108864');
    assert.equal(units.join(units.SIZE, '1.5', 'KB'), '1536');
    assert.equal(units.join(units.SIZE, '0,5', 'KB'), '512');
    assert.equal(units.join(units.DURATION, '2', 'hours'), '7200000');
    assert.equal(units.join(units.DURATION, '0.0015', 'seconds'), '2');
    assert.equal(units.join(units.DURATION, ' ', 'hours'), '');
    for (const wrong of ['-1', '1e3', 'ten', '1.2.3', '0x10']) assert.equal(units.join(units.SIZE, wrong, 'MB'), undefined, wrong);
    assert.equal(units.join(units.SIZE, '1', 'furlongs'), undefined);
  });

  it('holds the SDK limits of the definition fields, exactly at 64 bits', () => {
    const maxSize = validators.optionalInteger(1024n, 2n ** 63n - 1n);
    assert.ok(maxSize(''));
    assert.ok(maxSize('1024'));
    assert.ok(!maxSize('1023'));
    assert.ok(maxSize('9223372036854775807'));
    assert.ok(!maxSize('9223372036854775808'));
    assert.ok(!maxSize('12.5'));
    assert.ok(validators.isStreamName('sensor readings_1,2.3-4'));
    assert.ok(!validators.isStreamName('sensor/readings'));
    assert.ok(!validators.isStreamName(''));
  });

  it('finds every broken rule of an export definition and accepts a valid one of each kind', () => {
    const valid = {
      kinesis: [{ identifier: 'K', kinesisStreamName: 'k', batchSize: 500, batchIntervalMillis: 60000, priority: 1, startSequenceNumber: 0, disabled: false }],
      iotAnalytics: [{ identifier: 'A', iotChannel: 'c', iotMsgIdPrefix: 'x'.repeat(32), batchSize: 100 }],
      IotSitewise: [{ identifier: 'S', batchSize: 10 }],
      s3TaskExecutor: [{ identifier: 'T', sizeThresholdForMultipartUploadBytes: 5242880, statusConfig: { statusLevel: 4, statusStreamName: 'st' } }],
      http: [{ identifier: 'H', uri: 'http://127.0.0.1/', exportFormat: 0 }],
    };
    assert.deepEqual(plain(validators.exportDefinitionProblems(valid)), []);
    const broken = {
      kinesis: [{ identifier: 'K', batchSize: 501 }],
      iotAnalytics: [{ identifier: 'K', iotChannel: 'c', iotMsgIdPrefix: 'x'.repeat(33) }],
      IotSitewise: [{ identifier: 'bad/name', batchSize: 11, batchIntervalMillis: 59999, priority: 11 }],
      s3TaskExecutor: [{ identifier: 'T', sizeThresholdForMultipartUploadBytes: 5242879, statusConfig: { statusLevel: 5 } }],
      http: [{ identifier: 'H', exportFormat: 2 }],
      iotCore: [],
    };
    assert.deepEqual(plain(validators.exportDefinitionProblems(broken)).sort(), [
      'IotSitewise[0].batchIntervalMillis',
      'IotSitewise[0].batchSize',
      'IotSitewise[0].identifier',
      'IotSitewise[0].priority',
      'http[0].exportFormat',
      'http[0].uri',
      'iotAnalytics[0].identifier',
      'iotAnalytics[0].iotMsgIdPrefix',
      'iotCore',
      'kinesis[0].batchSize',
      'kinesis[0].kinesisStreamName',
      's3TaskExecutor[0].sizeThresholdForMultipartUploadBytes',
      's3TaskExecutor[0].statusConfig.statusLevel',
    ]);
  });

  it('agrees with the runtime validator (lib/protocol) on generated export definitions', () => {
    const random = seededRandom(4711);
    const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
    const maybe = (value: unknown): unknown => (random() < 0.5 ? undefined : value);
    const numbers = [-1, 0, 1, 2, 9, 10, 11, 99, 100, 101, 499, 500, 501, 59999, 60000, 5242879, 5242880];
    const kinds = ['kinesis', 'iotAnalytics', 'IotSitewise', 's3TaskExecutor', 'http'];
    let agreedValid = 0;
    for (let i = 0; i < 3000; i++) {
      const definition: Record<string, Record<string, unknown>[]> = {};
      for (let n = Math.floor(random() * 3); n >= 0; n--) {
        const kind = pick(kinds);
        const config: Record<string, unknown> = {
          identifier: pick(['A', 'B', 'C d', 'bad/id', '']),
          batchSize: maybe(pick(numbers)),
          batchIntervalMillis: maybe(pick(numbers)),
          priority: maybe(pick(numbers)),
          startSequenceNumber: maybe(pick(numbers)),
          disabled: maybe(pick([true, false])),
          kinesisStreamName: maybe(pick(['k', ''])),
          iotChannel: maybe(pick(['c', ''])),
          iotMsgIdPrefix: maybe(pick(['p', 'x'.repeat(33)])),
          uri: maybe(pick(['http://h/', ''])),
          exportFormat: maybe(pick([0, 1, 2])),
          sizeThresholdForMultipartUploadBytes: maybe(pick(numbers)),
          statusConfig: maybe({ statusLevel: maybe(pick([0, 4, 5])), statusStreamName: maybe(pick(['s', 'bad/s'])) }),
        };
        const allowed = kind === 's3TaskExecutor'
          ? ['identifier', 'sizeThresholdForMultipartUploadBytes', 'priority', 'disabled', 'statusConfig']
          : ['identifier', 'batchSize', 'batchIntervalMillis', 'priority', 'startSequenceNumber', 'disabled',
            ...({ kinesis: ['kinesisStreamName'], iotAnalytics: ['iotChannel', 'iotMsgIdPrefix'], IotSitewise: [], http: ['uri', 'exportFormat'] } as Record<string, string[]>)[kind]];
        const own = Object.fromEntries(Object.entries(config).filter(([key, value]) => allowed.includes(key) && value !== undefined));
        (definition[kind] = definition[kind] ?? []).push(own);
      }
      let runtimeValid = true;
      try {
        validateObject(exportDefinitionSchema, definition, 'exportDefinition', { unknownKeys: 'refuse' });
      } catch {
        runtimeValid = false;
      }
      const editorValid = validators.exportDefinitionProblems(definition).length === 0;
      assert.equal(editorValid, runtimeValid, `editor and runtime disagree on ${JSON.stringify(definition)}`);
      if (editorValid) agreedValid++;
    }
    assert.ok(agreedValid > 50, `enough valid definitions were generated (${agreedValid})`);
  });
});
