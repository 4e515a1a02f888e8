// The sidebar's admin endpoints in a real Node-RED with adminAuth, against the real server: who may read and who may
// change, what each endpoint answers, and that bad input (unknown things, hostile names, huge ranges) gets a clear
// JSON error and changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamManagerClient } from '../../lib/client/client';
import { DEFAULT_HEALTH_THRESHOLDS, type StreamHealth } from '../../lib/client/health';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import { until } from '../helpers/bounded';
import { freePort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/server';
import { deadLetterMessages } from './dead-letters';
import { startSecuredEditor, type EditorUser, type SecuredEditor } from './secured-editor';

const ADMIN: EditorUser = { username: 'admin', password: 'admin-password', permissions: '*' };
const VIEWER: EditorUser = { username: 'viewer', password: 'viewer-password', permissions: 'read' };
const BASE = 'greengrass-stream-manager/sidebar-config';

/** A deterministic payload: the same seed gives the same bytes. */
function seededBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

describe('sidebar admin endpoints with adminAuth', { timeout: 120_000 }, () => {
  let server: TestServer;
  let editor: SecuredEditor;
  let client: StreamManagerClient;
  let adminToken: string;
  let viewerToken: string;

  before(async () => {
    server = await startTestServer();
    client = new StreamManagerClient({ port: server.port });
    await client.createMessageStream({ name: 'readings', persistence: Persistence.File, strategyOnFull: StrategyOnFull.OverwriteOldestData, timeToLiveMillis: 3_600_000 });
    for (let index = 0; index < 5; index++) await client.appendMessage('readings', Buffer.from(JSON.stringify({ index })));
    editor = await startSecuredEditor(server.port, [ADMIN, VIEWER], [
      { id: 'sidebar-config', type: 'sm-config', host: '127.0.0.1', port: String(server.port) },
      { id: 'dead-config', type: 'sm-config', host: '127.0.0.1', port: String(await freePort()), connectTimeout: '1' },
    ]);
    adminToken = await editor.login(ADMIN);
    viewerToken = await editor.login(VIEWER);
  });

  after(async () => {
    await editor?.stop();
    await client?.close();
    await server?.close();
  });

  const changes: [string, string, unknown][] = [
    ['POST', `${BASE}/streams`, { name: 'made-by-anyone', persistence: 'Memory' }],
    ['PUT', `${BASE}/streams/readings`, { timeToLiveMillis: '60000' }],
    ['DELETE', `${BASE}/streams/readings`, undefined],
    ['POST', `${BASE}/streams/readings/dead-letters/retry`, { consumer: 'c', ids: [0] }],
    ['POST', `${BASE}/streams/readings/dead-letters/discard`, { consumer: 'c', ids: [0] }],
    ['DELETE', `${BASE}/streams/readings/consumers/c`, undefined],
  ];
  const reads = ['state', 'streams', 'overview', 'health', 'streams/readings', 'streams/readings/messages?newest=2', 'streams/readings/dead-letters?consumer=c'].map((tail) => `${BASE}/${tail}`);

  it('answers an anonymous caller 401 on every endpoint, and changes nothing', async () => {
    for (const url of reads) assert.equal((await editor.call('GET', url)).status, 401, url);
    for (const [method, url, body] of changes) assert.equal((await editor.call(method, url, undefined, body)).status, 401, `${method} ${url}`);
    assert.deepEqual((await client.listStreams()).sort(), ['readings']);
  });

  it('lets a read-only user look but refuses every change with 401, and changes nothing', async () => {
    const overview = await editor.call('GET', `${BASE}/overview`, viewerToken);
    assert.equal(overview.status, 200);
    for (const [method, url, body] of changes) assert.equal((await editor.call(method, url, viewerToken, body)).status, 401, `${method} ${url}`);
    assert.deepEqual((await client.listStreams()).sort(), ['readings']);
    const info = await client.describeMessageStream('readings');
    assert.equal(Number(info.definition?.timeToLiveMillis), 3_600_000);
  });

  it('gives a full user the overview: size, count, range, TTL and strategy of each stream, and the state', async () => {
    const answer = await editor.call('GET', `${BASE}/overview`, adminToken);
    assert.equal(answer.status, 200);
    const { state, streams } = answer.json as { state: { state: string }; streams: Record<string, unknown>[] };
    assert.equal(state.state, 'connected');
    assert.equal(streams.length, 1);
    const readings = streams[0];
    assert.equal(readings.name, 'readings');
    assert.equal(readings.persistence, 'File');
    assert.equal(readings.strategyOnFull, 'OverwriteOldestData');
    assert.equal(readings.messageCount, 5);
    assert.equal(readings.oldestSequenceNumber, 0);
    assert.equal(readings.newestSequenceNumber, 4);
    assert.equal(readings.timeToLiveMillis, 3_600_000);
    assert.equal(readings.maxSize, 268_435_456);
    assert.ok(Number(readings.totalBytes) > 0, `totalBytes ${readings.totalBytes}`);
    assert.deepEqual((await editor.call('GET', `${BASE}/streams`, adminToken)).json, { streams: ['readings'] });
  });

  it('creates, describes, updates, reads and deletes a stream for a full user', async () => {
    const created = await editor.call('POST', `${BASE}/streams`, adminToken, { name: 'made in the sidebar', persistence: 'Memory', maxSize: '33554432', strategyOnFull: 'RejectNewData', exportDefinition: '' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    for (let index = 0; index < 3; index++) await client.appendMessage('made in the sidebar', Buffer.from(`text ${index}`));

    const detail = await editor.call('GET', `${BASE}/streams/${encodeURIComponent('made in the sidebar')}`, adminToken);
    assert.equal(detail.status, 200);
    const { summary, form, exports, consumers } = detail.json as { summary: Record<string, unknown>; form: Record<string, unknown>; exports: unknown[]; consumers: unknown[] };
    assert.equal(summary.persistence, 'Memory');
    assert.equal(summary.messageCount, 3);
    assert.equal(form.strategyOnFull, 'RejectNewData');
    assert.equal(form.maxSize, '33554432');
    assert.deepEqual(exports, []);
    assert.deepEqual(consumers, []);

    const updated = await editor.call('PUT', `${BASE}/streams/${encodeURIComponent('made in the sidebar')}`, adminToken, { ...form, timeToLiveMillis: '120000' });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal(Number((await client.describeMessageStream('made in the sidebar')).definition?.timeToLiveMillis), 120_000);

    const newest = await editor.call('GET', `${BASE}/streams/${encodeURIComponent('made in the sidebar')}/messages?newest=2`, adminToken);
    const window = newest.json as { messages: { sequenceNumber: number; payload: string; size: number; truncated: boolean }[] };
    assert.deepEqual(window.messages.map((message) => [message.sequenceNumber, Buffer.from(message.payload, 'base64').toString(), message.truncated]), [[1, 'text 1', false], [2, 'text 2', false]]);
    const range = await editor.call('GET', `${BASE}/streams/${encodeURIComponent('made in the sidebar')}/messages?from=0&count=2`, adminToken);
    assert.deepEqual((range.json as typeof window).messages.map((message) => message.sequenceNumber), [0, 1]);

    const deleted = await editor.call('DELETE', `${BASE}/streams/${encodeURIComponent('made in the sidebar')}`, adminToken);
    assert.deepEqual([deleted.status, deleted.json], [200, { deleted: 'made in the sidebar' }]);
    assert.deepEqual(await client.listStreams(), ['readings']);
  });

  it('answers bad input with a clear JSON error and a fitting status, and changes nothing', async () => {
    const before = await client.describeMessageStream('readings');
    const cases: [string, string, unknown, number, string][] = [
      ['GET', 'greengrass-stream-manager/no-such-config/overview', undefined, 404, 'UnknownConfig'],
      ['GET', `${BASE}/streams/no-such-stream`, undefined, 404, 'ResourceNotFound'],
      ['GET', `${BASE}/streams/no-such-stream/messages?newest=1`, undefined, 404, 'ResourceNotFound'],
      ['DELETE', `${BASE}/streams/no-such-stream`, undefined, 404, 'ResourceNotFound'],
      ['GET', `${BASE}/streams/${encodeURIComponent('../../etc/passwd')}`, undefined, 400, 'Validation'],
      ['DELETE', `${BASE}/streams/${encodeURIComponent('<script>alert(1)</script>')}`, undefined, 400, 'Validation'],
      ['GET', `${BASE}/streams/${'x'.repeat(300)}`, undefined, 400, 'Validation'],
      ['POST', `${BASE}/streams`, { name: 'a/b' }, 400, 'Validation'],
      ['POST', `${BASE}/streams`, { name: 'fine', maxSize: 'lots' }, 400, 'Validation'],
      ['POST', `${BASE}/streams`, ['not', 'an', 'object'], 400, 'Validation'],
      ['POST', `${BASE}/streams`, { name: 'readings' }, 400, 'InvalidRequest'],
      ['PUT', `${BASE}/streams/readings`, { name: 'renamed' }, 400, 'Validation'],
      ['GET', `${BASE}/streams/readings/messages?from=0&count=1000000000`, undefined, 400, 'Validation'],
      ['GET', `${BASE}/streams/readings/messages?newest=101`, undefined, 400, 'Validation'],
      ['GET', `${BASE}/streams/readings/messages?from=-1`, undefined, 400, 'Validation'],
      ['GET', `${BASE}/streams/readings/messages?from=99999999999999999999999`, undefined, 400, 'Validation'],
      ['POST', `${BASE}/streams/readings/dead-letters/retry`, { consumer: 'c', ids: Array.from({ length: 101 }, (_, index) => index) }, 400, 'Validation'],
      ['POST', `${BASE}/streams/readings/dead-letters/discard`, { consumer: 'nobody', ids: [0] }, 404, 'ResourceNotFound'],
      ['GET', `${BASE}/streams/readings/dead-letters?consumer=nobody`, undefined, 404, 'ResourceNotFound'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const answer = await editor.call(method, url, adminToken, body);
      const json = answer.json as { error?: unknown; code?: unknown };
      assert.equal(answer.status, status, `${method} ${url}: ${JSON.stringify(answer.json)}`);
      assert.equal(json.code, code, `${method} ${url}: ${JSON.stringify(answer.json)}`);
      assert.ok(typeof json.error === 'string' && json.error.length > 10, `${method} ${url} says what was wrong: ${JSON.stringify(json)}`);
    }
    assert.deepEqual(await client.listStreams(), ['readings']);
    assert.deepEqual(await client.describeMessageStream('readings'), before);
  });

  it('says when the server cannot be reached', async () => {
    const answer = await editor.call('GET', 'greengrass-stream-manager/dead-config/overview', adminToken);
    assert.equal(answer.status, 503, JSON.stringify(answer.json));
    assert.equal((answer.json as { code: string }).code, 'Connection');
    const state = await editor.call('GET', 'greengrass-stream-manager/dead-config/state', adminToken);
    assert.equal((state.json as { state: string }).state, 'disconnected');
  });

  it('keeps a window of large messages to about a megabyte of payload, however many are asked for', async () => {
    await client.createMessageStream({ name: 'large', persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.OverwriteOldestData });
    try {
      for (let index = 0; index < 30; index++) await client.appendMessage('large', seededBytes(index, 200 * 1024));
      const answer = await editor.call('GET', `${BASE}/streams/large/messages?newest=100`, adminToken);
      assert.equal(answer.status, 200);
      const window = answer.json as { cut: boolean; messages: { sequenceNumber: number; size: number; payload: string; truncated: boolean }[] };
      assert.ok(answer.bytes < 1.5 * 1024 * 1024, `answer of ${answer.bytes} bytes`);
      const shown = window.messages.reduce((total, message) => total + Buffer.from(message.payload, 'base64').length, 0);
      assert.ok(shown <= 1024 * 1024, `${shown} payload bytes shown`);
      assert.ok(window.messages.every((message) => message.size === 200 * 1024 && message.truncated));
      assert.deepEqual(Buffer.from(window.messages[0].payload, 'base64'), seededBytes(window.messages[0].sequenceNumber, 200 * 1024).subarray(0, Buffer.from(window.messages[0].payload, 'base64').length));
      const one = await editor.call('GET', `${BASE}/streams/large/messages?from=7&count=1`, adminToken);
      const single = (one.json as typeof window).messages;
      assert.equal(single.length, 1);
      assert.equal(Buffer.from(single[0].payload, 'base64').length, 64 * 1024, 'one message shows its first 64 KiB');
    } finally {
      await client.deleteMessageStream('large');
    }
  });

  it('shows a consumer with its position, lag and dead letters; sends one back, discards another, and neither twice', async () => {
    await deadLetterMessages(client, { stream: 'readings', consumer: 'alerts', deadLetterStream: 'readings-dead', failing: [1, 3], until: 4 });
    await client.appendMessage('readings', Buffer.from(JSON.stringify({ index: 5 })));
    await client.appendMessage('readings', Buffer.from(JSON.stringify({ index: 6 })));

    const detail = (await editor.call('GET', `${BASE}/streams/readings`, viewerToken)).json as { consumers: Record<string, unknown>[] };
    assert.equal(detail.consumers.length, 1);
    const alerts = detail.consumers[0];
    assert.equal(alerts.consumer, 'alerts');
    assert.equal(alerts.nextSequenceNumber, 5);
    assert.equal(alerts.lag, 2);
    assert.equal(alerts.deadLetterStream, 'readings-dead');
    assert.equal(alerts.deadLetters, 2);

    type Listing = { pending: number; letters: { id: number; sequenceNumber: number; lastError: string; deliveryCount: number; payload: string }[] };
    const listing = (await editor.call('GET', `${BASE}/streams/readings/dead-letters?consumer=alerts`, viewerToken)).json as Listing;
    assert.equal(listing.pending, 2);
    assert.deepEqual(listing.letters.map((letter) => [letter.sequenceNumber, letter.lastError, letter.deliveryCount, Buffer.from(letter.payload, 'base64').toString()]), [
      [1, 'reading 1 failed its check', 1, '{"index":1}'],
      [3, 'reading 3 failed its check', 1, '{"index":3}'],
    ]);
    const [first, second] = listing.letters;

    assert.equal((await editor.call('POST', `${BASE}/streams/readings/dead-letters/retry`, viewerToken, { consumer: 'alerts', ids: [first.id] })).status, 401);
    const retried = await editor.call('POST', `${BASE}/streams/readings/dead-letters/retry`, adminToken, { consumer: 'alerts', ids: [first.id] });
    assert.deepEqual(retried.json, { retried: [{ id: first.id, retriedAs: 7 }] });
    const [again] = await client.readMessages('readings', { desiredStartSequenceNumber: 7, minMessageCount: 1, maxMessageCount: 1 });
    assert.equal(Buffer.from(again.payload).toString(), '{"index":1}', 'the original payload is appended again');
    assert.deepEqual((await editor.call('POST', `${BASE}/streams/readings/dead-letters/retry`, adminToken, { consumer: 'alerts', ids: [first.id] })).json, { retried: [] }, 'not sent back twice');
    assert.equal(Number((await client.describeMessageStream('readings')).storageStatus?.newestSequenceNumber), 7);

    const discarded = await editor.call('POST', `${BASE}/streams/readings/dead-letters/discard`, adminToken, { consumer: 'alerts', ids: [second.id] });
    assert.deepEqual(discarded.json, { discarded: [second.id] });
    const after = (await editor.call('GET', `${BASE}/streams/readings/dead-letters?consumer=alerts`, adminToken)).json as Listing;
    assert.deepEqual([after.pending, after.letters], [0, []]);
    const counted = (await editor.call('GET', `${BASE}/streams/readings`, adminToken)).json as { consumers: { deadLetters: number }[] };
    assert.equal(counted.consumers[0].deadLetters, 0);
    assert.equal(Number((await client.describeMessageStream('readings-dead')).storageStatus?.newestSequenceNumber), 1, 'the dead-letter stream keeps both letters');
    assert.equal(Number((await client.describeMessageStream('_dead-letters-handled.readings-dead')).storageStatus?.newestSequenceNumber), 1, 'two handled marks');

    const missing = await editor.call('POST', `${BASE}/streams/readings/dead-letters/discard`, adminToken, { consumer: 'alerts', ids: [99] });
    assert.deepEqual([missing.status, (missing.json as { code: string }).code], [404, 'ResourceNotFound']);
  });

  it('forgets a consumer for a full user only, and answers 404 for one the stream does not know', async () => {
    await deadLetterMessages(client, { stream: 'readings', consumer: 'retired', deadLetterStream: 'readings-dead', failing: [], until: 2 });
    const consumers = async () => ((await editor.call('GET', `${BASE}/streams/readings`, adminToken)).json as { consumers: { consumer: string }[] }).consumers.map(({ consumer }) => consumer);
    assert.ok((await consumers()).includes('retired'));
    assert.equal((await editor.call('DELETE', `${BASE}/streams/readings/consumers/retired`, viewerToken)).status, 401);
    assert.ok((await consumers()).includes('retired'), 'a refused call changes nothing');
    const forgotten = await editor.call('DELETE', `${BASE}/streams/readings/consumers/retired`, adminToken);
    assert.deepEqual([forgotten.status, forgotten.json], [200, { removed: 'retired' }]);
    assert.ok(!(await consumers()).includes('retired'));
    const again = await editor.call('DELETE', `${BASE}/streams/readings/consumers/retired`, adminToken);
    assert.deepEqual([again.status, again.json], [404, { error: 'stream readings has no consumer named retired', code: 'ResourceNotFound' }]);
    const hostile = await editor.call('DELETE', `${BASE}/streams/readings/consumers/${encodeURIComponent('../../streams/readings')}`, adminToken);
    assert.equal(hostile.status, 404);
    assert.deepEqual(await client.listStreams().then((names) => names.includes('readings')), true, 'a hostile name removes nothing else');
  });

  it("gives every stream's health with the default thresholds and the samples of the last hour, at most one check per interval, and drops a deleted stream", async () => {
    interface Point {
      at: number;
      state: string;
      fillPercent: number;
      exportLagMessages: number;
    }
    interface HealthAnswer {
      checkedAt: number;
      thresholds: unknown;
      streams: StreamHealth[];
      history: Record<string, Point[]>;
    }
    const health = async (query = ''): Promise<HealthAnswer> => {
      const answer = await editor.call('GET', `${BASE}/health${query}`, viewerToken);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      return answer.json as HealthAnswer;
    };
    await client.createMessageStream({ name: 'nearly-full', persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 1024, streamSegmentSize: 1024 });
    await client.appendMessage('nearly-full', Buffer.alloc(900, 'f'));
    await client.createMessageStream({ name: 'exporting', persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.OverwriteOldestData, exportDefinition: { http: [{ identifier: 'nowhere', uri: `http://127.0.0.1:${await freePort()}/`, batchSize: 1 }] } });
    for (let index = 0; index < 3; index++) await client.appendMessage('exporting', Buffer.from(`reading ${index}`));
    try {
      const first = await health();
      const of = (answer: HealthAnswer, name: string) => answer.streams.find((stream) => stream.stream === name);
      assert.deepEqual(first.thresholds, DEFAULT_HEALTH_THRESHOLDS);
      assert.equal(of(first, 'readings')?.state, 'ok');
      assert.equal(of(first, 'nearly-full')?.state, 'filling', 'past 80 % of its maximum size');
      assert.deepEqual(of(first, 'exporting')?.exports.map((entry) => [entry.identifier, entry.lagMessages]), [['nowhere', 3]]);
      assert.ok(first.streams.every((stream) => !stream.stream.startsWith('_')), 'internal streams are not checked');
      assert.deepEqual(first.history['nearly-full'].map((point) => [point.at, point.state, Math.round(point.fillPercent)]), [[of(first, 'nearly-full')?.checkedAt, 'filling', 88]]);
      assert.equal(first.history.exporting[0].exportLagMessages, 3);

      const soon = await health(`?since=${first.checkedAt}`);
      assert.equal(soon.checkedAt, first.checkedAt, 'asked again within the interval: the same check');
      assert.ok(Object.values(soon.history).every((points) => points.length === 0), 'no sample after the one it has');
      const bad = await editor.call('GET', `${BASE}/health?since=yesterday`, viewerToken);
      assert.deepEqual([bad.status, (bad.json as { code: string }).code], [400, 'Validation']);
      assert.match((bad.json as { error: string }).error, /since must be a time in milliseconds/);

      await client.deleteMessageStream('nearly-full');
      const next = await until(30_000, 'a new check', async () => {
        const answer = await health(`?since=${first.checkedAt}`);
        return answer.checkedAt > first.checkedAt ? answer : undefined;
      });
      assert.ok(next.checkedAt - first.checkedAt >= 9_000, `checks ${next.checkedAt - first.checkedAt} ms apart`);
      assert.equal(of(next, 'nearly-full'), undefined);
      assert.ok(!('nearly-full' in next.history), 'the deleted stream is dropped with its samples');
      assert.deepEqual(next.history.readings.map((point) => point.at), [of(next, 'readings')?.checkedAt], 'one new sample of each stream');
    } finally {
      for (const name of ['nearly-full', 'exporting']) await client.deleteMessageStream(name).catch(() => undefined);
    }
  });
});
