// S3 export tasks: the file named by inputUrl is copied (or uploaded to an S3-compatible server), and the status
// stream gets InProgress then Success or Failure, as StatusMessage JSON that the official SDK's util parses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Persistence, StatusLevel, StrategyOnFull, StreamManagerClient, type MessageStreamDefinition } from '../../../lib/client';
import { startTestServer, type TestServer } from '../../helpers/server';
import { exportStatus, waitFor } from './export-test-kit';

interface SdkStatusMessage {
  status: unknown;
  statusLevel: unknown;
  eventType: unknown;
  message: string;
  timestampEpochMs: number;
  statusContext: { exportIdentifier: string; streamName: string; sequenceNumber: number; s3ExportTaskDefinition: { bucket: string; key: string; inputUrl: string } | null };
}
interface Sdk {
  util: { deserializeJsonBytesToObj(bytes: Buffer, type: unknown): SdkStatusMessage };
  StatusMessage: unknown;
  Status: Record<'Success' | 'Failure' | 'InProgress', unknown>;
  StatusLevel: Record<'INFO' | 'ERROR', unknown>;
  EventType: Record<'S3Task', unknown>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('aws-greengrass-core-sdk/stream-manager') as Sdk;

const fileStream = (name: string, fields: Partial<MessageStreamDefinition> = {}): MessageStreamDefinition => ({
  name,
  strategyOnFull: StrategyOnFull.OverwriteOldestData,
  persistence: Persistence.File,
  ...fields,
});

async function statusMessages(client: StreamManagerClient, stream: string, count: number): Promise<SdkStatusMessage[]> {
  const messages = await waitFor(`${count} status messages in ${stream}`, async () => {
    const newest = Number((await client.describeMessageStream(stream)).storageStatus?.newestSequenceNumber);
    return newest + 1 >= count ? client.readMessages(stream, { minMessageCount: 1, maxMessageCount: 100 }) : undefined;
  });
  return messages.map((message) => sdk.util.deserializeJsonBytesToObj(Buffer.from(message.payload), sdk.StatusMessage));
}

describe('S3 export tasks', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  let files: string;

  before(async () => {
    files = await mkdtemp(path.join(tmpdir(), 'sm-s3-input-'));
    server = await startTestServer({ exportRetry: { firstRetryMs: 50, maxRetryMs: 200 } });
    client = new StreamManagerClient({ port: server.port });
  });
  after(async () => {
    await client.close();
    await server.close();
    await rm(files, { recursive: true, force: true });
  });

  it('copies the input file to s3/<bucket>/<key> and reports InProgress then Success', async () => {
    const input = path.join(files, 'report.csv');
    await writeFile(input, 'a,b\n1,2\n');
    await client.createMessageStream(fileStream('status-ok'));
    await client.createMessageStream(
      fileStream('tasks-ok', { exportDefinition: { s3TaskExecutor: [{ identifier: 'S3Export', statusConfig: { statusLevel: StatusLevel.INFO, statusStreamName: 'status-ok' } }] } }),
    );
    const task = { inputUrl: pathToFileURL(input).href, bucket: 'my-bucket', key: 'reports/!{timestamp:yyyy/MM}/report.csv' };
    const sequenceNumber = await client.appendMessage('tasks-ok', Buffer.from(JSON.stringify(task)));

    const [inProgress, success] = await statusMessages(client, 'status-ok', 2);
    assert.equal(inProgress.status, sdk.Status.InProgress);
    assert.equal(success.status, sdk.Status.Success, success.message);
    assert.equal(success.eventType, sdk.EventType.S3Task);
    assert.equal(success.statusLevel, sdk.StatusLevel.INFO);
    assert.equal(success.statusContext.exportIdentifier, 'S3Export');
    assert.equal(success.statusContext.streamName, 'tasks-ok');
    assert.equal(success.statusContext.sequenceNumber, Number(sequenceNumber));
    assert.equal(success.statusContext.s3ExportTaskDefinition?.bucket, 'my-bucket');
    assert.ok(success.timestampEpochMs >= inProgress.timestampEpochMs);

    const now = new Date();
    const month = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const copy = path.join(server.storeDir, 'exports', 's3', 'my-bucket', 'reports', month, 'report.csv');
    assert.equal(fs.readFileSync(copy, 'utf8'), 'a,b\n1,2\n');
    const status = await exportStatus(client, 'tasks-ok', 'S3Export');
    assert.equal(Number(status.lastExportedSequenceNumber), Number(sequenceNumber));
    assert.equal(Number(status.exportedMessagesCount), 1);
  });

  it('reports Failure with the reason for a missing file, a task that is not one and a key leaving the bucket, and goes on', async () => {
    await client.createMessageStream(fileStream('status-bad'));
    await client.createMessageStream(
      fileStream('tasks-bad', { exportDefinition: { s3TaskExecutor: [{ identifier: 'S3Bad', statusConfig: { statusStreamName: 'status-bad' } }] } }),
    );
    const good = path.join(files, 'good.txt');
    await writeFile(good, 'fine');
    await client.appendMessage('tasks-bad', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(path.join(files, 'absent.csv')).href, bucket: 'my-bucket', key: 'a.csv' })));
    await client.appendMessage('tasks-bad', Buffer.from('not json'));
    await client.appendMessage('tasks-bad', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(good).href, bucket: 'my-bucket', key: 'x/../../escape.txt' })));
    await client.appendMessage('tasks-bad', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(good).href, bucket: 'my-bucket', key: 'after/good.txt' })));

    const messages = await statusMessages(client, 'status-bad', 7);
    const outcome = messages.filter((message) => message.status !== sdk.Status.InProgress);
    assert.deepEqual(
      outcome.map((message) => [message.status === sdk.Status.Success ? 'Success' : 'Failure', message.statusContext.sequenceNumber]),
      [['Failure', 0], ['Failure', 1], ['Failure', 2], ['Success', 3]],
    );
    assert.match(outcome[0].message, /absent\.csv does not exist/);
    assert.equal(outcome[0].statusLevel, sdk.StatusLevel.ERROR);
    assert.match(outcome[1].message, /not a valid S3ExportTaskDefinition/);
    assert.match(outcome[2].message, /inside the bucket folder/);
    assert.ok(!fs.existsSync(path.join(server.storeDir, 'exports', 'escape.txt')));
    const status = await exportStatus(client, 'tasks-bad', 'S3Bad');
    assert.equal(Number(status.lastExportedSequenceNumber), 3, 'failed tasks are final: the executor goes on');
    assert.equal(Number(status.exportedMessagesCount), 1, 'only the uploaded task counts as exported');
  });

  it('writes only what the statusLevel lets through: ERROR keeps Failure and drops InProgress and Success', async () => {
    await client.createMessageStream(fileStream('status-errors'));
    await client.createMessageStream(
      fileStream('tasks-errors', { exportDefinition: { s3TaskExecutor: [{ identifier: 'S3Quiet', statusConfig: { statusLevel: StatusLevel.ERROR, statusStreamName: 'status-errors' } }] } }),
    );
    const good = path.join(files, 'quiet.txt');
    await writeFile(good, 'quiet');
    await client.appendMessage('tasks-errors', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(good).href, bucket: 'quiet-bucket', key: 'q.txt' })));
    await client.appendMessage('tasks-errors', Buffer.from(JSON.stringify({ inputUrl: 'file:/nowhere/at/all.csv', bucket: 'quiet-bucket', key: 'n.csv' })));
    await waitFor('both tasks done', async () => (Number((await exportStatus(client, 'tasks-errors', 'S3Quiet')).lastExportedSequenceNumber) === 1 ? true : undefined));
    const messages = await statusMessages(client, 'status-errors', 1);
    assert.deepEqual(messages.map((message) => [message.status === sdk.Status.Failure, message.statusContext.sequenceNumber]), [[true, 1]]);
  });
});

describe('S3 export tasks against an S3-compatible server', () => {
  it('uploads for real, in one PUT and in parts above the multipart threshold, with user metadata', { timeout: 30_000 }, async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<net.AddressInfo>; close(): Promise<void> };
    const root = await mkdtemp(path.join(tmpdir(), 'sm-s3rver-'));
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: root, configureBuckets: [{ name: 'device-bucket' }] });
    const { port } = await s3.run();
    const server = await startTestServer({
      exportRetry: { firstRetryMs: 50, maxRetryMs: 200 },
      s3Endpoint: { url: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const client = new StreamManagerClient({ port: server.port });
    try {
      const small = path.join(root, 'small.bin');
      const large = path.join(root, 'large.bin');
      await writeFile(small, Buffer.from('small file'));
      const largeBytes = Buffer.alloc(5_242_880 + 1234);
      for (let index = 0; index < largeBytes.length; index++) largeBytes[index] = (index * 31) % 251;
      await writeFile(large, largeBytes);
      await client.createMessageStream(fileStream('s3-status'));
      await client.createMessageStream(
        fileStream('s3-tasks', {
          exportDefinition: { s3TaskExecutor: [{ identifier: 'S3Real', sizeThresholdForMultipartUploadBytes: 5_242_880, statusConfig: { statusStreamName: 's3-status' } }] },
        }),
      );
      await client.appendMessage('s3-tasks', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(small).href, bucket: 'device-bucket', key: 'in/small+file=1.bin', userMetadata: { line: 'one' } })));
      await client.appendMessage('s3-tasks', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(large).href, bucket: 'device-bucket', key: 'in/large.bin' })));
      await client.appendMessage('s3-tasks', Buffer.from(JSON.stringify({ inputUrl: pathToFileURL(small).href, bucket: 'no-such-bucket', key: 'x.bin' })));
      const messages = await statusMessages(client, 's3-status', 6);
      const outcome = messages.filter((message) => message.status !== sdk.Status.InProgress);
      assert.deepEqual(
        outcome.map((message) => message.status === sdk.Status.Success),
        [true, true, false],
        outcome.map((message) => message.message).join('; '),
      );
      assert.match(outcome[2].message, /404|NoSuchBucket/);
      const fetchObject = async (key: string): Promise<Response> => fetch(`http://127.0.0.1:${port}/device-bucket/${key}`);
      const smallObject = await fetchObject('in/small%2Bfile%3D1.bin');
      assert.equal(await smallObject.text(), 'small file');
      assert.equal(smallObject.headers.get('x-amz-meta-line'), 'one');
      assert.ok(Buffer.from(await (await fetchObject('in/large.bin')).arrayBuffer()).equals(largeBytes), 'the multipart upload is the file, byte for byte');
    } finally {
      await client.close();
      await server.close();
      await s3.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
