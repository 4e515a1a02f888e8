// Byte compatibility with the official JavaScript SDK (npm aws-greengrass-core-sdk 1.7.0): frames we write decode
// into its data classes, and frames it writes decode with ours, for every request and response type.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeFrameBody, encodeFrame, FrameDecoder, Operation } from '../../lib/protocol';

interface SdkDataClass {
  fromMap(map: unknown): { asMap(): unknown };
}
type SdkData = Record<string, SdkDataClass>;
interface NodeCbor {
  encode(value: unknown): Buffer;
  decodeFirstSync(bytes: Buffer): unknown;
}

const sdkFolder = path.dirname(require.resolve('aws-greengrass-core-sdk/stream-manager'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkData = require('aws-greengrass-core-sdk/stream-manager/data') as SdkData;
// The very CBOR library (node-cbor 5) the SDK encodes and decodes with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkCbor = require(require.resolve('cbor', { paths: [sdkFolder] })) as NodeCbor;

const definition = {
  name: 'compat',
  maxSize: 2 ** 40,
  streamSegmentSize: 16_777_216,
  timeToLiveMillis: 3_600_000,
  strategyOnFull: 1,
  persistence: 1,
  flushOnWrite: true,
  exportDefinition: {
    http: [{ identifier: 'h', uri: 'http://127.0.0.1:8080/', batchSize: 10, exportFormat: 1 }],
    iotAnalytics: [{ identifier: 'a', iotChannel: 'channel', iotMsgIdPrefix: 'prefix', priority: 2 }],
    kinesis: [{ identifier: 'k', kinesisStreamName: 'ks', batchSize: 500, batchIntervalMillis: 60_000, startSequenceNumber: 5, disabled: true }],
    IotSitewise: [{ identifier: 's', batchSize: 10 }],
    s3TaskExecutor: [{ identifier: 't', sizeThresholdForMultipartUploadBytes: 5_242_880, priority: 1, statusConfig: { statusLevel: 2, statusStreamName: 'status' } }],
  },
};

const cases: { type: string; operation: Operation; map: Record<string, unknown> }[] = [
  { type: 'ConnectRequest', operation: Operation.Connect, map: { requestId: 'c1', protocolVersion: '1.1.0', otherSupportedProtocolVersions: ['1.0.0'], sdkVersion: '1.1.0', authToken: 'token' } },
  { type: 'ConnectResponse', operation: Operation.ConnectResponse, map: { requestId: 'c1', status: 0, protocolVersion: '1.1.0', supportedProtocolVersions: ['1.1.0', '1.0.0'], serverVersion: '0.1.0', clientIdentifier: 'id' } },
  { type: 'CreateMessageStreamRequest', operation: Operation.CreateMessageStream, map: { requestId: 'r1', definition } },
  { type: 'UpdateMessageStreamRequest', operation: Operation.UpdateMessageStream, map: { requestId: 'r2', definition } },
  { type: 'CreateMessageStreamResponse', operation: Operation.CreateMessageStreamResponse, map: { requestId: 'r1', status: 3, errorMessage: 'Stream with name compat already exists' } },
  { type: 'DeleteMessageStreamRequest', operation: Operation.DeleteMessageStream, map: { requestId: 'r3', name: 'compat' } },
  { type: 'DescribeMessageStreamRequest', operation: Operation.DescribeMessageStream, map: { requestId: 'r4', name: 'compat' } },
  {
    type: 'DescribeMessageStreamResponse',
    operation: Operation.DescribeMessageStreamResponse,
    map: {
      requestId: 'r4',
      status: 0,
      messageStreamInfo: {
        definition,
        storageStatus: { oldestSequenceNumber: 3, newestSequenceNumber: 9, totalBytes: 4096 },
        exportStatuses: [{ exportConfigIdentifier: 'k', lastExportedSequenceNumber: 7, lastExportTime: 1_700_000_000_000, errorMessage: 'x', exportedBytesFromStream: 100, exportedMessagesCount: 4 }],
      },
    },
  },
  { type: 'AppendMessageRequest', operation: Operation.AppendMessage, map: { requestId: 'r5', name: 'compat', payload: Buffer.from([0, 1, 2, 255]) } },
  { type: 'AppendMessageResponse', operation: Operation.AppendMessageResponse, map: { requestId: 'r5', status: 0, sequenceNumber: 42 } },
  { type: 'ReadMessagesRequest', operation: Operation.ReadMessages, map: { requestId: 'r6', streamName: 'compat', readMessagesOptions: { desiredStartSequenceNumber: 3, minMessageCount: 2, maxMessageCount: 10, readTimeoutMillis: 5000 } } },
  {
    type: 'ReadMessagesResponse',
    operation: Operation.ReadMessagesResponse,
    map: {
      requestId: 'r6',
      status: 0,
      messages: [
        { streamName: 'compat', sequenceNumber: 3, ingestTime: 1_700_000_000_123, payload: Buffer.from('first') },
        { streamName: 'compat', sequenceNumber: 4, ingestTime: 1_700_000_000_456, payload: Buffer.from('second') },
      ],
    },
  },
  { type: 'ListStreamsRequest', operation: Operation.ListStreams, map: { requestId: 'r7' } },
  { type: 'ListStreamsResponse', operation: Operation.ListStreamsResponse, map: { requestId: 'r7', status: 0, streams: ['a', 'b'] } },
  { type: 'UnknownOperationError', operation: Operation.UnknownOperationError, map: { requestId: 'r8', status: 18, errorMessage: 'unknown' } },
];

/** A frame as the SDK builds one: its data class's map, node-cbor, then the 5-byte header. */
function sdkFrame(type: string, operation: Operation, map: Record<string, unknown>): Buffer {
  const payload = sdkCbor.encode(sdkData[type].fromMap(map).asMap());
  const header = Buffer.alloc(5);
  header.writeInt32BE(payload.length + 1, 0);
  header.writeInt8(operation, 4);
  return Buffer.concat([header, payload]);
}

describe('byte compatibility with the official SDK', () => {
  for (const { type, operation, map } of cases) {
    it(`${type}: our frame decodes into the SDK's data class with the same values`, () => {
      const frame = encodeFrame(operation, map);
      assert.equal(frame.readInt32BE(0), frame.length - 4);
      assert.equal(frame.readInt8(4), operation);
      const sdkObject = sdkData[type].fromMap(sdkCbor.decodeFirstSync(frame.subarray(5)));
      assert.deepEqual(sdkObject.asMap(), map);
    });

    it(`${type}: the SDK's frame decodes with ours into the same map`, () => {
      const [frame] = new FrameDecoder().push(sdkFrame(type, operation, map));
      const decoded = decodeFrameBody(frame);
      assert.equal(decoded.operation, operation);
      assert.deepEqual(decoded.body, map);
    });
  }
});
