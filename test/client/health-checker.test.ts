// The health checker against the real local server: exports that fail (refused by the server's --refuse-export, or
// an HTTP destination nothing listens on) become failing after the grace and ok once they flow again; a stream past
// the fill threshold raises the alert and clears it; consumers show their lag and waiting dead letters.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HealthWatch } from '../../lib/client/health/health-watch';
import { checkHealth, Consumer, HealthChecker, Persistence, StrategyOnFull, StreamManagerClient, type HealthCheckResult, type StreamHealthChange, type StreamHealthState } from '../../lib/client';
import { appendDeadLetter } from '../../lib/client/consumer/dead-letter-stream';
import { startServer, type RunningServer, type ServerOptions } from '../../lib/server';
import { startHttpSink, unusedPort } from '../server/exports/export-test-kit';
import { quietFor, waitFor } from '../helpers/wait';

const FAST_EXPORTS: ServerOptions = { exportRetry: { firstRetryMs: 40, maxRetryMs: 150 }, exportPollIntervalMs: 20 };
const GRACE_MS = 600;

/** Checks again and again until `until` holds for the stream's health, keeping every change; a check the server cannot answer (it restarts) is tried again. */
async function checkUntil(checker: HealthChecker, stream: string, until: (state: StreamHealthState) => boolean, changes: StreamHealthChange[]): Promise<HealthCheckResult> {
  return waitFor(
    `${stream} to reach the state asked for`,
    async () => {
      const result = await checker.check().catch(() => undefined);
      if (result === undefined) return undefined;
      changes.push(...result.changes);
      const health = result.report.streams.find((entry) => entry.stream === stream);
      return health && until(health.state) ? result : undefined;
    },
    20_000,
  );
}

const transitions = (changes: StreamHealthChange[]) => changes.map((change) => `${change.stream}: ${change.previousState ?? '-'} -> ${change.state}`);

describe('health checker', () => {
  let storeDir: string;
  let server: RunningServer;
  let client: StreamManagerClient;

  before(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), 'sm-health-'));
  });
  after(async () => {
    await client?.close();
    await server?.close();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('shows an export the server refuses as failing after the grace, and ok once it exports again', async () => {
    server = await startServer({ port: 0, storeDir, refuseExports: ['to-kinesis'], ...FAST_EXPORTS });
    client = new StreamManagerClient({ port: server.port });
    await client.createMessageStream({
      name: 'kinesis-out',
      strategyOnFull: StrategyOnFull.RejectNewData,
      persistence: Persistence.File,
      exportDefinition: { kinesis: [{ identifier: 'to-kinesis', kinesisStreamName: 'cloud', batchSize: 1 }] },
    });
    for (let index = 0; index < 3; index++) await client.appendMessage('kinesis-out', Buffer.from(`m${index}`));
    const checker = new HealthChecker(client, { thresholds: { errorGraceMs: GRACE_MS } });
    const changes: StreamHealthChange[] = [];
    const failing = await checkUntil(checker, 'kinesis-out', (state) => state === 'failing', changes);
    const [health] = failing.report.streams;
    const [exported] = health.exports;
    assert.equal(exported.state, 'failing');
    assert.equal(exported.kind, 'kinesis');
    assert.equal(exported.lagMessages, 3);
    assert.ok(failing.report.checkedAt - (exported.errorSince ?? Number.NaN) >= GRACE_MS, 'failing only after the grace');
    assert.match(exported.lastError ?? '', /export to-kinesis is set to refuse/);
    assert.match(health.reason, /^export to-kinesis failing for \d+ s \(3 messages waiting, the oldest for \d+ s\): export to-kinesis is set to refuse/);
    assert.equal(failing.report.state, 'failing');

    // The same server, store and port, now without the refusal: the export sends what waited.
    const port = server.port;
    await server.close();
    server = await startServer({ port, storeDir, ...FAST_EXPORTS });
    const ok = await checkUntil(checker, 'kinesis-out', (state) => state === 'ok', changes);
    assert.equal(ok.report.streams[0].exports[0].lagMessages, 0);
    assert.equal(ok.report.streams[0].exports[0].lastExportedSequenceNumber, 2);
    assert.deepEqual(transitions(changes), ['kinesis-out: ok -> failing', 'kinesis-out: failing -> ok']);
    await client.deleteMessageStream('kinesis-out');
  });

  it('shows an HTTP export to a closed port as failing after the grace, and ok once something listens there', async () => {
    const port = await unusedPort();
    await client.createMessageStream({ name: 'http-out', strategyOnFull: StrategyOnFull.RejectNewData, exportDefinition: { http: [{ identifier: 'to-http', uri: `http://127.0.0.1:${port}/ingest`, batchSize: 1 }] } });
    await client.appendMessage('http-out', Buffer.from('reading'));
    const checker = new HealthChecker(client, { streams: ['http-out'], thresholds: { errorGraceMs: GRACE_MS } });
    const changes: StreamHealthChange[] = [];
    const failing = await checkUntil(checker, 'http-out', (state) => state === 'failing', changes);
    const [exported] = failing.report.streams[0].exports;
    assert.equal(exported.kind, 'http');
    assert.match(exported.lastError ?? '', /ECONNREFUSED|refused/i);
    assert.ok(failing.report.checkedAt - (exported.errorSince ?? Number.NaN) >= GRACE_MS);
    const sink = await startHttpSink(port);
    try {
      await checkUntil(checker, 'http-out', (state) => state === 'ok', changes);
      assert.equal(sink.requests.length, 1);
    } finally {
      await sink.close();
    }
    assert.deepEqual(transitions(changes), ['http-out: ok -> failing', 'http-out: failing -> ok']);
    await client.deleteMessageStream('http-out');
  });

  it('raises the fill alert past the threshold with the time to full, and clears it when the stream may grow', async () => {
    await client.createMessageStream({ name: 'buffer', maxSize: 20_000, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData });
    const checker = new HealthChecker(client, { streams: ['buffer'], thresholds: { fillPercent: 50 } });
    const changes: StreamHealthChange[] = [];
    const first = await checker.check();
    assert.equal(first.report.streams[0].state, 'ok');
    for (let index = 0; index < 6; index++) await client.appendMessage('buffer', Buffer.alloc(2000, index));
    const filling = await checkUntil(checker, 'buffer', (state) => state === 'filling', changes);
    const health = filling.report.streams[0];
    assert.equal(health.fillPercent, 60);
    assert.equal(health.messageCount, 6);
    assert.equal(health.newestSequenceNumber, 5);
    assert.ok(health.timeToFullMs !== undefined && health.timeToFullMs > 0, 'it grew since the check before');
    assert.ok((health.appendRatePerSecond ?? 0) > 0);
    assert.match(health.reason, /^60% full, full in about .+ \(alert at 50%\)$/);
    await client.updateMessageStream({ name: 'buffer', maxSize: 40_000, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData });
    const cleared = await checkUntil(checker, 'buffer', (state) => state === 'ok', changes);
    assert.equal(cleared.report.streams[0].fillPercent, 30);
    assert.equal(cleared.report.streams[0].timeToFullMs, undefined, 'nothing was appended since');
    assert.deepEqual(transitions(changes), ['buffer: ok -> filling', 'buffer: filling -> ok']);
    await client.deleteMessageStream('buffer');
  });

  it('shows each consumer\'s position, lag and waiting dead letters, and leaves out the internal streams', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    for (let index = 0; index < 5; index++) await client.appendMessage('feed', Buffer.from(`m${index}`));
    let delivered = 0;
    const consumer = new Consumer({ client, stream: 'feed', consumer: 'reader', deadLetterStream: 'feed-dead', pollTimeoutMs: 100, commitIntervalMs: 20, onMessages: (batch) => (delivered += batch.length) });
    consumer.start();
    await waitFor('5 deliveries', () => (delivered === 5 ? true : undefined));
    await consumer.stop();
    for (let index = 5; index < 12; index++) await client.appendMessage('feed', Buffer.from(`m${index}`));
    const letter = { consumer: 'reader', stream: 'feed', sequenceNumber: 3, ingestTime: 0, deliveryCount: 5, lastError: 'nacked', deadLetteredAt: 0, payload: Buffer.from('m3') };
    await appendDeadLetter(client, 'feed-dead', letter);
    await appendDeadLetter(client, 'feed-dead', { ...letter, sequenceNumber: 4 });

    const report = await checkHealth(client);
    assert.deepEqual(report.streams.map((stream) => stream.stream), ['feed', 'feed-dead']);
    assert.deepEqual(report.streams[0].consumers, [{ consumer: 'reader', position: 5, lag: 7, committedAt: report.streams[0].consumers[0].committedAt, deadLetterStream: 'feed-dead', deadLetters: 2 }]);
    assert.equal(report.streams[0].appendRatePerSecond !== undefined, true, 'estimated from the stored messages');
    assert.equal(report.reason, '2 streams ok');

    const named = await checkHealth(client, { streams: ['feed', 'not-there'] });
    assert.deepEqual(named.streams.map((stream) => [stream.stream, stream.state]), [['feed', 'ok'], ['not-there', 'missing']]);
    assert.equal(named.state, 'missing');
    assert.match(named.reason, /^1 stream ok, 1 missing: not-there; not-there missing: the stream does not exist$/);
  });

  it('watches on schedule, delivers each result once (a check asked for joins one under way), pauses, and leaves nothing running after stop', async () => {
    await client.createMessageStream({ name: 'watched', strategyOnFull: StrategyOnFull.RejectNewData });
    const timersBefore = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const delivered: HealthCheckResult[] = [];
    const watch = new HealthWatch(client, {
      streams: ['watched'],
      intervalMs: 5,
      onCheck: (result) => {
        delivered.push(result);
      },
      onError: (error) => assert.fail(String(error)),
    });
    watch.start();
    await waitFor('three checks on schedule', () => (delivered.length >= 3 ? true : undefined));
    // Asked for while one may be under way: joins it or runs alone, so no result comes twice.
    const asked = [watch.checkNow(), watch.checkNow()];
    await Promise.all(asked);
    assert.equal(new Set(delivered).size, delivered.length, 'every result delivered once');
    watch.pause();
    const paused = delivered.length;
    await quietFor(60);
    assert.equal(delivered.length, paused, 'no check on schedule while paused');
    await watch.checkNow();
    assert.equal(delivered.length, paused + 1, 'a check asked for runs while paused');
    watch.resume();
    await waitFor('checks on schedule again', () => (delivered.length >= paused + 3 ? true : undefined));
    const stopping = watch.checkNow().catch(() => undefined);
    await watch.stop();
    await stopping;
    const stopped = delivered.length;
    await quietFor(60);
    assert.equal(delivered.length, stopped, 'nothing delivered after stop');
    assert.equal(process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length, timersBefore, 'no timer left');
    await assert.rejects(watch.checkNow(), /stopped/);
    assert.throws(() => new HealthWatch(client, { intervalMs: 0, onCheck: () => undefined, onError: () => undefined }), /intervalMs must be a whole number of milliseconds/);
    await client.deleteMessageStream('watched');
  });
});
