// Failures that can be made locally: a server option that makes an export (by identifier or kind) refuse, and a
// full OverwriteOldestData stream whose export lags. Nothing is skipped while the export fails; what retention
// removes before it is sent is lost, as on a device, and the export goes on from the oldest message kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../../lib/client';
import { startServer, type ServerOptions } from '../../../lib/server';
import { exportStatus, recordedRequests, startHttpSink, unusedPort, waitFor } from './export-test-kit';

async function withStore<T>(test: (storeDir: string) => Promise<T>): Promise<T> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-export-fail-'));
  try {
    return await test(storeDir);
  } finally {
    await rm(storeDir, { recursive: true, force: true });
  }
}

async function run(options: ServerOptions, test: (client: StreamManagerClient) => Promise<void>): Promise<void> {
  const server = await startServer({ port: 0, exportRetry: { firstRetryMs: 40, maxRetryMs: 120 }, exportPollIntervalMs: 20, ...options });
  const client = new StreamManagerClient({ port: server.port });
  try {
    await test(client);
  } finally {
    await client.close();
    await server.close();
  }
}

describe('export failures', () => {
  it('refuses by identifier or by kind while the option is set, skips nothing, and resumes without it', () =>
    withStore(async (storeDir) => {
      const exportDir = path.join(storeDir, 'exports');
      const definition = {
        name: 'refused',
        strategyOnFull: StrategyOnFull.RejectNewData,
        persistence: Persistence.File,
        exportDefinition: { kinesis: [{ identifier: 'k-refused', kinesisStreamName: 'cloud' }], IotSitewise: [{ identifier: 'sw-refused' }] },
      };
      await run({ storeDir, refuseExports: ['k-refused', 'IotSitewise'] }, async (client) => {
        await client.createMessageStream(definition);
        for (let index = 0; index < 3; index++) await client.appendMessage('refused', Buffer.from(`r${index}`));
        const kinesis = await waitFor('kinesis refused', async () => {
          const status = await exportStatus(client, 'refused', 'k-refused');
          return status.errorMessage ? status : undefined;
        });
        assert.match(String(kinesis.errorMessage), /export k-refused is set to refuse/);
        assert.equal(Number(kinesis.lastExportedSequenceNumber), -1);
        const sitewise = await waitFor('sitewise refused', async () => {
          const status = await exportStatus(client, 'refused', 'sw-refused');
          return status.errorMessage ? status : undefined;
        });
        assert.match(String(sitewise.errorMessage), /IotSitewise exports are set to refuse/);
        assert.deepEqual(recordedRequests(exportDir, 'k-refused'), []);
      });
      await run({ storeDir }, async (client) => {
        await waitFor('the refused messages, all of them', () =>
          recordedRequests(exportDir, 'k-refused').flatMap((request) => request.request?.Records as unknown[]).length === 3 ? true : undefined,
        );
        const status = await waitFor('a clean status', async () => {
          const current = await exportStatus(client, 'refused', 'k-refused');
          return Number(current.lastExportedSequenceNumber) === 2 ? current : undefined;
        });
        assert.equal(status.errorMessage, undefined);
        assert.equal(Number(status.exportedMessagesCount), 3);
      });
    }));

  it('a full OverwriteOldestData stream with a lagging export keeps taking appends; the export resumes at the oldest message kept', () =>
    withStore(async (storeDir) => {
      const port = await unusedPort();
      await run({ storeDir }, async (client) => {
        await client.createMessageStream({
          name: 'lagging',
          strategyOnFull: StrategyOnFull.OverwriteOldestData,
          persistence: Persistence.File,
          maxSize: 4096,
          streamSegmentSize: 1024,
          exportDefinition: { http: [{ identifier: 'lag', uri: `http://127.0.0.1:${port}/lag` }] },
        });
        for (let index = 0; index < 40; index++) await client.appendMessage('lagging', Buffer.alloc(256, index));
        const storage = (await client.describeMessageStream('lagging')).storageStatus;
        const oldest = Number(storage?.oldestSequenceNumber);
        assert.ok(oldest > 0, 'retention removed the oldest messages');
        await waitFor('a failing export', async () => ((await exportStatus(client, 'lagging', 'lag')).errorMessage ? true : undefined));

        const sink = await startHttpSink(port);
        try {
          await waitFor('the kept messages', async () => (Number((await exportStatus(client, 'lagging', 'lag')).lastExportedSequenceNumber) === 39 ? true : undefined));
          const firstSent = sink.requests[0].body[0];
          assert.ok(firstSent >= oldest, `the export went on from a message still kept (${firstSent} >= ${oldest})`);
          const sent = sink.requests.map((request) => request.body[0]);
          assert.deepEqual(sent, Array.from({ length: sent.length }, (_, index) => firstSent + index), 'in order, no gaps after the loss');
        } finally {
          await sink.close();
        }
      });
    }));

  it('a RejectNewData stream that is full refuses appends while its export is down, and the export still drains it', () =>
    withStore(async (storeDir) => {
      const port = await unusedPort();
      await run({ storeDir }, async (client) => {
        await client.createMessageStream({
          name: 'full',
          strategyOnFull: StrategyOnFull.RejectNewData,
          persistence: Persistence.Memory,
          maxSize: 2048,
          streamSegmentSize: 1024,
          exportDefinition: { http: [{ identifier: 'full-http', uri: `http://127.0.0.1:${port}/full` }] },
        });
        for (let index = 0; index < 8; index++) await client.appendMessage('full', Buffer.alloc(256, index));
        await assert.rejects(client.appendMessage('full', Buffer.alloc(256, 9)), (error: Error & { code?: string }) => error.code === 'InvalidRequest');
        const sink = await startHttpSink(port);
        try {
          await waitFor('all 8', () => (sink.requests.length === 8 ? true : undefined));
        } finally {
          await sink.close();
        }
      });
    }));
});
