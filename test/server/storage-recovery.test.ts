// The File store after faults: damaged bytes at the start, middle or end of a segment (with and without its index
// file), a torn tail after kill -9, and everything expired before a restart. Damage is set aside, never deleted;
// the other segments stay readable; sequence numbers never go back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import type { Logger } from '../../lib/common/logger';
import { seededRandom } from '../helpers/seeded-random';
import { startTestServer } from '../helpers/server';
import { kill, spawnServer } from '../../test-faults/server-child';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { waitUntil } from '../helpers/wait';


function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => lines.push(message);
  return { lines, debug: () => undefined, info: keep, warn: keep, error: keep };
}

function streamFolder(storeDir: string): string {
  const streams = path.join(storeDir, 'streams');
  const [folder] = fs.readdirSync(streams);
  return path.join(streams, folder);
}

const segmentFiles = (folder: string) => fs.readdirSync(folder).filter((name) => name.endsWith('.log')).sort();
const text = (messages: { payload: Uint8Array }[]) => messages.map((message) => Buffer.from(message.payload).toString());
const numbers = (messages: { sequenceNumber?: number | bigint }[]) => messages.map((message) => Number(message.sequenceNumber));

/** 200-byte payloads in 1 KiB segments: five messages to a segment. */
const payloadOf = (index: number) => Buffer.from(`message ${index} `.padEnd(200, '.'));

async function readAll(client: StreamManagerClient, stream: string): Promise<{ sequenceNumber?: number | bigint; payload: Uint8Array }[]> {
  const found: { sequenceNumber?: number | bigint; payload: Uint8Array }[] = [];
  let next = 0;
  for (let batch = 0; batch < 100; batch++) {
    const newest = Number((await client.describeMessageStream(stream)).storageStatus?.newestSequenceNumber);
    if (next > newest) break;
    const messages = await client.readMessages(stream, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: 1000 });
    found.push(...messages);
    next = Number(messages[messages.length - 1].sequenceNumber) + 1;
  }
  return found;
}

describe('recovery of the File store', () => {
  const random = seededRandom(12);
  for (const where of ['start', 'middle', 'end'] as const) {
    for (const withIndex of [true, false]) {
      it(`sets aside a segment damaged at its ${where} (${withIndex ? 'found when read' : 'index file lost, found at start'}), serves the others, and numbers on`, async () => {
        const logger = recordingLogger();
        const server = await startTestServer({ logger });
        let client = new StreamManagerClient({ port: server.port });
        try {
          await client.createMessageStream({ name: 'hurt', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 1024 });
          for (let index = 0; index < 30; index++) await client.appendMessage('hurt', payloadOf(index));
          await client.close();
          await server.stop();
          const folder = streamFolder(server.storeDir);
          assert.deepEqual(segmentFiles(folder).map((name) => Number(name.slice(0, 19))), [0, 5, 10, 15, 20, 25]);
          const damaged = path.join(folder, segmentFiles(folder)[2]);
          const bytes = fs.readFileSync(damaged);
          const offset = where === 'start' ? Math.floor(random() * 20) : where === 'end' ? bytes.length - 1 - Math.floor(random() * 10) : Math.floor(bytes.length / 2 + (random() - 0.5) * 100);
          bytes[offset] ^= 1 + Math.floor(random() * 255);
          fs.writeFileSync(damaged, bytes);
          if (!withIndex) for (const name of fs.readdirSync(folder).filter((file) => file.endsWith('.idx'))) fs.rmSync(path.join(folder, name));

          await server.restart();
          client = new StreamManagerClient({ port: server.port });
          const messages = await readAll(client, 'hurt');
          const expected = [...Array.from({ length: 10 }, (_, index) => index), ...Array.from({ length: 15 }, (_, index) => 15 + index)];
          assert.deepEqual(numbers(messages), expected, 'every segment but the damaged one is read');
          assert.deepEqual(text(messages), expected.map((index) => payloadOf(index).toString()));
          assert.ok(fs.existsSync(`${damaged}.damaged`), 'the damaged segment is kept, set aside');
          const line = logger.lines.find((entry) => entry.includes('set aside damaged segment'));
          assert.ok(line, `a log line reports the damage: ${logger.lines.join(' | ')}`);
          assert.match(line, /stream hurt: .*0000000000000000010\.log.*sequence numbers 10 to 14/);
          assert.equal(await client.appendMessage('hurt', Buffer.from('after')), 30);
        } finally {
          await client.close();
          await server.close();
        }
      });
    }
  }

  it('rebuilds index files that are damaged, stale or missing, and reads every message through them', async () => {
    const logger = recordingLogger();
    const server = await startTestServer({ logger });
    let client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'indexed', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 1024 });
      for (let index = 0; index < 30; index++) await client.appendMessage('indexed', payloadOf(index));
      await client.close();
      await server.stop();
      const folder = streamFolder(server.storeDir);
      const indexes = fs.readdirSync(folder).filter((name) => name.endsWith('.idx')).sort();
      assert.equal(indexes.length, 5, 'every sealed segment has an index');
      const damaged = fs.readFileSync(path.join(folder, indexes[0]));
      damaged[damaged.length - 3] ^= 0x55;
      fs.writeFileSync(path.join(folder, indexes[0]), damaged);
      fs.copyFileSync(path.join(folder, indexes[1]), path.join(folder, indexes[2]));
      fs.rmSync(path.join(folder, indexes[3]));
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      const messages = await readAll(client, 'indexed');
      assert.deepEqual(numbers(messages), Array.from({ length: 30 }, (_, index) => index));
      assert.deepEqual(text(messages), messages.map((_, index) => payloadOf(index).toString()));
      assert.deepEqual(fs.readdirSync(folder).filter((name) => name.endsWith('.idx')).sort(), indexes, 'the indexes are written again');
      assert.deepEqual(logger.lines.filter((line) => /damaged|set aside/.test(line)), [], 'a bad index is not damage');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('sets aside a last segment damaged in its middle and numbers on past everything it may have held', async () => {
    const logger = recordingLogger();
    const server = await startTestServer({ logger });
    let client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'tail', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 1024 });
      for (let index = 0; index < 13; index++) await client.appendMessage('tail', payloadOf(index));
      await client.close();
      await server.stop();
      const folder = streamFolder(server.storeDir);
      const tail = path.join(folder, segmentFiles(folder)[2]);
      const bytes = fs.readFileSync(tail);
      bytes[30] ^= 0xff;
      fs.writeFileSync(tail, bytes);
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      assert.deepEqual(numbers(await client.readMessages('tail', { minMessageCount: 1, maxMessageCount: 100 })), Array.from({ length: 10 }, (_, index) => index));
      assert.ok(fs.existsSync(`${tail}.damaged`));
      const after = await client.appendMessage('tail', Buffer.from('after'));
      assert.ok(after >= 13, `no number given out before is given out again (got ${after})`);
      const [next] = await client.readMessages('tail', { desiredStartSequenceNumber: 10, minMessageCount: 1, maxMessageCount: 100 });
      assert.equal(Number(next.sequenceNumber), after, 'a read in the hole goes on at the next message there is');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('keeps numbering after every message expired and the server restarted', async () => {
    let now = Date.now();
    const server = await startTestServer({ clock: () => now, housekeepingIntervalMs: 20 });
    let client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'aging', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 1024, timeToLiveMillis: 60_000 });
      for (let index = 0; index < 12; index++) await client.appendMessage('aging', payloadOf(index));
      now += 120_000;
      await waitUntil(async () => Number((await client.describeMessageStream('aging')).storageStatus?.totalBytes) === 0, 'the aged messages are removed');
      assert.deepEqual((await client.describeMessageStream('aging')).storageStatus, { oldestSequenceNumber: 12, newestSequenceNumber: 11, totalBytes: 0 });
      await client.close();
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      assert.deepEqual((await client.describeMessageStream('aging')).storageStatus, { oldestSequenceNumber: 12, newestSequenceNumber: 11, totalBytes: 0 });
      assert.equal(await client.appendMessage('aging', Buffer.from('next')), 12);
      // Everything gone again, and the segment that recorded where numbering stands is lost too: the reserved mark holds.
      now += 120_000;
      await waitUntil(async () => Number((await client.describeMessageStream('aging')).storageStatus?.totalBytes) === 0, 'the aged messages are removed');
      await client.close();
      await server.stop();
      const folder = streamFolder(server.storeDir);
      for (const name of segmentFiles(folder)) fs.rmSync(path.join(folder, name));
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      assert.ok((await client.appendMessage('aging', Buffer.from('later'))) > 12, 'numbering never goes back');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('cuts a torn tail after kill -9 mid-write and keeps every acknowledged flush-on-write append', { timeout: 30_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-torn-'));
    let server = await spawnServer(storeDir);
    let client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'torn', persistence: Persistence.File, flushOnWrite: true, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 65_536 });
      const acknowledged = new Map<number, string>();
      const appends = Array.from({ length: 2_000 }, (_, index) =>
        client.appendMessage('torn', payloadOf(index)).then((sequenceNumber) => acknowledged.set(Number(sequenceNumber), payloadOf(index).toString()), () => undefined),
      );
      await waitUntil(() => acknowledged.size >= 300, '300 acknowledged appends', 10_000, 1);
      await kill(server);
      await Promise.all(appends);
      await client.close();
      // A power cut could also leave half a record: add one to the tail segment, as a write cut short would.
      const folder = streamFolder(storeDir);
      const tail = path.join(folder, segmentFiles(folder).at(-1) as string);
      const whole = fs.readFileSync(tail);
      fs.appendFileSync(tail, whole.subarray(0, 120));

      server = await spawnServer(storeDir);
      client = new StreamManagerClient({ port: server.port });
      const stored = await readAll(client, 'torn');
      assert.deepEqual(numbers(stored), stored.map((_, index) => index), 'stored messages follow one another from 0');
      for (const [sequenceNumber, payload] of acknowledged) assert.equal(Buffer.from(stored[sequenceNumber].payload).toString(), payload, `acknowledged ${sequenceNumber} is kept`);
      assert.match(server.output(), /cut 120 bytes of a torn last record/);
      assert.equal(await client.appendMessage('torn', Buffer.from('after')), stored.length);
    } finally {
      await client.close();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
