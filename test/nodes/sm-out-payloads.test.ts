// sm out's Payload settings in a real Node-RED against the real sm-server: readings become IoT SiteWise entries in the
// recorded BatchPutAssetPropertyValue request (grouped as set), files become S3 uploads, and the official JS SDK reads
// back what was appended with its own data classes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StreamManagerClient } from '../../lib/client';
import type { TestServer } from '../helpers/server';
import { recordedRequests, waitFor } from '../server/exports/export-test-kit';
import type * as net from 'node:net';
import { StreamManagerClient as Client } from '../../lib/client';
import { startTestServer } from '../helpers/server';
import { collect, configNode, helper, loadFlow, observe, startRuntime, stopRuntime, useRuntimeAndServer, waitUntil, type FlowNode, type CaughtMsg } from './flow-harness';

interface SdkObject {
  asMap(): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkData = require('aws-greengrass-core-sdk/stream-manager/data') as Record<string, (new () => SdkObject) & { fromMap(map: unknown): SdkObject }>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkUtil = require('aws-greengrass-core-sdk/stream-manager/util') as {
  validateAndSerializeToJsonBytes(object: SdkObject): Buffer;
  deserializeJsonBytesToObj(bytes: Buffer, type: unknown): SdkObject;
};

function outFlow(port: number, outNode: Record<string, unknown>): FlowNode[] {
  return [
    configNode(port),
    { id: 'out', type: 'sm out', server: 'config', stream: 'readings', createStream: true, wires: [['sent']], ...outNode },
    { id: 'sent', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

interface Entry {
  entryId: string;
  propertyAlias?: string;
  propertyValues: { value: Record<string, unknown>; timestamp: { timeInSeconds: number; offsetInNanos: number }; quality: string }[];
}

/** The stored payloads, each read into the SDK's class and written by it again: the SDK must give the same bytes. */
async function storedThroughSdk(client: StreamManagerClient, stream: string, count: number, type: string): Promise<unknown[]> {
  const messages = await client.readMessages(stream, { minMessageCount: count, maxMessageCount: count, readTimeoutMillis: 5000 });
  return messages.map((message) => {
    const bytes = Buffer.from(message.payload);
    const object = sdkUtil.deserializeJsonBytesToObj(bytes, sdkData[type]);
    assert.ok(object instanceof sdkData[type]);
    assert.equal(sdkUtil.validateAndSerializeToJsonBytes(object).toString(), bytes.toString());
    return JSON.parse(bytes.toString()) as unknown;
  });
}

describe('sm out payload formats', () => {
  let server: TestServer;
  let client: StreamManagerClient;

  useRuntimeAndServer((started, startedClient) => {
    server = started;
    client = startedClient;
  });

  it('IoT SiteWise value: each reading becomes an entry the SDK reads back, exported in the recorded request', async () => {
    await loadFlow(outFlow(server.port, { payloadMode: 'sitewise', propertyAlias: '/plant/line-1/temperature' }));
    const sent = collect<{ sequenceNumber: number }>('sent');
    const out = helper.getNode('out');
    const at = Date.now() - 1000;
    out.receive({ payload: 21 });
    out.receive({ payload: { value: 21.5, quality: 'UNCERTAIN', timestamp: at } });
    out.receive({ payload: true, topic: 'ignored: the node names the alias' });
    const msgs = await sent.wait(3);
    assert.deepEqual(msgs.map((msg) => msg.sequenceNumber), [0, 1, 2]);
    const entries = (await storedThroughSdk(client, 'readings', 3, 'PutAssetPropertyValueEntry')) as Entry[];
    assert.deepEqual(entries.map((entry) => entry.propertyValues[0].value), [{ integerValue: 21 }, { doubleValue: 21.5 }, { booleanValue: true }]);
    assert.deepEqual(entries[1].propertyValues[0].timestamp, { timeInSeconds: Math.floor(at / 1000), offsetInNanos: (at % 1000) * 1_000_000 });
    assert.deepEqual(entries.map((entry) => entry.propertyValues[0].quality), ['GOOD', 'UNCERTAIN', 'GOOD']);
    assert.ok(entries.every((entry) => entry.propertyAlias === '/plant/line-1/temperature'));
    // Created with a SiteWise export, which records the entries as the request a device would send.
    const exportDir = path.join(server.storeDir, 'exports');
    const recorded = await waitFor('the SiteWise request', () => {
      const found = recordedRequests(exportDir, 'SiteWise').flatMap((request) => (request.request?.entries as Entry[] | undefined) ?? []);
      return found.length === 3 ? found : undefined;
    });
    assert.deepEqual(recorded, entries);
  });

  it('IoT SiteWise value: groups one property\'s values within the window into entries of at most 10, and msg.topic names the alias', async () => {
    await loadFlow(outFlow(server.port, { payloadMode: 'sitewise', valueType: 'double', groupMs: '400' }));
    const sent = collect<{ sequenceNumber: number; topic: string }>('sent');
    const out = helper.getNode('out');
    for (let index = 0; index < 12; index++) out.receive({ payload: index, topic: '/a' });
    for (let index = 0; index < 3; index++) out.receive({ payload: index, topic: '/b' });
    const msgs = await sent.wait(15);
    const entries = (await storedThroughSdk(client, 'readings', 3, 'PutAssetPropertyValueEntry')) as Entry[];
    const shape = entries.map((entry) => [entry.propertyAlias, entry.propertyValues.map((value) => value.value.doubleValue)]);
    const sorted = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort();
    assert.deepEqual(sorted(shape), sorted([['/a', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], ['/a', [10, 11]], ['/b', [0, 1, 2]]]));
    // Each msg carries the sequence number of the entry that holds its value.
    const byAlias = (alias: string) => msgs.filter((msg) => msg.topic === alias).map((msg) => msg.sequenceNumber);
    assert.equal(new Set(byAlias('/a').slice(0, 10)).size, 1);
    assert.equal(new Set(byAlias('/b')).size, 1);
  });

  it('IoT SiteWise value: an array payload becomes entries of at most 10 values and msg.sequenceNumbers', async () => {
    await loadFlow(outFlow(server.port, { payloadMode: 'sitewise', propertyAlias: '/a', valueType: 'double' }));
    const sent = collect<{ sequenceNumbers: number[] }>('sent');
    helper.getNode('out').receive({ payload: Array.from({ length: 13 }, (_, index) => ({ value: index })) });
    const [msg] = await sent.wait(1);
    assert.deepEqual(msg.sequenceNumbers, [0, 1]);
    const entries = (await storedThroughSdk(client, 'readings', 2, 'PutAssetPropertyValueEntry')) as Entry[];
    assert.deepEqual(entries.map((entry) => entry.propertyValues.length), [10, 3]);
  });

  it('IoT SiteWise value: a reading that breaks a rule fails with Validation naming it, and the next one is appended', async () => {
    await loadFlow(outFlow(server.port, { payloadMode: 'sitewise', propertyAlias: '/a' }));
    const sent = collect('sent');
    const caught = collect<CaughtMsg>('caught');
    const out = helper.getNode('out');
    out.receive({ payload: { value: 1, timestamp: Date.now() - 8 * 86_400_000 - 10_000 } });
    out.receive({ payload: 'x'.repeat(1025) });
    out.receive({ payload: Number.NaN });
    out.receive({ payload: 5 });
    const errors = await caught.wait(3);
    assert.deepEqual(errors.map((msg) => msg.error.code), ['Validation', 'Validation', 'Validation']);
    assert.match(errors[0].error.message, /msg\.payload\.timestamp is 8 days old: IoT SiteWise accepts values from the last 7 days up to 10 minutes ahead/);
    assert.match(errors[1].error.message, /1025 characters long: IoT SiteWise takes strings of 1 to 1024 characters/);
    assert.match(errors[2].error.message, /NaN: IoT SiteWise takes only finite numbers/);
    await sent.wait(1);
  });

  it('S3 upload task: a file becomes a task the SDK reads back, the local copy is made, and a missing file only warns', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-out-s3-'));
    try {
      const file = path.join(folder, 'report.csv');
      fs.writeFileSync(file, 'a,b\n1,2\n');
      await loadFlow(outFlow(server.port, { payloadMode: 's3task', s3Bucket: 'reports', s3Key: 'line-1/report.csv', s3StatusStream: 'S3Status', s3Metadata: '{"line":"1"}' }));
      const sent = collect('sent');
      const out = helper.getNode('out');
      const shown = observe('out');
      out.receive({ filename: file });
      out.receive({ payload: path.join(folder, 'missing.csv') });
      await sent.wait(2);
      await waitUntil(() => shown.warnings().length > 0, 'the warning');
      assert.equal(shown.warnings().length, 1);
      assert.match(shown.warnings()[0], /missing\.csv does not exist here/);
      const tasks = await storedThroughSdk(client, 'readings', 2, 'S3ExportTaskDefinition');
      assert.deepEqual(tasks[0], { inputUrl: `file://${file}`, bucket: 'reports', key: 'line-1/report.csv', userMetadata: { line: '1' } });
      const copy = path.join(server.storeDir, 'exports', 's3', 'reports', 'line-1', 'report.csv');
      await waitFor('the uploaded copy', () => (fs.existsSync(copy) ? true : undefined));
      assert.equal(fs.readFileSync(copy, 'utf8'), 'a,b\n1,2\n');
      const { definition } = await client.describeMessageStream('readings');
      assert.equal(definition?.exportDefinition?.s3TaskExecutor?.[0].statusConfig?.statusStreamName, 'S3Status');
      assert.ok((await client.listStreams()).includes('S3Status'), 'the status stream is created with the stream');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('S3 upload task: each appended task\'s outcome leaves by the second output with the msg\'s properties and msg.s3; a missing file gives Failure', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-out-s3-'));
    try {
      const file = path.join(folder, 'good.csv');
      fs.writeFileSync(file, 'x\n');
      const flow = outFlow(server.port, { payloadMode: 's3task', s3Bucket: 'reports', s3Key: 'k/!{timestamp:yyyy}/f.csv', s3StatusStream: 'S3Status', s3Outcomes: true, outputs: 2, wires: [['sent'], ['outcome']] });
      await loadFlow([...flow, { id: 'outcome', type: 'helper' }]);
      const outcome = collect<{ line: string; filename: string; s3: { bucket: string; key: string; status: string; message: string } }>('outcome');
      const out = helper.getNode('out');
      out.receive({ filename: file, line: 'one' });
      out.receive({ filename: path.join(folder, 'missing.csv'), line: 'two' });
      const results = await outcome.wait(2, 20_000);
      const byLine = Object.fromEntries(results.map((msg) => [msg.line, msg]));
      assert.equal(byLine.one.s3.status, 'Success', byLine.one.s3.message);
      assert.deepEqual([byLine.one.s3.bucket, byLine.one.s3.key, byLine.one.filename], ['reports', 'k/!{timestamp:yyyy}/f.csv', file]);
      assert.equal(byLine.two.s3.status, 'Failure');
      assert.match(byLine.two.s3.message, /missing\.csv does not exist/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('S3 upload task: an outcome that arrives after a restart of Node-RED still leaves by the second output', { timeout: 60_000 }, async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-out-s3-'));
    try {
      const file = path.join(folder, 'later.csv');
      fs.writeFileSync(file, 'later\n');
      const paused = { s3TaskExecutor: [{ identifier: 'S3', disabled: true, statusConfig: { statusLevel: 2, statusStreamName: 'S3Status' } }] };
      const flow = [
        ...outFlow(server.port, { payloadMode: 's3task', s3Bucket: 'reports', s3Key: 'later.csv', s3StatusStream: 'S3Status', s3Outcomes: true, outputs: 2, exportDefinition: JSON.stringify(paused), wires: [['sent'], ['outcome']] }),
        { id: 'outcome', type: 'helper' },
      ];
      await loadFlow(flow);
      const sent = collect('sent');
      helper.getNode('out').receive({ filename: file, tag: 'kept across the restart' });
      await sent.wait(1);
      // The export is paused, so the task waits while Node-RED stops and starts again.
      await waitFor('the waiting task kept', async () => ((await client.listStreams()).some((name) => name.startsWith('_s3tasks.')) ? true : undefined));
      await helper.unload();
      await stopRuntime();
      await startRuntime();
      await loadFlow(flow);
      const outcome = collect<{ tag: string; s3: { status: string } }>('outcome');
      const { definition } = await client.describeMessageStream('readings');
      await client.updateMessageStream({ ...definition!, exportDefinition: { s3TaskExecutor: [{ ...paused.s3TaskExecutor[0], disabled: false }] } });
      const [msg] = await outcome.wait(1, 30_000);
      assert.deepEqual([msg.tag, msg.s3.status], ['kept across the restart', 'Success']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('S3 upload task: files go to an S3-compatible server (s3rver) and their outcomes come back', { timeout: 60_000 }, async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<net.AddressInfo>; close(): Promise<void> };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-out-s3rver-'));
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(root, 's3'), configureBuckets: [{ name: 'device-bucket' }] });
    const { port } = await s3.run();
    const s3Server = await startTestServer({ s3Endpoint: { url: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const s3Client = new Client({ port: s3Server.port });
    try {
      const file = path.join(root, 'upload.txt');
      fs.writeFileSync(file, 'uploaded by sm out');
      await loadFlow([
        ...outFlow(s3Server.port, { payloadMode: 's3task', s3Bucket: 'device-bucket', s3Key: 'from-node-red/upload.txt', s3StatusStream: 'S3Status', s3Outcomes: true, outputs: 2, wires: [['sent'], ['outcome']] }),
        { id: 'outcome', type: 'helper' },
      ]);
      const outcome = collect<{ s3: { status: string; message: string } }>('outcome');
      helper.getNode('out').receive({ payload: file });
      const [msg] = await outcome.wait(1, 30_000);
      assert.equal(msg.s3.status, 'Success', msg.s3.message);
      const object = await fetch(`http://127.0.0.1:${port}/device-bucket/from-node-red/upload.txt`);
      assert.equal(await object.text(), 'uploaded by sm out');
    } finally {
      await helper.unload();
      await s3Client.close();
      await s3Server.close();
      await s3.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
