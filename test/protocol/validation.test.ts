import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateAppendPayload,
  validateMessageStreamDefinition,
  validateReadMessagesOptions,
  validateStreamName,
  ValidationError,
  type MessageStreamDefinition,
} from '../../lib/protocol';

function refusal(check: () => void): ValidationError {
  try {
    check();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.code, 'Validation');
    return error;
  }
  throw new assert.AssertionError({ message: 'expected a ValidationError' });
}

const definition = (fields: Record<string, unknown>): MessageStreamDefinition => ({ name: 'ok', strategyOnFull: 0, ...fields }) as MessageStreamDefinition;

describe('validation with the SDK rules', () => {
  it('accepts stream names of 1 to 255 ASCII word characters, spaces, commas, dots and hyphens', () => {
    for (const name of ['a', '.', '..', 'CON', 'with space, dot.and-dash_', 'a'.repeat(255)]) validateStreamName(name);
  });

  it('refuses other stream names, naming the field, the value and the rule', () => {
    const empty = refusal(() => validateStreamName(''));
    assert.equal(empty.field, 'streamName');
    assert.match(empty.message, /^streamName must be at least 1 characters long, got "" \(0 characters\)$/);
    assert.match(refusal(() => validateStreamName('a'.repeat(256))).message, /at most 255 characters/);
    for (const name of ['café', 'a/b', 'a\\b', 'tab\there', 'ünïcode']) {
      assert.match(refusal(() => validateStreamName(name)).message, /must match/);
    }
    assert.match(refusal(() => validateStreamName(42)).message, /must be a string, got number 42/);
  });

  it('checks the definition ranges and enums', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ maxSize: 1023 }, /^definition\.maxSize must be at least 1024/],
      [{ maxSize: 2n ** 63n }, /maxSize must be at most 9223372036854775807/],
      [{ streamSegmentSize: 2 ** 31 }, /streamSegmentSize must be at most 2147483647/],
      [{ timeToLiveMillis: 59_999 }, /timeToLiveMillis must be at least 60000/],
      [{ strategyOnFull: undefined }, /strategyOnFull is required/],
      [{ strategyOnFull: 2 }, /strategyOnFull must be a StrategyOnFull: one of RejectNewData \(0\), OverwriteOldestData \(1\)/],
      [{ persistence: 'File' }, /persistence must be a Persistence/],
      [{ flushOnWrite: 'yes' }, /flushOnWrite must be true or false/],
      [{ maxSize: 1.5 }, /maxSize must be an integer/],
      [{ maxsize: 2048 }, /definition\.maxsize is not a field of MessageStreamDefinition; expected one of name, maxSize/],
    ];
    for (const [fields, message] of cases) assert.match(refusal(() => validateMessageStreamDefinition(definition(fields))).message, message);
    validateMessageStreamDefinition(definition({ maxSize: 2n ** 63n - 1n, streamSegmentSize: 1024, timeToLiveMillis: 60_000, persistence: 1, flushOnWrite: true }));
  });

  it('checks export configurations per type', () => {
    const exports = (exportDefinition: Record<string, unknown>) => () => validateMessageStreamDefinition(definition({ exportDefinition }));
    assert.match(refusal(exports({ kinesis: [{ identifier: 'k', kinesisStreamName: 'ks', batchSize: 501 }] })).message, /kinesis\[0\]\.batchSize must be at most 500/);
    assert.match(refusal(exports({ iotAnalytics: [{ identifier: 'a', iotChannel: 'c', batchSize: 101 }] })).message, /batchSize must be at most 100/);
    assert.match(refusal(exports({ IotSitewise: [{ identifier: 's', batchSize: 11 }] })).message, /IotSitewise\[0\]\.batchSize must be at most 10/);
    assert.match(refusal(exports({ http: [{ identifier: 'h' }] })).message, /http\[0\]\.uri is required/);
    assert.match(refusal(exports({ kinesis: [{ identifier: 'k', kinesisStreamName: 'ks', priority: 11 }] })).message, /priority must be at most 10/);
    assert.match(refusal(exports({ kinesis: [{ identifier: 'k', kinesisStreamName: 'ks', batchIntervalMillis: 1000 }] })).message, /batchIntervalMillis must be at least 60000/);
    assert.match(refusal(exports({ s3TaskExecutor: [{ identifier: 't', sizeThresholdForMultipartUploadBytes: 1000 }] })).message, /at least 5242880/);
    assert.match(refusal(exports({ s3TaskExecutor: [{ identifier: 't', statusConfig: { statusLevel: 9 } }] })).message, /statusLevel must be a StatusLevel/);
    assert.match(
      refusal(exports({ kinesis: [{ identifier: 'same', kinesisStreamName: 'ks' }], http: [{ identifier: 'same', uri: 'http://x' }] })).message,
      /identifier must be unique among the exports of a stream/,
    );
  });

  it('checks read options, including min <= max', () => {
    validateReadMessagesOptions(undefined);
    validateReadMessagesOptions({ desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 1, readTimeoutMillis: 0 });
    assert.match(refusal(() => validateReadMessagesOptions({ minMessageCount: 0 })).message, /minMessageCount must be at least 1/);
    assert.match(refusal(() => validateReadMessagesOptions({ minMessageCount: 3, maxMessageCount: 2 })).message, /maxMessageCount must be at least minMessageCount \(3\)/);
    assert.match(refusal(() => validateReadMessagesOptions({ readTimeoutMillis: 9_223_372_036_855 })).message, /readTimeoutMillis must be at most 9223372036854/);
    assert.match(refusal(() => validateReadMessagesOptions({ desiredStartSequenceNumber: -1 })).message, /at least 0/);
  });

  it('checks append payloads: bytes, at least one', () => {
    validateAppendPayload(Buffer.from('x'));
    assert.match(refusal(() => validateAppendPayload(Buffer.alloc(0))).message, /payload must hold at least 1 byte, got 0 bytes/);
    assert.match(refusal(() => validateAppendPayload('text')).message, /payload must be a Buffer or Uint8Array/);
  });
});
