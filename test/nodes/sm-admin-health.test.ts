// sm admin's health in a real Node-RED with the real local server: the health action, and the watch mode with its
// two outputs. Exports refused by the server or sent to a closed port turn failing within the grace and ok again once
// they flow; a stream past the fill threshold raises and clears the alert; each change comes once; pause, resume and
// check work; deploys and redeploys leave no timer behind.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NodeMessage } from 'node-red';
import { Persistence, StrategyOnFull, StreamManagerClient, type HealthReport, type StreamHealth } from '../../lib/client';
import { startServer, type RunningServer, type ServerOptions } from '../../lib/server';
import { startHttpSink, unusedPort } from '../server/exports/export-test-kit';
import { collect, configNode, connectionState, helper, loadFlow, observe, quietFor, startRuntime, stopRuntime, waitUntil, type CaughtMsg, type FlowNode } from './flow-harness';

const FAST_EXPORTS: ServerOptions = { exportRetry: { firstRetryMs: 40, maxRetryMs: 150 }, exportPollIntervalMs: 20 };

interface ChangeMsg extends NodeMessage {
  topic: string;
  stream: string;
  state: string;
  previousState?: string;
  payload: string;
  health: StreamHealth;
}

function watchFlow(port: number, watch: Record<string, unknown> = {}): FlowNode[] {
  return [
    configNode(port),
    { id: 'watcher', type: 'sm admin', server: 'config', mode: 'watch', checkEvery: '0.5', errorGrace: '1', outputs: 2, wires: [['reports'], ['changes']], ...watch },
    { id: 'reports', type: 'helper' },
    { id: 'changes', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

interface ReportMsg extends NodeMessage {
  payload: HealthReport;
  stream?: string;
}

const statusTexts = (nodeId: string): string[] => observe(nodeId).statusTexts();

const activeTimers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('sm admin health', () => {
  let storeDir: string;
  let server: RunningServer;
  let client: StreamManagerClient;

  /** Starts the server (again, on the same port and store); resolves once the test's client gets answers from it. */
  async function serve(options: ServerOptions = {}, port = 0): Promise<void> {
    server = await startServer({ port, storeDir, ...FAST_EXPORTS, ...options });
    if (client) await waitUntil(() => client.listStreams().then(() => true, () => false), 'the client reconnecting');
  }

  before(async () => {
    await startRuntime();
    storeDir = await mkdtemp(path.join(tmpdir(), 'sm-admin-health-'));
    await serve();
    client = new StreamManagerClient({ port: server.port });
  });
  afterEach(async () => {
    await helper.unload();
    for (const name of await client.listStreams()) await client.deleteMessageStream(name);
  });
  after(async () => {
    await client.close();
    await server.close();
    await rm(storeDir, { recursive: true, force: true });
    await stopRuntime();
  });

  it('checks health on msg.action "health": the stream of the msg or the node, or every stream', async () => {
    await client.createMessageStream({ name: 'one', strategyOnFull: StrategyOnFull.RejectNewData });
    await client.createMessageStream({ name: 'two', strategyOnFull: StrategyOnFull.RejectNewData });
    await loadFlow([configNode(server.port), { id: 'admin', type: 'sm admin', server: 'config', action: 'health', wires: [['done']] }, { id: 'done', type: 'helper' }]);
    const done = collect<ReportMsg>('done');
    const admin = helper.getNode('admin');
    admin.receive({});
    admin.receive({ stream: 'one' });
    admin.receive({ action: 'health', stream: ['two', 'gone'] });
    const [all, one, named] = await done.wait(3);
    assert.deepEqual(all.payload.streams.map((stream) => stream.stream), ['one', 'two']);
    assert.equal(all.payload.reason, '2 streams ok');
    assert.deepEqual([one.stream, one.payload.streams.map((stream) => stream.stream)], ['one', ['one']]);
    assert.deepEqual(named.payload.streams.map((stream) => [stream.stream, stream.state]), [['two', 'ok'], ['gone', 'missing']]);
  });

  it('shows a refused export as failing within the grace, ok again once it exports, each change once', async () => {
    const port = server.port;
    await server.close();
    await serve({ refuseExports: ['to-kinesis'] }, port);
    await client.createMessageStream({
      name: 'kinesis-out',
      strategyOnFull: StrategyOnFull.RejectNewData,
      persistence: Persistence.File,
      exportDefinition: { kinesis: [{ identifier: 'to-kinesis', kinesisStreamName: 'cloud', batchSize: 1 }] },
    });
    await client.createMessageStream({ name: 'quiet', strategyOnFull: StrategyOnFull.RejectNewData });
    for (let index = 0; index < 3; index++) await client.appendMessage('kinesis-out', Buffer.from(`m${index}`));
    const deployedAt = Date.now();
    await loadFlow(watchFlow(port));
    const changes = collect<ChangeMsg>('changes');
    const reports = collect<ReportMsg>('reports');
    const [failing] = await changes.wait(1, 15_000);
    assert.equal(failing.topic, 'kinesis-out');
    assert.equal(failing.state, 'failing');
    assert.match(failing.payload, /^failing: export to-kinesis failing for \d+ s \(3 messages waiting, the oldest for \d+ s\): export to-kinesis is set to refuse/);
    const [exported] = failing.health.exports;
    assert.ok(failing.health.checkedAt - (exported.errorSince ?? Number.NaN) >= 1000, 'counted as failing only after the grace of 1 s');
    assert.ok(Date.now() - deployedAt < 12_000, 'failing within the grace and a few checks');
    await waitUntil(() => statusTexts('watcher').at(-1) === '1 stream ok, 1 failing: kinesis-out', 'the status showing the failing stream');

    await server.close();
    await serve({}, port);
    await connectionState('connected', undefined, 'config', 10_000);
    const [, recovered] = await changes.wait(2, 15_000);
    assert.deepEqual([recovered.topic, recovered.previousState, recovered.state], ['kinesis-out', 'failing', 'ok']);
    // ok says the export works again; its three waiting messages go out with the next export turns.
    const exportLag = (): number | undefined => reports.messages.at(-1)?.payload.streams.find((stream) => stream.stream === 'kinesis-out')?.exports[0]?.lagMessages;
    await waitUntil(() => exportLag() === 0, 'the three waiting messages exported', 10_000).catch((error: Error) => assert.fail(`${error.message}; lag ${exportLag()}`));
    await waitUntil(() => statusTexts('watcher').at(-1) === '2 streams ok', 'the status back to ok');
    const seen = reports.messages.length;
    await reports.wait(seen + 4, 10_000);
    assert.equal(changes.messages.length, 2, 'no change repeated while nothing changes');
    assert.equal(reports.messages.at(-1)?.payload.state, 'ok');
  });

  it('shows an HTTP export to a closed port as failing, and ok once something listens there', async () => {
    const port = await unusedPort();
    await client.createMessageStream({ name: 'http-out', strategyOnFull: StrategyOnFull.RejectNewData, exportDefinition: { http: [{ identifier: 'to-http', uri: `http://127.0.0.1:${port}/ingest`, batchSize: 1 }] } });
    await client.appendMessage('http-out', Buffer.from('reading'));
    await loadFlow(watchFlow(server.port, { streams: 'http-out' }));
    const changes = collect<ChangeMsg>('changes');
    const [failing] = await changes.wait(1, 15_000);
    assert.deepEqual([failing.topic, failing.state], ['http-out', 'failing']);
    assert.match(failing.payload, /ECONNREFUSED|refused/i);
    const sink = await startHttpSink(port);
    try {
      const [, recovered] = await changes.wait(2, 15_000);
      assert.deepEqual([recovered.previousState, recovered.state], ['failing', 'ok']);
      assert.equal(sink.requests.length, 1);
    } finally {
      await sink.close();
    }
  });

  it('raises the fill alert past the threshold and clears it, and shows a consumer\'s lag in the reports', async () => {
    await client.createMessageStream({ name: 'buffer', maxSize: 20_000, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData });
    await loadFlow(watchFlow(server.port, { streams: 'buffer\nnot-there', fillPercent: '50' }));
    const changes = collect<ChangeMsg>('changes');
    const reports = collect<ReportMsg>('reports');
    const [missing] = await changes.wait(1);
    assert.deepEqual([missing.topic, missing.previousState, missing.state, missing.payload], ['not-there', undefined, 'missing', 'missing: the stream does not exist']);
    await waitUntil(() => statusTexts('watcher').at(-1) === '1 stream ok, 1 missing: not-there', 'the status naming the missing stream');
    for (let index = 0; index < 6; index++) await client.appendMessage('buffer', Buffer.alloc(2000, index));
    const [, filling] = await changes.wait(2);
    assert.deepEqual([filling.topic, filling.previousState, filling.state], ['buffer', 'ok', 'filling']);
    assert.match(filling.payload, /^filling: 60% full.* \(alert at 50%\)$/);
    await client.updateMessageStream({ name: 'buffer', maxSize: 40_000, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.RejectNewData });
    const [, , cleared] = await changes.wait(3);
    assert.deepEqual([cleared.topic, cleared.previousState, cleared.state], ['buffer', 'filling', 'ok']);

    const { Consumer } = await import('../../lib/client');
    let delivered = 0;
    const consumer = new Consumer({ client, stream: 'buffer', consumer: 'slow', pollTimeoutMs: 100, commitIntervalMs: 20, onMessages: (batch) => (delivered += batch.length) });
    consumer.start();
    await waitUntil(() => delivered === 6, 'the consumer reading all six');
    await consumer.stop();
    for (let index = 0; index < 2; index++) await client.appendMessage('buffer', Buffer.alloc(100, index));
    await waitUntil(() => {
      const consumers = reports.messages.at(-1)?.payload.streams.find((stream) => stream.stream === 'buffer')?.consumers ?? [];
      return consumers.length === 1 && consumers[0].position === 6 && consumers[0].lag === 2;
    }, 'a report showing the consumer 2 messages behind');
    assert.equal(changes.messages.length, 3);
  });

  it('pauses, resumes and checks at once on msg.action, and refuses other actions while watching', async () => {
    await client.createMessageStream({ name: 'calm', strategyOnFull: StrategyOnFull.RejectNewData });
    await loadFlow(watchFlow(server.port, { checkEvery: '3600' }));
    const reports = collect<ReportMsg>('reports');
    const caught = collect<CaughtMsg>('caught');
    await reports.wait(1);
    const watch = helper.getNode('watcher');
    watch.receive({ action: 'check' });
    await reports.wait(2);
    watch.receive({ action: 'pause' });
    await waitUntil(() => statusTexts('watcher').at(-1) === 'paused: 1 stream ok', 'the paused status');
    watch.receive({ action: 'resume' });
    await reports.wait(3);
    await waitUntil(() => statusTexts('watcher').at(-1) === '1 stream ok', 'the status after resume');
    watch.receive({ action: 'describe' });
    const [error] = await caught.wait(1);
    assert.equal(error.error.code, 'Validation');
    assert.match(error.error.message, /action must be one of check, pause, resume while sm admin watches health/);
    assert.equal(reports.messages.length, 3);
  });

  it('shows bad watch settings on the node and watches nothing', async () => {
    await loadFlow(watchFlow(server.port, { checkEvery: 'soon' }));
    await waitUntil(() => statusTexts('watcher').includes('bad health settings'), 'the settings problem in the status');
  });

  it('leaves no timer behind after deploys, redeploys with other settings, and the flows stopping', async () => {
    await client.createMessageStream({ name: 'calm', strategyOnFull: StrategyOnFull.RejectNewData });
    await loadFlow([configNode(server.port)]);
    await helper.unload();
    await quietFor(100);
    const baseline = activeTimers();
    await loadFlow(watchFlow(server.port));
    await collect('reports').wait(2);
    for (const checkEvery of ['0.6', '0.7', '0.8']) {
      await helper.setFlows(watchFlow(server.port, { checkEvery }), 'full').catch(() => undefined);
      await waitUntil(() => statusTexts('watcher').includes('1 stream ok'), `the watch redeployed with checkEvery ${checkEvery}`);
    }
    await helper.unload();
    await waitUntil(() => activeTimers() <= baseline, `the timers back to ${baseline} (now ${activeTimers()})`, 5_000);
  });
});
