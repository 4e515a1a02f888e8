// A generated corpus of malformed frames and CBOR: the server answers or closes that connection, keeps serving a
// well-behaved client, and its memory stays bounded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StrategyOnFull, StreamManagerClient } from '../lib/client';
import { encodeCbor, encodeFrame, Operation } from '../lib/protocol';
import { openRaw } from '../test/helpers/raw-connection';
import { kill, spawnServer, type ServerChild } from './server-child';

/** Deterministic pseudo-random numbers, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function frame(operation: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(payload.length + 1, 0);
  header.writeInt8(operation, 4);
  return Buffer.concat([header, payload]);
}

function nested(depth: number): Buffer {
  // {"requestId": "deep", "name": [[[[...]]]]}: an array nested `depth` deep.
  const prefix = encodeCbor({ requestId: 'deep' });
  const head = Buffer.from(prefix);
  head[0] = 0xa2;
  return Buffer.concat([head, Buffer.from([0x64]), Buffer.from('name'), Buffer.alloc(depth, 0x81), Buffer.from([0x01])]);
}

function corpus(): { name: string; bytes: Buffer }[] {
  const next = random(7);
  const cases: { name: string; bytes: Buffer }[] = [];
  const good = encodeFrame(Operation.AppendMessage, { requestId: 'good', name: 'target', payload: Buffer.from('payload') });
  for (let cut = 1; cut < good.length; cut += 3) cases.push({ name: `append truncated at ${cut} then closed`, bytes: good.subarray(0, cut) });
  for (const length of [0, -1, 2 ** 30 + 1, 2 ** 31 - 1]) {
    const header = Buffer.alloc(5);
    header.writeInt32BE(length, 0);
    header[4] = Operation.AppendMessage;
    cases.push({ name: `length ${length}`, bytes: header });
  }
  const wrongTypes: Record<string, unknown>[] = [
    { requestId: 'w1', name: 5, payload: Buffer.from('x') },
    { requestId: 'w2', name: 'target', payload: 'not bytes' },
    { requestId: 'w3', name: 'target', payload: Buffer.alloc(0) },
    { requestId: 'w4', name: ['target'], payload: Buffer.from('x') },
    { requestId: 'w5', streamName: 'target', readMessagesOptions: { minMessageCount: 'many' } },
    { requestId: 'w6', definition: { name: 'bad', strategyOnFull: 9 } },
    { requestId: 'w7', definition: 'not a map' },
    { requestId: 42, name: 'target', payload: Buffer.from('x') },
  ];
  const operations = [Operation.AppendMessage, Operation.AppendMessage, Operation.AppendMessage, Operation.AppendMessage, Operation.ReadMessages, Operation.CreateMessageStream, Operation.UpdateMessageStream, Operation.AppendMessage];
  wrongTypes.forEach((body, index) => cases.push({ name: `wrong types ${index + 1}`, bytes: encodeFrame(operations[index], body) }));
  cases.push({ name: 'deep nesting', bytes: frame(Operation.AppendMessage, nested(200_000)) });
  cases.push({ name: 'CBOR array instead of map', bytes: frame(Operation.ListStreams, Buffer.from([0x83, 1, 2, 3])) });
  cases.push({ name: 'CBOR map claiming 2^32 entries', bytes: frame(Operation.ListStreams, Buffer.from([0xba, 0xff, 0xff, 0xff, 0xff])) });
  cases.push({ name: 'CBOR byte string claiming 1 GiB', bytes: frame(Operation.AppendMessage, Buffer.from([0xa1, 0x61, 0x70, 0x5a, 0x40, 0, 0, 0])) });
  for (const op of [0, 6, 17, 99, -1, 127]) cases.push({ name: `op ${op}`, bytes: encodeFrame(op, { requestId: `op-${op}` }) });
  cases.push({ name: 'duplicate request ids', bytes: Buffer.concat(Array.from({ length: 20 }, () => encodeFrame(Operation.ListStreams, { requestId: 'same' }))) });
  for (let index = 0; index < 40; index++) {
    const garbage = Buffer.alloc(5 + Math.floor(next() * 200));
    for (let byte = 0; byte < garbage.length; byte++) garbage[byte] = Math.floor(next() * 256);
    garbage.writeInt32BE(garbage.length - 4, 0);
    cases.push({ name: `random payload ${index}`, bytes: garbage });
  }
  return cases;
}

describe('sm-server under a corpus of malformed input', () => {
  let storeDir: string;
  let server: ServerChild;
  let client: StreamManagerClient;

  before(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), 'sm-faults-'));
    server = await spawnServer(storeDir);
    client = new StreamManagerClient({ port: server.port });
    await client.createMessageStream({ name: 'target', strategyOnFull: StrategyOnFull.OverwriteOldestData });
  });
  after(async () => {
    await client.close();
    await kill(server, 'SIGTERM');
    await rm(storeDir, { recursive: true, force: true });
  });

  it('answers or closes each hostile connection, keeps serving others, and stays bounded in memory', { timeout: 180_000 }, async () => {
    const cases = corpus();
    const startRss = server.rssMb();
    for (const { name, bytes } of cases) {
      const raw = await openRaw(server.port);
      raw.send(bytes);
      const outcome = await Promise.race([
        raw.nextFrame(2_000).then((answer) => (answer ? `answered status ${String(answer.body.status)}` : 'closed'), () => 'silent'),
        raw.closed.then(() => 'closed'),
      ]);
      raw.close();
      // A truncated frame is simply incomplete: the server must wait for the rest without answering, then the
      // connection goes; every complete malformed input must get an answer or a close.
      if (!name.includes('truncated')) assert.notEqual(outcome, 'silent', `${name}: neither answered nor closed`);
      assert.ok(Number.isInteger(Number(await client.appendMessage('target', Buffer.from(name)))), `${name}: the server still serves others`);
    }
    const endRss = server.rssMb();
    assert.equal(server.child.exitCode, null, 'the server is still running');
    assert.ok(endRss < Math.max(200, startRss * 3), `RSS ${endRss.toFixed(0)} MB after the corpus (was ${startRss.toFixed(0)} MB)`);
  });
});
