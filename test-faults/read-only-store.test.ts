// The disk store turned read-only under a running server, as when a file system is remounted read-only after
// errors: appends, creates and deletes fail with a clear error, nothing already stored is lost, the server keeps
// serving, and once the store is writable again the next append goes on from the last stored message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { collect, configNode, helper, loadFlow, startRuntime, stopRuntime, type CaughtMsg, type StoredMsg } from '../test/nodes/flow-harness';
import { kill, spawnServer } from './server-child';
import { failure } from '../test/helpers/failure';

/**
 * chattr +i makes files and folders immutable: even files the server holds open refuse writes, as on a file system
 * remounted read-only. (chmod would not do: root ignores it, and it leaves open files writable.)
 */
function setImmutable(directory: string, immutable: boolean): void {
  execFileSync('chattr', ['-R', immutable ? '+i' : '-i', directory], { stdio: 'pipe' });
}

function immutableUnsupported(): string | undefined {
  const probe = path.join(tmpdir(), `sm-chattr-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', probe]);
    setImmutable(probe, true);
    setImmutable(probe, false);
    return undefined;
  } catch (error) {
    return `chattr +i is not available here (needs root on ext4/xfs/btrfs): ${(error as Error).message}`;
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
}

const payloads = (messages: { payload: Uint8Array }[]): string[] => messages.map((message) => Buffer.from(message.payload).toString());

describe('a read-only store', { skip: immutableUnsupported() }, () => {
  it('refuses writes with a clear error, keeps what is stored, and goes on once writable again', { timeout: 60_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-read-only-'));
    let server = await spawnServer(storeDir);
    const port = server.port;
    const client = new StreamManagerClient({ port });
    try {
      await client.createMessageStream({ name: 'kept', persistence: Persistence.File, flushOnWrite: true, strategyOnFull: StrategyOnFull.RejectNewData });
      for (const text of ['a', 'b', 'c']) await client.appendMessage('kept', Buffer.from(text));
      const reader = client.readMessages('kept', { desiredStartSequenceNumber: 3, minMessageCount: 1, maxMessageCount: 10, readTimeoutMillis: 20_000 });
      setImmutable(storeDir, true);

      const append = await failure(client.appendMessage('kept', Buffer.from('refused')));
      assert.equal(append.code, 'UnknownFailure');
      assert.match(append.message, /could not store stream kept on disk: .*(EPERM|EROFS|EACCES)/);
      const create = await failure(client.createMessageStream({ name: 'fresh', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData }));
      assert.match(create.message, /could not create stream fresh in .*(EPERM|EROFS|EACCES)/);
      const remove = await failure(client.deleteMessageStream('kept'));
      assert.match(remove.message, /could not delete stream kept from disk: .*(EPERM|EROFS|EACCES)/);

      const info = await client.describeMessageStream('kept');
      assert.equal(Number(info.storageStatus?.newestSequenceNumber), 2, 'the refused append took no sequence number');
      assert.deepEqual(payloads(await client.readMessages('kept', { minMessageCount: 3, maxMessageCount: 10 })), ['a', 'b', 'c']);
      assert.deepEqual(await client.listStreams(), ['kept']);
      await client.createMessageStream({ name: 'in-memory', persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData });
      assert.equal(await client.appendMessage('in-memory', Buffer.from('still served')), 0);

      setImmutable(storeDir, false);
      assert.equal(await client.appendMessage('kept', Buffer.from('d')), 3);
      assert.deepEqual(payloads(await reader), ['d'], 'a waiting reader never saw the refused message');
      await kill(server);
      server = await spawnServer(storeDir, { port });
      assert.deepEqual(payloads(await client.readMessages('kept', { minMessageCount: 4, maxMessageCount: 10 })), ['a', 'b', 'c', 'd']);
      assert.doesNotMatch(server.output(), /request failed unexpectedly/);
    } finally {
      setImmutable(storeDir, false);
      await client.close();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });

  it('sends the msgs sm out could not store to Catch with the reason, and stores the next one', { timeout: 60_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-read-only-'));
    const server = await spawnServer(storeDir);
    await startRuntime();
    try {
      await loadFlow([
        configNode(server.port),
        { id: 'out', type: 'sm out', server: 'config', stream: 'readings', createStream: true, persistence: 'File', flushOnWrite: true, wires: [['stored']] },
        { id: 'stored', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: ['out'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      const stored = collect<StoredMsg>('stored');
      const caught = collect<CaughtMsg & { payload: string }>('caught');
      const out = helper.getNode('out');
      out.receive({ payload: 'first' });
      await stored.wait(1);

      setImmutable(storeDir, true);
      for (const payload of ['second', 'third']) out.receive({ payload });
      const errors = await caught.wait(2);
      assert.deepEqual(errors.map((msg) => msg.payload), ['second', 'third']);
      for (const msg of errors) {
        assert.equal(msg.error.code, 'UnknownFailure');
        assert.match(msg.error.message, /could not store stream readings on disk/);
      }

      setImmutable(storeDir, false);
      out.receive({ payload: 'fourth' });
      const acknowledged = await stored.wait(2);
      assert.deepEqual(acknowledged.map((msg) => [msg.payload, msg.sequenceNumber]), [['first', 0], ['fourth', 1]]);
      await helper.unload();
    } finally {
      setImmutable(storeDir, false);
      await stopRuntime();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
