// Handled marks of dead letters against the real local server: however many dead letters are marked, and however often
// the small bounded marks stream is overwritten, every mark of a stored dead letter reads back, also when two writers
// mark at the same moment, when a foreign record is the newest, and from records of the first format.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { addDeadLetterMarks, handledStreamName, readDeadLetterMarks, type DeadLetterAction, type DeadLetterMarks } from '../../lib/client/consumer/dead-letter-marks';
import { seededRandom } from '../helpers/seeded-random';
import { startTestServer, type TestServer } from '../helpers/server';

const LETTERS = 1500;
const DEAD = 'feed-dead';

describe('dead-letter marks', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  let other: StreamManagerClient;

  before(async () => {
    server = await startTestServer();
    client = new StreamManagerClient({ port: server.port });
    other = new StreamManagerClient({ port: server.port });
  });
  afterEach(async () => {
    for (const name of await client.listStreams()) await client.deleteMessageStream(name);
  });
  after(async () => {
    await Promise.all([client.close(), other.close()]);
    await server.close();
  });

  const live = { oldest: 0, newest: LETTERS - 1 };
  /** A marks stream of 4 KiB in 1 KiB segments: a few snapshots of 1500 letters fill it. */
  const smallMarksStream = () =>
    client.createMessageStream({ name: handledStreamName(DEAD), maxSize: 4096, streamSegmentSize: 1024, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.File });

  it('keeps every mark of a seeded schedule of hundreds of marks while the marks stream is overwritten many times', async () => {
    for (const seed of [7, 2024, 91_337]) {
      await smallMarksStream();
      const random = seededRandom(seed);
      const model: DeadLetterMarks = new Map();
      for (let action = 0; action < 24; action += 1) {
        // Two writers that have not read each other now and then, as two Node-RED editors would be.
        const writers = random() < 0.3 ? [client, other] : [client];
        await Promise.all(
          writers.map((writer, parity) => {
            // A letter is handled once, as the desk marks only unmarked ones; writers at the same moment mark different
            // letters (even and odd).
            const batch: DeadLetterMarks = new Map();
            const count = 1 + Math.floor(random() * 100);
            for (let index = 0; index < count; index += 1) {
              const id = 2 * Math.floor((random() * LETTERS) / 2) + (writers.length > 1 ? parity : 0);
              if (!model.has(id)) batch.set(id, random() < 0.5 ? 'retried' : 'discarded');
            }
            for (const [id, how] of batch) model.set(id, how);
            return addDeadLetterMarks(writer, DEAD, batch, live);
          }),
        );
      }
      const status = (await client.describeMessageStream(handledStreamName(DEAD))).storageStatus;
      assert.ok(Number(status?.oldestSequenceNumber) > 0, `seed ${seed}: the marks stream was overwritten`);
      assert.ok(model.size > 4096 / 50, `seed ${seed}: more marks (${model.size}) than one generation of the stream holds one per record`);
      const read = await readDeadLetterMarks(client, DEAD);
      assert.deepEqual([...read].sort(([a], [b]) => a - b), [...model].sort(([a], [b]) => a - b), `seed ${seed}: every mark reads back, none more`);
      await client.deleteMessageStream(handledStreamName(DEAD));
    }
  });

  it('forgets the marks of dead letters no longer stored, and numbers beyond the newest', async () => {
    await addDeadLetterMarks(client, DEAD, new Map<number, DeadLetterAction>([[3, 'discarded'], [40, 'retried'], [41, 'discarded']]), live);
    await addDeadLetterMarks(client, DEAD, new Map<number, DeadLetterAction>([[42, 'discarded']]), { oldest: 40, newest: 41 });
    assert.deepEqual([...(await readDeadLetterMarks(client, DEAD))].sort(([a], [b]) => a - b), [[40, 'retried'], [41, 'discarded']]);
  });

  it('reads past a newest record that is not a marks snapshot, and reads marks of the first format', async () => {
    const name = handledStreamName(DEAD);
    await client.createMessageStream({ name, persistence: Persistence.File, strategyOnFull: StrategyOnFull.OverwriteOldestData });
    await client.appendMessage(name, Buffer.from(JSON.stringify({ deadLetter: 5, action: 'discarded', at: 1 })));
    await client.appendMessage(name, Buffer.from(JSON.stringify({ deadLetter: 6, action: 'retried', at: 2, retriedAs: 90 })));
    assert.deepEqual([...(await readDeadLetterMarks(client, DEAD))], [[5, 'discarded'], [6, 'retried']]);
    await addDeadLetterMarks(client, DEAD, new Map<number, DeadLetterAction>([[9, 'discarded']]), live);
    await client.appendMessage(name, Buffer.from('not a mark'));
    assert.deepEqual([...(await readDeadLetterMarks(client, DEAD))].sort(([a], [b]) => a - b), [[5, 'discarded'], [6, 'retried'], [9, 'discarded']]);
  });
});
