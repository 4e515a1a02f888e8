// The payload builders: every generated reading becomes an entry that IoT SiteWise's rules and the official JS SDK's
// data classes accept (byte for byte the JSON the SDK writes), or fails with Validation naming the rule it broke.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodeOf, Status, StatusLevel, EventType } from '../../lib/protocol';
import {
  SiteWiseRuleError,
  buildS3UploadTask,
  buildSiteWiseEntry,
  checkSiteWiseEntry,
  decodeS3ExportStatus,
  propertyValueFromReading,
  serializeS3UploadTask,
  serializeSiteWiseEntry,
  type SiteWiseRule,
  type SiteWiseValueType,
} from '../../lib/client/payloads';

interface SdkObject {
  asMap(): unknown;
}
interface SdkClass {
  fromMap(map: unknown): SdkObject;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkData = require('aws-greengrass-core-sdk/stream-manager/data') as Record<string, SdkClass>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkUtil = require('aws-greengrass-core-sdk/stream-manager/util') as {
  validateAndSerializeToJsonBytes(object: SdkObject): Buffer;
  deserializeJsonBytesToObj(bytes: Buffer, type: SdkClass): SdkObject;
};

/** The SDK reads our bytes into its class and writes them again: the same bytes, and its validation passes. */
function sdkRoundTrip(bytes: Buffer, type: 'PutAssetPropertyValueEntry' | 'S3ExportTaskDefinition'): void {
  const object = sdkUtil.deserializeJsonBytesToObj(bytes, sdkData[type]);
  assert.equal(sdkUtil.validateAndSerializeToJsonBytes(object).toString(), bytes.toString());
}

const SEED = Number(process.env.PAYLOAD_SEED ?? 20_261_202);
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const DAY = 86_400_000;

interface Case {
  reading: unknown;
  valueType: SiteWiseValueType;
  /** The rule the reading breaks, or undefined when it is a valid reading. */
  expected: SiteWiseRule | 'timestampFormat' | undefined;
  /** The Variant key a valid reading must get. */
  key?: string;
}

function generate(random: () => number): Case {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const timestamps: [unknown, SiteWiseRule | undefined][] = [
    [undefined, undefined],
    [NOW - 7 * DAY, undefined],
    [NOW - 7 * DAY - 1, 'timestampWindow'],
    [NOW + 600_000, undefined],
    [NOW + 600_001, 'timestampWindow'],
    [NOW - 8 * DAY, 'timestampWindow'],
    [NOW - Math.floor(random() * 7 * DAY), undefined],
    [new Date(NOW - 1000).toISOString(), undefined],
    [{ timeInSeconds: Math.floor(NOW / 1000), offsetInNanos: 999_999_999 }, undefined],
    [{ timeInSeconds: Math.floor(NOW / 1000), offsetInNanos: 1_000_000_000 }, 'timestampFormat'],
    ['yesterday-ish', 'timestampFormat'],
  ];
  const [timestamp, timestampRule] = pick(timestamps);
  const kind = pick(['int', 'double', 'boolean', 'string'] as const);
  let value: unknown;
  let rule: SiteWiseRule | undefined;
  let key: string | undefined;
  switch (kind) {
    case 'int': {
      value = pick([0, 1, 2_147_483_647, 2_147_483_648, -1, -2_147_483_648, Math.floor(random() * 2 ** 31)]);
      key = (value as number) >= 0 && (value as number) <= 2_147_483_647 ? 'integerValue' : 'doubleValue';
      break;
    }
    case 'double':
      value = pick([0.5, -1e300, random() * 1000 - 500, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE]);
      key = 'doubleValue';
      if (!Number.isFinite(value as number)) rule = 'doubleFinite';
      break;
    case 'boolean':
      value = random() < 0.5;
      key = 'booleanValue';
      break;
    case 'string': {
      const length = pick([0, 1, 1023, 1024, 1025, Math.floor(random() * 1024) + 1]);
      value = 'ä'.repeat(length);
      key = 'stringValue';
      if (length === 0 || length > 1024) rule = 'stringLength';
      else if (random() < 0.1) {
        value = `${(value as string).slice(1)}\n`;
        rule = 'stringCharacters';
      }
      break;
    }
  }
  const quality = pick([undefined, 'GOOD', 'BAD', 'UNCERTAIN', 'FINE']);
  const reading = timestamp === undefined && quality === undefined && random() < 0.5 ? value : { value, quality, timestamp };
  const qualityRule: SiteWiseRule | undefined = quality === 'FINE' ? 'quality' : undefined;
  return { reading, valueType: 'auto', expected: rule ?? timestampRule ?? qualityRule, key };
}

describe('SiteWise entries from readings', () => {
  it(`every generated reading becomes an entry the rules and the SDK accept, or fails naming its rule (seed ${SEED})`, () => {
    const random = randomSource(SEED);
    const counts: Record<string, number> = {};
    for (let round = 0; round < 3000; round++) {
      const testCase = generate(random);
      const context = `seed ${SEED} round ${round}: ${JSON.stringify(testCase.reading, (_k, v: unknown) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 20)}...(${v.length})` : v))}`;
      let built;
      try {
        const value = propertyValueFromReading(testCase.reading, { receivedAt: NOW, valueType: testCase.valueType, field: 'msg.payload' });
        built = buildSiteWiseEntry({ propertyAlias: '/plant/line-1/temperature' }, [value], NOW);
      } catch (error) {
        assert.equal(errorCodeOf(error), 'Validation', context);
        assert.ok(error instanceof SiteWiseRuleError, `${context}: ${String(error)}`);
        assert.equal(error.siteWiseRule, testCase.expected, `${context}: ${error.message}`);
        counts[error.siteWiseRule] = (counts[error.siteWiseRule] ?? 0) + 1;
        continue;
      }
      assert.equal(testCase.expected, undefined, `${context} was accepted`);
      assert.ok(testCase.key && testCase.key in built.propertyValues[0].value, `${context}: ${JSON.stringify(built.propertyValues[0].value)}`);
      checkSiteWiseEntry(built, NOW);
      sdkRoundTrip(serializeSiteWiseEntry(built), 'PutAssetPropertyValueEntry');
      counts.accepted = (counts.accepted ?? 0) + 1;
    }
    // The generator reaches every limit, on both sides.
    for (const outcome of ['accepted', 'timestampWindow', 'timestampFormat', 'doubleFinite', 'stringLength', 'stringCharacters', 'quality']) {
      assert.ok((counts[outcome] ?? 0) > 0, `seed ${SEED}: no case ended ${outcome} (${JSON.stringify(counts)})`);
    }
  });

  it('says how old a timestamp is and which window SiteWise accepts', () => {
    assert.throws(
      () => propertyValueFromReading({ value: 1, timestamp: NOW - 8 * DAY - 5000 }, { receivedAt: NOW, field: 'msg.payload' }),
      (error: Error) => error.message === 'msg.payload.timestamp is 8 days old: IoT SiteWise accepts values from the last 7 days up to 10 minutes ahead',
    );
    assert.throws(
      () => propertyValueFromReading({ value: 1, timestamp: NOW + 20 * 60_000 }, { receivedAt: NOW, field: 'msg.payload' }),
      /msg\.payload\.timestamp is 20 minutes ahead: IoT SiteWise accepts/,
    );
  });

  it('splits milliseconds into seconds and nanoseconds, keeps fractions of a millisecond, and takes GOOD as the quality', () => {
    const value = propertyValueFromReading({ value: 2.5, timestamp: NOW + 123.456 }, { receivedAt: NOW });
    assert.deepEqual(value.timestamp, { timeInSeconds: Math.floor(NOW / 1000), offsetInNanos: 123_456_000 });
    assert.equal(value.quality, 'GOOD');
    assert.deepEqual(propertyValueFromReading(7, { receivedAt: NOW + 5 }).timestamp, { timeInSeconds: Math.floor(NOW / 1000), offsetInNanos: 5_000_000 });
  });

  it('gives numbers the type the node asks for', () => {
    assert.deepEqual(propertyValueFromReading(20, { receivedAt: NOW, valueType: 'double' }).value, { doubleValue: 20 });
    assert.deepEqual(propertyValueFromReading(20, { receivedAt: NOW }).value, { integerValue: 20 });
    assert.deepEqual(propertyValueFromReading(-20, { receivedAt: NOW }).value, { doubleValue: -20 });
    assert.throws(() => propertyValueFromReading(-20, { receivedAt: NOW, valueType: 'integer' }), (error: SiteWiseRuleError) => error.siteWiseRule === 'integerRange');
    assert.throws(() => propertyValueFromReading(20.5, { receivedAt: NOW, valueType: 'integer' }), (error: SiteWiseRuleError) => error.siteWiseRule === 'integerRange');
    assert.throws(() => propertyValueFromReading('x', { receivedAt: NOW, valueType: 'double' }), (error: SiteWiseRuleError) => error.siteWiseRule === 'valueType');
    assert.throws(() => propertyValueFromReading({ v: 1 }, { receivedAt: NOW }), (error: SiteWiseRuleError) => error.siteWiseRule === 'valueType');
  });

  it('sends as integerValue exactly the whole numbers the SDK\'s own Variant validation takes as one, every other number as doubleValue, which it takes', () => {
    const entryWith = (value: Record<string, number>): Buffer =>
      Buffer.from(JSON.stringify({ entryId: 'e', propertyAlias: '/a', propertyValues: [{ value, timestamp: { timeInSeconds: Math.floor(NOW / 1000), offsetInNanos: 0 }, quality: 'GOOD' }] }));
    const sdkTakes = (value: Record<string, number>): boolean => {
      try {
        sdkUtil.validateAndSerializeToJsonBytes(sdkUtil.deserializeJsonBytesToObj(entryWith(value), sdkData.PutAssetPropertyValueEntry));
        return true;
      } catch {
        return false;
      }
    };
    for (const number of [0, 1, 2_147_483_647, 2_147_483_648, -1, -2_147_483_648, 2 ** 53, 0.5, -0.5, 1e300]) {
      const integerTaken = Number.isInteger(number) && sdkTakes({ integerValue: number });
      assert.equal(sdkTakes({ doubleValue: number }), true, `the SDK takes ${number} as doubleValue`);
      assert.deepEqual(propertyValueFromReading(number, { receivedAt: NOW }).value, integerTaken ? { integerValue: number } : { doubleValue: number }, `${number}`);
    }
    // The SDK's range, as its data classes state it (aws-greengrass-core-sdk 1.7.0): from 0, not from -2^31.
    assert.equal(sdkTakes({ integerValue: -1 }), false);
    assert.equal(sdkTakes({ integerValue: 2_147_483_647 }), true);
    assert.equal(sdkTakes({ integerValue: 2_147_483_648 }), false);
  });

  it('checks the entry as a whole: at most 10 values, one type, entry id and property formats', () => {
    const value = (n: number) => propertyValueFromReading(n, { receivedAt: NOW, valueType: 'double' });
    const ten = Array.from({ length: 10 }, (_, index) => value(index));
    sdkRoundTrip(serializeSiteWiseEntry(buildSiteWiseEntry({ propertyAlias: '/a' }, ten, NOW)), 'PutAssetPropertyValueEntry');
    const ruleOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as SiteWiseRuleError).siteWiseRule;
      }
      return 'accepted';
    };
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [...ten, value(11)], NOW)), 'valueCount');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [], NOW)), 'valueCount');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [value(1), propertyValueFromReading(true, { receivedAt: NOW })], NOW)), 'mixedTypes');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [value(1)], NOW, 'has space')), 'entryId');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [value(1)], NOW, 'x'.repeat(64))), 'accepted');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: '/a' }, [value(1)], NOW, 'x'.repeat(65))), 'entryId');
    assert.equal(ruleOf(() => buildSiteWiseEntry({}, [value(1)], NOW)), 'property');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ assetId: 'a1b2c3d4-5678-90ab-cdef-1234567890ab' }, [value(1)], NOW)), 'property');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: 'x'.repeat(2048) }, [value(1)], NOW)), 'accepted');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: 'x'.repeat(2049) }, [value(1)], NOW)), 'propertyAlias');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ propertyAlias: 'a\tb' }, [value(1)], NOW)), 'propertyAlias');
    assert.equal(ruleOf(() => buildSiteWiseEntry({ assetId: 'not-an-id', propertyId: 'a1b2c3d4-5678-90ab-cdef-1234567890ab' }, [value(1)], NOW)), 'assetId');
    const byIds = buildSiteWiseEntry({ assetId: 'a1b2c3d4-5678-90ab-cdef-1234567890ab', propertyId: 'externalId:temp_1' }, [value(1)], NOW);
    sdkRoundTrip(serializeSiteWiseEntry(byIds), 'PutAssetPropertyValueEntry');
  });
});

describe('S3 upload tasks', () => {
  it('builds a file: URL task that the SDK reads back unchanged, with placeholders and metadata', () => {
    const task = buildS3UploadTask({ file: '/var/data/report 1.csv', bucket: 'my-bucket', key: 'reports/!{timestamp:yyyy/MM/dd}/report.csv', userMetadata: { line: '1' } });
    assert.equal(task.inputUrl, 'file:///var/data/report%201.csv');
    sdkRoundTrip(serializeS3UploadTask(task), 'S3ExportTaskDefinition');
  });

  it('refuses what S3 or Stream Manager would refuse, naming it', () => {
    const code = (run: () => unknown) => assert.throws(run, (error: Error) => errorCodeOf(error) === 'Validation');
    code(() => buildS3UploadTask({ file: 'relative.csv', bucket: 'my-bucket', key: 'k' }));
    code(() => buildS3UploadTask({ file: '/f', bucket: 'My_Bucket', key: 'k' }));
    code(() => buildS3UploadTask({ file: '/f', bucket: 'my-bucket', key: 'a key with spaces' }));
    code(() => buildS3UploadTask({ file: '/f', bucket: 'my-bucket', key: 'k', userMetadata: { '$aws-gg-x': 'v' } }));
    code(() => buildS3UploadTask({ file: '/f', bucket: 'my-bucket', key: 'k', userMetadata: { big: 'x'.repeat(2046) } }));
    buildS3UploadTask({ file: '/f', bucket: 'my-bucket', key: 'k', userMetadata: { big: 'x'.repeat(2045) } });
  });

  it('decodes a status message into plain fields', () => {
    const payload = Buffer.from(
      JSON.stringify({
        eventType: EventType.S3Task,
        statusLevel: StatusLevel.INFO,
        status: Status.Failure,
        statusContext: { s3ExportTaskDefinition: { inputUrl: 'file:///f', bucket: 'b-1', key: 'k' }, exportIdentifier: 's3', streamName: 'files', sequenceNumber: 4 },
        message: 'input file /f does not exist',
        timestampEpochMs: NOW,
      }),
    );
    assert.deepEqual(decodeS3ExportStatus(payload), {
      status: 'Failure',
      final: true,
      message: 'input file /f does not exist',
      statusLevel: 'INFO',
      eventType: 'S3Task',
      timestamp: NOW,
      bucket: 'b-1',
      key: 'k',
      inputUrl: 'file:///f',
      streamName: 'files',
      sequenceNumber: 4,
      exportIdentifier: 's3',
    });
    assert.throws(() => decodeS3ExportStatus(Buffer.from('{"status":"x"}')), (error: Error) => errorCodeOf(error) === 'Validation');
  });
});
