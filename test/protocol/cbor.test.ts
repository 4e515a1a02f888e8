import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCbor, encodeCbor } from '../../lib/protocol';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('CBOR codec', () => {
  it('round-trips a full definition with every export type, spelling IotSitewise as the SDKs do', () => {
    const definition = {
      name: 'everything',
      maxSize: 2 ** 40,
      streamSegmentSize: 1024,
      timeToLiveMillis: 9_223_372_036_854,
      strategyOnFull: 1,
      persistence: 1,
      flushOnWrite: true,
      exportDefinition: {
        kinesis: [{ identifier: 'k', kinesisStreamName: 'ks', batchSize: 500, batchIntervalMillis: 60_000, priority: 1, startSequenceNumber: 0, disabled: false }],
        iotAnalytics: [{ identifier: 'a', iotChannel: 'channel', iotMsgIdPrefix: 'p' }],
        IotSitewise: [{ identifier: 's', batchSize: 10 }],
        http: [{ identifier: 'h', uri: 'http://127.0.0.1/', exportFormat: 1 }],
        s3TaskExecutor: [{ identifier: 't', sizeThresholdForMultipartUploadBytes: 5_242_880, statusConfig: { statusLevel: 2, statusStreamName: 'status' } }],
      },
    };
    assert.deepEqual(decodeCbor(encodeCbor({ requestId: 'r', definition })), { requestId: 'r', definition });
    assert.ok(hex(encodeCbor({ IotSitewise: [] })).includes(Buffer.from('IotSitewise').toString('hex')));
  });

  it('decodes indefinite-length maps and arrays, as the Java side writes them', () => {
    // {_ "requestId": "r", "streams": [_ "a", "b"]}
    const bytes = Buffer.from('bf' + '69' + Buffer.from('requestId').toString('hex') + '6172' + '67' + Buffer.from('streams').toString('hex') + '9f' + '6161' + '6162' + 'ff' + 'ff', 'hex');
    assert.deepEqual(decodeCbor(bytes), { requestId: 'r', streams: ['a', 'b'] });
  });

  it('keeps 64-bit values exact: bigint beyond 2^53, numbers where safe', () => {
    const values = { max: 2n ** 63n - 1n, justAbove: 2n ** 53n + 1n, negative: -(2n ** 60n), safe: 2 ** 40, small: 7, minusOne: -1 };
    assert.deepEqual(decodeCbor(encodeCbor(values)), values);
    assert.equal(hex(encodeCbor({ n: 2 ** 40 })), 'a1616e1b0000010000000000', 'an integral number beyond 32 bits is a CBOR integer (major type 0), not a float');
    assert.deepEqual(decodeCbor(Buffer.from('a1616e1b7fffffffffffffff', 'hex')), { n: 9_223_372_036_854_775_807n });
    assert.deepEqual(decodeCbor(Buffer.from('a1616e1b0000018b00000000', 'hex')), { n: 1_696_512_081_920 });
  });

  it('leaves out undefined and null fields instead of writing nulls', () => {
    assert.equal(hex(encodeCbor({ a: 1, b: undefined, c: null })), 'a1616101');
  });

  it('writes payloads as byte strings (major type 2) and reads them back as Buffers', () => {
    assert.equal(hex(encodeCbor({ p: Buffer.from('hi') })), 'a1617042' + '6869');
    assert.equal(hex(encodeCbor({ p: new Uint8Array([1, 2]) })), 'a161704201' + '02');
    const decoded = decodeCbor(Buffer.from('a161704201' + '02', 'hex')) as { p: Buffer };
    assert.ok(Buffer.isBuffer(decoded.p));
  });

  it('throws on bytes that are not well-formed CBOR', () => {
    assert.throws(() => decodeCbor(Buffer.from('bf6161', 'hex')));
    assert.throws(() => decodeCbor(Buffer.from('5fff', 'hex')));
  });
});
