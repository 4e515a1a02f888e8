// Reads of File streams reuse the server's read blocks and answer buffers. Whatever the message sizes, starts,
// segment boundaries, pipelining, caps and clients that stop reading for a while, every byte that arrives is the
// byte stored: each payload carries its sequence number and a CRC of its own bytes, and is compared to a reference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { encodeFrame, Operation } from '../../lib/protocol';
import { openRaw, type RawConnection } from '../helpers/raw-connection';
import { seededRandom } from '../helpers/seeded-random';
import { startTestServer, type TestServer } from '../helpers/server';

const SEED = 25;
const KIB = 1024;
const MIB = 1024 * KIB;
const HEADER = 8;

/** A payload that says which message it is and checks itself: sequence number, CRC-32 of the rest, bytes from the seed. */
function payloadFor(sequenceNumber: number, size: number): Buffer {
  const payload = Buffer.allocUnsafe(Math.max(HEADER, size));
  let state = (sequenceNumber * 2_654_435_761 + SEED) >>> 0 || 1;
  for (let index = HEADER; index < payload.length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    payload[index] = state & 0xff;
  }
  payload.writeUInt32BE(sequenceNumber, 0);
  payload.writeUInt32BE(crc32(payload.subarray(HEADER)), 4);
  return payload;
}

interface Received {
  sequenceNumber?: number | bigint;
  payload: Uint8Array;
}

/** The messages of one answer are contiguous from `start`, each byte for byte the one stored; `context` names the read. */
function checkMessages(messages: readonly Received[], start: number, stored: readonly Buffer[], context: string): void {
  messages.forEach((message, index) => {
    const expected = start + index;
    const payload = Buffer.from(message.payload);
    assert.equal(Number(message.sequenceNumber), expected, `${context}: message ${index} has the wrong sequence number`);
    assert.equal(payload.readUInt32BE(0), expected, `${context}: the payload of ${expected} names another message`);
    assert.equal(payload.readUInt32BE(4), crc32(payload.subarray(HEADER)), `${context}: the payload of ${expected} fails its CRC`);
    assert.ok(payload.equals(stored[expected]), `${context}: the payload of ${expected} differs from what was appended`);
  });
}

/** Appends the payloads, 32 under way at once; the first gets sequence number `first`. */
async function appendAll(client: StreamManagerClient, stream: string, payloads: readonly Buffer[], first = 0): Promise<void> {
  for (let from = 0; from < payloads.length; from += 32) {
    const numbers = await Promise.all(payloads.slice(from, from + 32).map((payload) => client.appendMessage(stream, payload)));
    assert.deepEqual(numbers, numbers.map((_, index) => first + from + index), 'appends are numbered in order');
  }
}

function segmentStarts(server: TestServer): number[] {
  const streams = path.join(server.storeDir, 'streams');
  const [folder] = fs.readdirSync(streams);
  return fs
    .readdirSync(path.join(streams, folder))
    .filter((name) => name.endsWith('.log'))
    .map((name) => Number(name.slice(0, -'.log'.length)))
    .sort((a, b) => a - b);
}

const fileStream = (name: string, streamSegmentSize: number) => ({
  name,
  persistence: Persistence.File,
  strategyOnFull: StrategyOnFull.RejectNewData,
  maxSize: 2 ** 30,
  streamSegmentSize,
});

describe('reads of File streams with reused buffers', () => {
  it(`answers random reads (seed ${SEED}) across segment boundaries, caps and a restart with exactly the bytes stored`, { timeout: 180_000 }, async () => {
    const random = seededRandom(SEED);
    const below = (limit: number) => Math.floor(random() * limit);
    const replyCap = MIB;
    const server = await startTestServer({ maxReplyFrameLength: replyCap });
    const connect = () => Array.from({ length: 3 }, () => new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 }));
    let clients = connect();
    try {
      const [writer] = clients;
      await writer.createMessageStream(fileStream('mixed', 256 * KIB));
      // Mostly small messages, some of tens of KiB, a few of hundreds: reads then cross blocks, segments and the cap.
      const sizes = Array.from({ length: 1200 }, () => {
        const kind = random();
        return kind < 0.7 ? below(2 * KIB) : kind < 0.92 ? 2 * KIB + below(40 * KIB) : 40 * KIB + below(260 * KIB);
      });
      const stored = sizes.map((size, sequenceNumber) => payloadFor(sequenceNumber, size));
      await appendAll(writer, 'mixed', stored);

      const round = async (label: string): Promise<void> => {
        const boundaries = segmentStarts(server);
        assert.ok(boundaries.length > 20, `${label}: the stream spans many segments (${boundaries.length})`);
        for (let batch = 0; batch < 12; batch++) {
          const reads = clients.flatMap((client, clientIndex) =>
            Array.from({ length: 6 }, async (_, readIndex) => {
              const start =
                random() < 0.5 ? below(stored.length) : Math.min(stored.length - 1, Math.max(0, boundaries[below(boundaries.length)] + below(3) - 1));
              const maxMessageCount = 1 + below(random() < 0.2 ? 700 : 60);
              const context = `seed ${SEED}, ${label}, batch ${batch}, client ${clientIndex}, read ${readIndex}: from ${start}, at most ${maxMessageCount}`;
              const messages = await client.readMessages('mixed', { desiredStartSequenceNumber: start, minMessageCount: 1, maxMessageCount });
              assert.ok(messages.length >= 1 && messages.length <= maxMessageCount, `${context}: ${messages.length} messages`);
              checkMessages(messages, start, stored, context);
              const wanted = Math.min(maxMessageCount, stored.length - start);
              if (messages.length < wanted) {
                // Cut short only by the cap: the next message would not have fitted (with room for the fields around it).
                const carried = messages.reduce((sum, message) => sum + message.payload.length, 0);
                const next = stored[start + messages.length].length;
                assert.ok(carried + next > replyCap - KIB - (messages.length + 1) * 200, `${context}: cut at ${messages.length} with ${carried} bytes though ${next} more would fit`);
              }
            }),
          );
          await Promise.all(reads);
        }
      };
      await round('before the restart');
      await Promise.all(clients.map((client) => client.close()));
      await server.restart();
      clients = connect();
      await round('after the restart, from sealed segments and their indexes');
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    }
  });

  it('delivers the pipelined big reads of clients that stop reading for a while intact, while others read meanwhile', { timeout: 180_000 }, async () => {
    const random = seededRandom(SEED + 1);
    const below = (limit: number) => Math.floor(random() * limit);
    // A small queue bound, so that most of the answers to the stalled clients wait in the server, in reused buffers.
    const server = await startTestServer({ maxQueuedBytesPerConnection: 2 * MIB });
    const reader = new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 });
    const stalled: RawConnection[] = [];
    try {
      await reader.createMessageStream(fileStream('backlog', 4 * MIB));
      const stored = Array.from({ length: 8000 }, (_, sequenceNumber) => payloadFor(sequenceNumber, KIB + below(3 * KIB)));
      await appendAll(reader, 'backlog', stored);

      const pipelined = 30;
      const starts: number[][] = [];
      for (let connection = 0; connection < 2; connection++) {
        const raw = await openRaw(server.port);
        raw.socket.pause();
        stalled.push(raw);
        const mine = Array.from({ length: pipelined }, () => below(stored.length - 400));
        starts.push(mine);
        const frames = mine.map((start, index) =>
          encodeFrame(Operation.ReadMessages, {
            requestId: `stalled-${connection}-${index}`,
            streamName: 'backlog',
            readMessagesOptions: { desiredStartSequenceNumber: start, minMessageCount: 1, maxMessageCount: 400 },
          }),
        );
        raw.send(Buffer.concat(frames));
      }

      // While the stalled clients read nothing, another client drains the stream: the same buffers are used again
      // for its answers, and must not be while the stalled answers still wait to be written.
      for (let read = 0; read < 120; read++) {
        const start = below(stored.length - 1);
        const messages = await reader.readMessages('backlog', { desiredStartSequenceNumber: start, minMessageCount: 1, maxMessageCount: 500 });
        checkMessages(messages, start, stored, `the other client's read ${read} from ${start}`);
      }

      for (const [connection, raw] of stalled.entries()) {
        raw.socket.resume();
        const answered = new Set<string>();
        for (let index = 0; index < pipelined; index++) {
          const frame = await raw.nextFrame(30_000);
          assert.ok(frame, `stalled client ${connection}: the server closed the connection after ${index} answers`);
          const requestId = String(frame.body.requestId);
          const which = Number(/^stalled-\d+-(\d+)$/.exec(requestId)?.[1]);
          assert.equal(frame.body.status, 0, `stalled client ${connection}, ${requestId}: ${String(frame.body.errorMessage)}`);
          const messages = frame.body.messages as Received[];
          assert.equal(messages.length, 400, `stalled client ${connection}, ${requestId}: a whole answer`);
          checkMessages(messages, starts[connection][which], stored, `stalled client ${connection}, ${requestId}`);
          answered.add(requestId);
        }
        assert.equal(answered.size, pipelined, `stalled client ${connection}: every read answered once`);
      }
    } finally {
      for (const raw of stalled) raw.close();
      await reader.close();
      await server.close();
    }
  });

  it('wakes long-polls of several clients with the same new records, each intact', { timeout: 60_000 }, async () => {
    const random = seededRandom(SEED + 2);
    const below = (limit: number) => Math.floor(random() * limit);
    const server = await startTestServer();
    const clients = Array.from({ length: 5 }, () => new StreamManagerClient({ port: server.port, requestTimeoutMs: 60_000 }));
    try {
      const [writer] = clients;
      await writer.createMessageStream(fileStream('tail', 64 * KIB));
      const stored = Array.from({ length: 600 }, (_, sequenceNumber) => payloadFor(sequenceNumber, below(6 * KIB)));
      await appendAll(writer, 'tail', stored.slice(0, 100));
      // Starts far apart (different blocks of the file), all waiting for the last message: one append wakes them all.
      const starts = clients.map((_, index) => 100 + index * 37);
      const polls = clients.map((client, index) =>
        client.readMessages('tail', { desiredStartSequenceNumber: starts[index], minMessageCount: stored.length - starts[index], maxMessageCount: stored.length, readTimeoutMillis: 30_000 }),
      );
      await appendAll(writer, 'tail', stored.slice(100), 100);
      const answers = await Promise.all(polls);
      answers.forEach((messages, index) => {
        assert.equal(messages.length, stored.length - starts[index], `long-poll ${index}: every message from its start`);
        checkMessages(messages, starts[index], stored, `long-poll ${index}`);
      });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    }
  });
});
