// The File store at its limits: a read whose reply would pass the frame cap, thousands of segments under a low
// file handle limit, and a full disk under an OverwriteOldestData stream that is full too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startServer } from '../../lib/server';
import { startTestServer } from '../helpers/server';
import { kill, spawnServer } from '../../test-faults/server-child';
import { failure } from '../helpers/failure';
import { waitUntil } from '../helpers/wait';

const MIB = 1024 * 1024;

const numbers = (messages: { sequenceNumber?: number | bigint }[]) => messages.map((message) => Number(message.sequenceNumber));

/** Mounting needs root (and a kernel that lets this process mount); the reason is printed when it cannot. */
function tmpfsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'disk-full test skipped: it mounts a small tmpfs, which needs root';
  const probe = fs.mkdtempSync(path.join(tmpdir(), 'sm-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `disk-full test skipped: cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmdirSync(probe);
  }
}

describe('the File store at its limits', () => {
  it('answers a huge read with the whole messages that fit, refuses only a message that can never fit, and stays up', { timeout: 60_000 }, async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port, requestTimeoutMs: 30_000 });
    try {
      await client.createMessageStream({ name: 'big', persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 512 * MIB, streamSegmentSize: 64 * MIB });
      const waiting = failure(client.readMessages('big', { minMessageCount: 1, maxMessageCount: 5, readTimeoutMillis: 20_000 }));
      await client.appendMessage('big', Buffer.alloc(66 * MIB, 'h'));
      assert.equal((await waiting).code, 'ResponsePayloadTooLarge', 'a long-poll woken by a message that cannot fit fails alone');
      for (let index = 0; index < 3; index++) await client.appendMessage('big', Buffer.alloc(25 * MIB, String(index)));

      const tooLarge = await failure(client.readMessages('big', { desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 10 }));
      assert.equal(tooLarge.code, 'ResponsePayloadTooLarge');
      assert.match(tooLarge.message, /message 0 of stream big holds 69206016 bytes/);
      const fitting = await client.readMessages('big', { desiredStartSequenceNumber: 1, minMessageCount: 3, maxMessageCount: 10 });
      assert.deepEqual(numbers(fitting), [1, 2], 'two of 25 MiB fit a reply, the third does not, even with minMessageCount 3');
      assert.deepEqual(fitting.map((message) => [message.payload.length, Buffer.from(message.payload).subarray(0, 1).toString()]), [[25 * MIB, '0'], [25 * MIB, '1']]);
      const rest = await client.readMessages('big', { desiredStartSequenceNumber: 3, minMessageCount: 1, maxMessageCount: 10 });
      assert.deepEqual(numbers(rest), [3]);
      assert.equal(await client.appendMessage('big', Buffer.from('small')), 4, 'the server is alive and appends go on');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('serves hundreds of segments of several streams within a limit of 64 open files, across a restart', { timeout: 60_000 }, async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-fd-limit-'));
    let server = await spawnServer(storeDir, { fdLimit: 64 });
    let client = new StreamManagerClient({ port: server.port });
    const streams = ['one', 'two', 'three'];
    const perStream = 250;
    const payloadOf = (stream: string, index: number) => `${stream} ${index} `.padEnd(1000, '-');
    const readBack = async () => {
      for (const stream of streams) {
        const seen: string[] = [];
        for (let start = 0; start < perStream; start += 37) {
          const messages = await client.readMessages(stream, { desiredStartSequenceNumber: start, minMessageCount: 1, maxMessageCount: 37 });
          seen.push(...messages.map((message) => Buffer.from(message.payload).toString()));
        }
        assert.equal(seen.length, perStream);
        assert.ok(seen.every((payload, index) => payload === payloadOf(stream, index)), `every message of ${stream} reads back`);
      }
    };
    try {
      for (const stream of streams) {
        // One 1000-byte message per 1 KiB segment: a segment file for each message.
        await client.createMessageStream({ name: stream, persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData, streamSegmentSize: 1024 });
      }
      for (let index = 0; index < perStream; index++) {
        await Promise.all(streams.map((stream) => client.appendMessage(stream, Buffer.from(payloadOf(stream, index)))));
      }
      await readBack();
      const openInStore = () =>
        fs.readdirSync(`/proc/${server.child.pid}/fd`).filter((fd) => {
          try {
            return fs.readlinkSync(`/proc/${server.child.pid}/fd/${fd}`).startsWith(storeDir);
          } catch {
            return false;
          }
        }).length;
      assert.ok(openInStore() <= 16 + streams.length, `at most 16 read handles and one write handle per stream are open, not one per segment (${openInStore()})`);
      await waitUntil(() => openInStore() <= 16, 'idle streams to let go of their write handles (at most 16 files open)', 4_000, 100);
      await client.close();
      await kill(server);
      server = await spawnServer(storeDir, { fdLimit: 64, port: server.port });
      client = new StreamManagerClient({ port: server.port });
      await readBack();
      assert.equal(await client.appendMessage('one', Buffer.from('more')), perStream);
      assert.doesNotMatch(server.output(), /EMFILE|too many open files/i);
    } finally {
      await client.close();
      await kill(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });

  const skipDiskFull = tmpfsUnavailable();
  if (skipDiskFull) process.stdout.write(`# ${skipDiskFull}\n`);
  it('refuses an append on a full disk without dropping any stored segment, and goes on once there is room', { skip: skipDiskFull, timeout: 30_000 }, async () => {
    const mountPoint = fs.mkdtempSync(path.join(tmpdir(), 'sm-full-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    const server = await startServer({ port: 0, storeDir: path.join(mountPoint, 'store') });
    const client = new StreamManagerClient({ port: server.port });
    const filler = path.join(mountPoint, 'filler');
    try {
      await client.createMessageStream({ name: 'ring', persistence: Persistence.File, strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 64 * 1024, streamSegmentSize: 16 * 1024 });
      await client.createMessageStream({ name: 'volatile', persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData });
      const payloadOf = (index: number) => Buffer.alloc(4096, String(index % 10));
      for (let index = 0; index < 16; index++) await client.appendMessage('ring', payloadOf(index));
      const fd = fs.openSync(filler, 'w');
      try {
        for (let written = 0; written < 4 * MIB; written += 4096) fs.writeSync(fd, Buffer.alloc(4096));
        assert.fail('the tmpfs should have filled up');
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
      } finally {
        fs.closeSync(fd);
      }

      const refused = await failure(client.appendMessage('ring', payloadOf(16)));
      assert.equal(refused.code, 'UnknownFailure');
      assert.match(refused.message, /could not store stream ring on disk: .*ENOSPC/);
      assert.deepEqual((await client.describeMessageStream('ring')).storageStatus, { oldestSequenceNumber: 0, newestSequenceNumber: 15, totalBytes: 16 * 4096 });
      const kept = await client.readMessages('ring', { minMessageCount: 16, maxMessageCount: 16 });
      assert.deepEqual(kept.map((message) => Buffer.compare(Buffer.from(message.payload), payloadOf(Number(message.sequenceNumber)))), Array(16).fill(0), 'no stored segment was dropped');
      assert.equal(await client.appendMessage('volatile', Buffer.from('memory goes on')), 0);

      fs.rmSync(filler);
      assert.equal(await client.appendMessage('ring', payloadOf(16)), 16, 'the refused number is given to the next append');
      assert.deepEqual((await client.describeMessageStream('ring')).storageStatus, { oldestSequenceNumber: 4, newestSequenceNumber: 16, totalBytes: 13 * 4096 });
    } finally {
      await client.close();
      await server.close();
      execFileSync('umount', [mountPoint]);
      fs.rmdirSync(mountPoint);
    }
  });
});
