// Batching as documented: without batchIntervalMillis messages go as soon as they are stored, in batches of at most
// batchSize; with it they wait for batchSize messages or for the oldest to be that old, whichever comes first.
// Also: batches capped in bytes, priority, disabled, startSequenceNumber, and the request shapes the cloud
// exporters record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../../../lib/client';
import { startTestServer, type TestServer } from '../../helpers/server';
import { exportStatus, recordedRequests, startHttpSink, waitFor } from './export-test-kit';

const stream = (name: string, fields: Partial<MessageStreamDefinition>): MessageStreamDefinition => ({
  name,
  strategyOnFull: StrategyOnFull.RejectNewData,
  persistence: Persistence.Memory,
  ...fields,
});

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 400));

describe('export batching', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  let exportDir: string;
  let clockOffset = 0;

  before(async () => {
    server = await startTestServer({ clock: () => Date.now() + clockOffset, exportPollIntervalMs: 20 });
    exportDir = path.join(server.storeDir, 'exports');
    client = new StreamManagerClient({ port: server.port });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  const exportedSequence = (identifier: string): number[] =>
    recordedRequests(exportDir, identifier).flatMap((request) =>
      Array.from({ length: request.lastSequenceNumber - request.firstSequenceNumber + 1 }, (_, index) => request.firstSequenceNumber + index),
    );

  it('batchSize alone: sends at once, in batches of at most batchSize', async () => {
    await client.createMessageStream(stream('size-only', { exportDefinition: { kinesis: [{ identifier: 'k-size', kinesisStreamName: 'cloud', batchSize: 2 }] } }));
    await client.appendMessage('size-only', Buffer.from('first'));
    await waitFor('the first message alone, without waiting for a full batch', () => (exportedSequence('k-size').length === 1 ? true : undefined));
    await Promise.all(Array.from({ length: 6 }, (_, index) => client.appendMessage('size-only', Buffer.from(`m${index}`))));
    await waitFor('all 7', () => (exportedSequence('k-size').length === 7 ? true : undefined));
    const requests = recordedRequests(exportDir, 'k-size');
    assert.ok(requests.every((request) => (request.request?.Records as unknown[]).length <= 2));
    assert.deepEqual(exportedSequence('k-size'), [0, 1, 2, 3, 4, 5, 6]);
    const first = requests[0].request as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
    assert.equal(first.StreamName, 'cloud');
    assert.equal(Buffer.from(first.Records[0].Data, 'base64').toString(), 'first');
    assert.match(first.Records[0].PartitionKey, /^[0-9a-f-]{36}$/);
  });

  it('batchIntervalMillis alone: holds messages until the oldest is that old, then sends them together', async () => {
    await client.createMessageStream(stream('interval-only', { exportDefinition: { kinesis: [{ identifier: 'k-interval', kinesisStreamName: 'cloud', batchIntervalMillis: 60_000 }] } }));
    for (let index = 0; index < 3; index++) await client.appendMessage('interval-only', Buffer.from(`i${index}`));
    await settle();
    assert.deepEqual(exportedSequence('k-interval'), [], 'nothing before the interval');
    clockOffset += 60_000;
    await waitFor('the batch after the interval', () => (exportedSequence('k-interval').length === 3 ? true : undefined));
    assert.equal(recordedRequests(exportDir, 'k-interval').length, 1, 'one batch of three');
  });

  it('both: sends when batchSize messages wait or when the oldest is batchIntervalMillis old, whichever is first', async () => {
    await client.createMessageStream(
      stream('both', { exportDefinition: { kinesis: [{ identifier: 'k-both', kinesisStreamName: 'cloud', batchSize: 3, batchIntervalMillis: 60_000 }] } }),
    );
    await client.appendMessage('both', Buffer.from('b0'));
    await client.appendMessage('both', Buffer.from('b1'));
    await settle();
    assert.deepEqual(exportedSequence('k-both'), [], 'two of three, young: held');
    await client.appendMessage('both', Buffer.from('b2'));
    await waitFor('the full batch', () => (exportedSequence('k-both').length === 3 ? true : undefined));
    await client.appendMessage('both', Buffer.from('b3'));
    await settle();
    assert.equal(exportedSequence('k-both').length, 3, 'one young message: held');
    clockOffset += 60_000;
    await waitFor('the old one', () => (exportedSequence('k-both').length === 4 ? true : undefined));
  });

  it('caps batches in bytes and sends a message larger than the cap alone', async () => {
    const mib = 1024 * 1024;
    await client.createMessageStream(stream('large', { maxSize: 64 * mib, exportDefinition: { kinesis: [{ identifier: 'k-large', kinesisStreamName: 'cloud' }] } }));
    await client.appendMessage('large', Buffer.alloc(3 * mib, 1));
    await client.appendMessage('large', Buffer.alloc(3 * mib, 2));
    await client.appendMessage('large', Buffer.alloc(7 * mib, 3));
    await waitFor('three large messages', () => (exportedSequence('k-large').length === 3 ? true : undefined), 15_000);
    const sizes = recordedRequests(exportDir, 'k-large').map((request) => (request.request?.Records as unknown[]).length);
    assert.deepEqual(sizes, [1, 1, 1], 'a 5 MiB PutRecords takes one 3 MiB record at a time; 7 MiB goes alone');
  });

  it('honours disabled (paused until enabled) and startSequenceNumber', async () => {
    await client.createMessageStream(stream('paused', { exportDefinition: { kinesis: [{ identifier: 'k-paused', kinesisStreamName: 'cloud', disabled: true }] } }));
    for (let index = 0; index < 5; index++) await client.appendMessage('paused', Buffer.from(`p${index}`));
    await settle();
    assert.deepEqual(exportedSequence('k-paused'), []);
    await client.updateMessageStream(
      stream('paused', {
        exportDefinition: { kinesis: [{ identifier: 'k-paused', kinesisStreamName: 'cloud' }], iotAnalytics: [{ identifier: 'ia-late', iotChannel: 'channel', iotMsgIdPrefix: 'gw1-', startSequenceNumber: 3 }] },
      }),
    );
    await waitFor('both exports', () => (exportedSequence('k-paused').length === 5 && exportedSequence('ia-late').length === 2 ? true : undefined));
    const analytics = recordedRequests(exportDir, 'ia-late')[0].request as { channelName: string; messages: { messageId: string; payload: string }[] };
    assert.equal(analytics.channelName, 'channel');
    assert.deepEqual(analytics.messages.map((message) => message.messageId), ['gw1-3', 'gw1-4']);
    assert.equal(Buffer.from(analytics.messages[0].payload, 'base64').toString(), 'p3');
  });

  it('records IoT SiteWise entries as a BatchPutAssetPropertyValue request and skips what is not an entry or breaks a SiteWise rule', async () => {
    await client.createMessageStream(stream('sitewise', { exportDefinition: { IotSitewise: [{ identifier: 'sw', batchSize: 10 }] } }));
    const nowSeconds = Math.floor(Date.now() / 1000);
    const entry = { entryId: 'e1', propertyAlias: '/plant/temp', propertyValues: [{ value: { doubleValue: 21.5 }, timestamp: { timeInSeconds: nowSeconds, offsetInNanos: 0 }, quality: 'GOOD' }] };
    const stale = { ...entry, entryId: 'stale-1', propertyValues: [{ ...entry.propertyValues[0], timestamp: { timeInSeconds: nowSeconds - 8 * 86_400, offsetInNanos: 0 } }] };
    await client.appendMessage('sitewise', Buffer.from(JSON.stringify(entry)));
    await client.appendMessage('sitewise', Buffer.from('{"entryId":"no values"}'));
    await client.appendMessage('sitewise', Buffer.from(JSON.stringify(stale)));
    await waitFor('all handled', async () => (Number((await exportStatus(client, 'sitewise', 'sw')).lastExportedSequenceNumber) === 2 ? true : undefined));
    const recorded = recordedRequests(exportDir, 'sw');
    const entries = recorded.flatMap((request) => (request.request?.entries as unknown[] | undefined) ?? []);
    assert.deepEqual(entries, [entry]);
    const skipped = recorded.flatMap((request) => (request.skipped ?? []) as { sequenceNumber: number; entryId?: string; reason: string }[]);
    assert.deepEqual(skipped.map((skip) => skip.sequenceNumber), [1, 2]);
    assert.equal(skipped[1].entryId, 'stale-1');
    assert.match(skipped[1].reason, /entry stale-1: propertyValues\[0\]\.timestamp is 8 days old: IoT SiteWise accepts values from the last 7 days up to 10 minutes ahead/);
    const status = await exportStatus(client, 'sitewise', 'sw');
    assert.equal(Number(status.exportedMessagesCount), 1);
    if (recorded.length === 1) assert.match(String(status.errorMessage), /skipped sequence numbers 1, 2 \(entry stale-1\)/);
  });

  it('starts higher-priority exports first when they compete for the export threads', async () => {
    const sink = await startHttpSink();
    const single = await startTestServer({ exporterThreadPoolSize: 1 });
    const singleClient = new StreamManagerClient({ port: single.port });
    try {
      sink.delayMs = 30;
      await singleClient.createMessageStream(
        stream('ranked', {
          exportDefinition: {
            http: [
              { identifier: 'low', uri: `${sink.url}/low`, priority: 9 },
              { identifier: 'unset', uri: `${sink.url}/unset` },
              { identifier: 'high', uri: `${sink.url}/high`, priority: 1 },
            ],
          },
        }),
      );
      await singleClient.appendMessage('ranked', Buffer.from('x'));
      await waitFor('three posts', () => (sink.requests.length === 3 ? true : undefined));
      assert.deepEqual(sink.requests.map((request) => request.path.split('/').pop()), ['high', 'low', 'unset']);
    } finally {
      await singleClient.close();
      await single.close();
      await sink.close();
    }
  });
});
