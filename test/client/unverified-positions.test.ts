// Positions that cannot be found or verified are said, never silent: checkpoint records that are not records, and a
// checkpoint segment damaged on disk (set aside by the real server after a restart), each give a warning with the
// reason and where reading goes on, and the same in the gap of the next delivery.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { checkpointStreamName, Consumer, Persistence, StrategyOnFull, StreamManagerClient, type ConsumerWarning, type Delivery } from '../../lib/client';
import type { TestServer } from '../helpers/server';
import { useServerAndClient } from '../helpers/server-and-client';
import { waitUntil } from '../helpers/wait';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

interface Watched {
  consumer: Consumer;
  delivered: Delivery[];
  warnings: ConsumerWarning[];
}

/** The records of a segment file, as the storage format lays them out: length, CRC, sequence number, ingest time, payload. */
function recordsOf(segment: Buffer): { offset: number; payload: Buffer }[] {
  const records = [];
  for (let offset = 0; offset + 20 <= segment.length; ) {
    const length = segment.readUInt32BE(offset);
    records.push({ offset, payload: segment.subarray(offset + 20, offset + 20 + length) });
    offset += 20 + length;
  }
  return records;
}

const positionIn = (payload: Buffer): number => (JSON.parse(payload.toString()) as { entries: { nextSequenceNumber: number }[] }).entries[0].nextSequenceNumber;

describe('positions that cannot be found or verified', () => {
  const context = useServerAndClient();
  let client: StreamManagerClient;
  let server: TestServer;
  beforeEach(() => ({ client, server } = context));

  const append = (count: number) => Promise.all(range(0, count).map((index) => client.appendMessage('feed', Buffer.from(`m${index}`))));

  function watch(name: string, start: 'oldest' | 'newest' = 'oldest'): Watched {
    const delivered: Delivery[] = [];
    const warnings: ConsumerWarning[] = [];
    const consumer = new Consumer({
      client,
      stream: 'feed',
      consumer: name,
      start,
      pollTimeoutMs: 100,
      commitIntervalMs: 20,
      onMessages: (batch) => delivered.push(...batch),
      onWarning: (warning) => warnings.push(warning),
    });
    return { consumer, delivered, warnings };
  }

  it('warns when records of the checkpoint stream are not records and the position is not found: the start setting applies, with the range it skips', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(5);
    await client.createMessageStream({ name: checkpointStreamName('feed'), strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File });
    // What a record cut short looks like: the consumer's position was in it.
    await client.appendMessage(checkpointStreamName('feed'), Buffer.from('{"format":"sm-consumer-checkpoint/2","entries":[{"consumer":"lost","stream":"fe'));
    const lost = watch('lost', 'newest');
    lost.consumer.start();
    await waitUntil(() => lost.warnings.length > 0, 'the warning', 20_000, 10);
    const [warning] = lost.warnings;
    assert.equal(warning.kind, 'position-unverified');
    assert.ok(warning.kind === 'position-unverified');
    assert.deepEqual(warning.gap, { from: 0, to: 4, count: 5, reason: 'position-lost' });
    assert.deepEqual(warning.unreadable, { notRecords: 1, missing: 0, newest: 0 });
    assert.equal(warning.newest, 4);
    assert.match(warning.message, /no position of consumer lost was found in _consumers\.feed, which holds 1 records that are not checkpoint records.*reading from 5 .*messages 0 to 4 \(5\) are not read/);
    assert.deepEqual(lost.consumer.positionWarning, warning.gap);
    await append(2);
    await waitUntil(() => lost.delivered.length >= 2, 'two deliveries', 20_000, 10);
    assert.deepEqual(lost.delivered.map((delivery) => delivery.sequenceNumber), [5, 6]);
    assert.deepEqual(lost.delivered[0].gap, { from: 0, to: 4, count: 5, reason: 'position-lost' });
    assert.equal(lost.delivered[1].gap, undefined);
    await lost.consumer.stop();

    // Its position is now written after the record that is not one: nothing to doubt.
    const again = watch('lost', 'newest');
    again.consumer.start();
    await append(1);
    await waitUntil(() => again.delivered.length >= 1, 'the delivery after the restart', 20_000, 10);
    await again.consumer.stop();
    assert.deepEqual(again.delivered.map((delivery) => [delivery.sequenceNumber, delivery.gap]), [[7, undefined]]);
    assert.deepEqual(again.warnings, []);
  });

  it('warns that the position may be older than the last commit when the newest checkpoint segment was damaged on disk, and reads from the older one', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.File });
    await append(10);
    // Small segments, so that the newest positions sit in segments of their own.
    await client.createMessageStream({ name: checkpointStreamName('feed'), maxSize: 1_048_576, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File, flushOnWrite: true });
    const folder = path.join(server.storeDir, 'streams', `stream-${createHash('sha256').update(checkpointStreamName('feed')).digest('hex').slice(0, 40)}`);
    const segments = async () => (await readdir(folder)).filter((file) => file.endsWith('.log')).sort();
    const first = watch('reader');
    first.consumer.pause();
    first.consumer.start();
    for (let commit = 0; commit < 6; commit++) await first.consumer.seek(3);
    // Positions at 10 until the newest segment holds two records of them: damage in its first one sets it aside
    // (damage in a lone last record would look like a torn write, and be cut off).
    let newestSegment: Buffer | undefined;
    for (let commit = 0; commit < 20; commit++) {
      await first.consumer.seek(10);
      newestSegment = await readFile(path.join(folder, (await segments()).at(-1) as string));
      const records = recordsOf(newestSegment);
      if (records.length >= 2 && records.every((record) => positionIn(record.payload) === 10)) break;
    }
    await first.consumer.stop();
    await server.stop();
    const files = await segments();
    let damaged = 0;
    for (const file of files) {
      const segment = await readFile(path.join(folder, file));
      const records = recordsOf(segment);
      if (!records.some((record) => positionIn(record.payload) === 10)) continue;
      assert.ok(records.length >= 2 || file !== files.at(-1), 'the newest segment has two records');
      segment[records[0].offset + 20] ^= 0xff;
      await writeFile(path.join(folder, file), segment);
      damaged += 1;
    }
    assert.ok(damaged >= 1 && damaged < files.length, `${damaged} of ${files.length} segments damaged`);
    await server.restart();

    const resumed = watch('reader');
    resumed.consumer.start();
    await waitUntil(() => resumed.delivered.length >= 7, 'the messages from the older position', 20_000, 10);
    await resumed.consumer.stop();
    assert.deepEqual(resumed.delivered.map((delivery) => delivery.sequenceNumber), range(3, 10));
    assert.deepEqual(resumed.delivered[0].gap, { from: 3, to: 2, count: 0, reason: 'position-uncertain' });
    assert.equal(resumed.warnings.length, 1);
    const [warning] = resumed.warnings;
    assert.ok(warning.kind === 'position-unverified', warning.kind);
    assert.equal(warning.unreadable.notRecords, 0);
    assert.ok(warning.unreadable.missing > 0, 'sequence numbers without a record');
    assert.match(warning.message, /the position of consumer reader may be older than its last commit: _consumers\.feed holds \d+ sequence numbers without a record newer than it; reading from 3 \(the stream's newest is 9\), messages may come again/);
  });
});
