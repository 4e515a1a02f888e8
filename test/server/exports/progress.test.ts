// Export progress survives restarts of a real sm-server process: after SIGTERM nothing is exported twice and nothing
// is missed; after kill -9 at most the batch that was under way is sent again. The HTTP destination counts what
// arrives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../../lib/client';
import { kill, spawnServer, type ServerChild } from '../../../test-faults/server-child';
import { startHttpSink, waitFor, type HttpSink } from './export-test-kit';

const TOTAL = 60;
const BATCH = 5;

/** Appends TOTAL numbered messages, stops the server with the signal once some (not all) have arrived, starts it
 * again on the same store, and returns how often each message arrived. */
async function exportAcrossRestart(signal: NodeJS.Signals): Promise<{ counts: Map<string, number>; sink: HttpSink }> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-export-restart-'));
  const sink = await startHttpSink();
  sink.delayMs = 15;
  let server: ServerChild = await spawnServer(storeDir);
  let client = new StreamManagerClient({ port: server.port });
  try {
    await client.createMessageStream({
      name: 'restart',
      strategyOnFull: StrategyOnFull.RejectNewData,
      persistence: Persistence.File,
      exportDefinition: { http: [{ identifier: 'to-sink', uri: sink.url, batchSize: BATCH }] },
    });
    for (let index = 0; index < TOTAL; index++) await client.appendMessage('restart', Buffer.from(`message ${index}`));
    await waitFor('some messages exported', () => (sink.requests.length >= 12 ? true : undefined));
    await client.close();
    await kill(server, signal);
    const arrivedBeforeStop = sink.requests.length;
    assert.ok(arrivedBeforeStop < TOTAL, `the stop must come while the export is under way (${arrivedBeforeStop} arrived)`);

    server = await spawnServer(storeDir);
    client = new StreamManagerClient({ port: server.port });
    await waitFor('every message after the restart', () => (new Set(sink.requests.map((request) => request.body.toString())).size === TOTAL ? true : undefined), 15_000);
    await waitFor('the last batch committed', async () =>
      Number((await client.describeMessageStream('restart')).exportStatuses?.[0]?.lastExportedSequenceNumber) === TOTAL - 1 ? true : undefined,
    );
    const counts = new Map<string, number>();
    for (const request of sink.requests) counts.set(request.body.toString(), (counts.get(request.body.toString()) ?? 0) + 1);
    return { counts, sink };
  } finally {
    await client.close();
    await kill(server, 'SIGTERM');
    await sink.close();
    await rm(storeDir, { recursive: true, force: true });
  }
}

describe('export progress across restarts', () => {
  it('exports every message exactly once across a SIGTERM restart', { timeout: 40_000 }, async () => {
    const { counts } = await exportAcrossRestart('SIGTERM');
    const twice = [...counts].filter(([, count]) => count > 1).map(([body]) => body);
    assert.deepEqual(twice, [], 'nothing is sent twice after a clean stop');
    assert.equal(counts.size, TOTAL);
  });

  it('sends at most the batch under way again after kill -9, and misses nothing', { timeout: 40_000 }, async () => {
    const { counts } = await exportAcrossRestart('SIGKILL');
    const again = [...counts].filter(([, count]) => count > 1).map(([body]) => body);
    assert.ok(again.length <= BATCH, `at most one batch of ${BATCH} again, got ${again.length}: ${again.join(', ')}`);
    assert.ok([...counts.values()].every((count) => count <= 2));
    assert.equal(counts.size, TOTAL);
  });
});
