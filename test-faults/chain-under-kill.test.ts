// The whole chain, Node-RED flow -> sm out -> sm-server -> sm in, under a load of 200 000 msgs while the server is
// killed with SIGKILL and restarted three times: every input msg ends with a sequence number or at a Catch node,
// every acknowledged (flush-on-write) message is in the store afterwards, the store's status counts what it holds,
// and sm in delivers the stream exactly once, in order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StreamManagerClient } from '../lib/client';
import { collect, configNode, helper, helperInternals, loadFlow, startRuntime, stopRuntime, type CaughtMsg, type StoredMsg } from '../test/nodes/flow-harness';
import { kill, spawnServer } from './server-child';
import { quietFor, waitUntil } from '../test/helpers/wait';

const MESSAGES = 200_000;
const KILL_EVERY = 50_000;
/** Inputs run at most this far ahead of their outcomes, as a busy gateway's would. */
const AHEAD = 10_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the chain under SIGKILL', () => {
  it(`accounts for each of ${MESSAGES} msgs through three kills of the server`, { timeout: 600_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-chain-'));
    let server = await spawnServer(storeDir);
    const port = server.port;
    await startRuntime();
    const client = new StreamManagerClient({ port, requestTimeoutMs: 10_000 });
    try {
      await loadFlow([
        configNode(port, { requestTimeout: '10' }),
        { id: 'out', type: 'sm out', server: 'config', stream: 'chain', createStream: true, persistence: 'File', flushOnWrite: true, maxQueued: String(MESSAGES), wires: [['acked']] },
        { id: 'acked', type: 'helper' },
        { id: 'in', type: 'sm in', server: 'config', stream: 'chain', mode: 'continuous', batchSize: '500', pollTimeout: '1000', format: 'utf8', wires: [['delivered']] },
        { id: 'delivered', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: ['out'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      helperInternals()._logSpy?.restore();
      const acked = collect<StoredMsg>('acked');
      const caught = collect<CaughtMsg>('caught');
      const delivered = collect<StoredMsg>('delivered');
      const out = helper.getNode('out');
      const settled = () => acked.messages.length + caught.messages.length;
      for (let index = 0; index < MESSAGES; index++) {
        out.receive({ payload: `m${index}` });
        if (index > 0 && index % KILL_EVERY === 0) {
          await pause(200);
          await kill(server);
          server = await spawnServer(storeDir, { port });
        }
        if (index % 1_000 === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          for (let wait = 0; wait < 600 && settled() < index - AHEAD; wait++) await pause(50);
        }
      }
      await waitUntil(() => settled() >= MESSAGES, 'every msg acknowledged or at Catch', 120_000, 100).catch(() => undefined);
      assert.equal(acked.messages.length + caught.messages.length, MESSAGES, 'every msg was acknowledged or reached Catch');
      for (const msg of caught.messages) assert.ok(['Connection', 'Timeout'].includes(msg.error.code), msg.error.code);

      const ackedNumbers = acked.messages;
      assert.equal(new Set(ackedNumbers.map((msg) => msg.sequenceNumber)).size, ackedNumbers.length, 'acknowledged sequence numbers are unique');

      const status = (await client.describeMessageStream('chain')).storageStatus;
      const [oldest, newest] = [Number(status?.oldestSequenceNumber), Number(status?.newestSequenceNumber)];
      assert.equal(oldest, 0, 'nothing aged out of the stream');
      assert.ok(newest + 1 >= ackedNumbers.length, `the store holds at least the ${ackedNumbers.length} acknowledged messages, it says ${newest + 1}`);
      const stored = await client.readMessages('chain', { minMessageCount: newest + 1, maxMessageCount: newest + 1 });
      assert.equal(stored.length, newest - oldest + 1, 'the storage status counts what the stream holds');
      const storedBySequence = new Map(stored.map((message) => [Number(message.sequenceNumber), Buffer.from(message.payload).toString()]));
      for (const msg of ackedNumbers) assert.equal(storedBySequence.get(msg.sequenceNumber), msg.payload, `acknowledged ${msg.payload} is stored as ${msg.sequenceNumber}`);

      await waitUntil(() => delivered.messages.length >= stored.length, 'sm in to deliver the whole stream', 120_000, 100).catch(() => undefined);
      await quietFor(500); // a message delivered twice would come now
      const deliveredSequence = delivered.messages;
      assert.deepEqual(deliveredSequence.map((msg) => msg.sequenceNumber), stored.map((message) => Number(message.sequenceNumber)), 'sm in delivered the stream once, in order');
      assert.deepEqual(deliveredSequence.map((msg) => msg.payload), stored.map((message) => Buffer.from(message.payload).toString()));
      process.stdout.write(`# ${acked.messages.length} acknowledged, ${caught.messages.length} at Catch, ${stored.length} stored, ${deliveredSequence.length} delivered\n`);
    } finally {
      await helper.unload();
      await stopRuntime();
      await client.close();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
