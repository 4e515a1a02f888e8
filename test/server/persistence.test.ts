import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Persistence, StrategyOnFull, StreamManagerClient } from '../../lib/client';
import { startTestServer } from '../helpers/server';

const CLI = path.join(__dirname, '..', '..', 'lib', 'server', 'cli.js');

/** Runs the sm-server command as a child process (so it can be killed for real) and waits for its start line. */
async function spawnServer(storeDir: string, port = 0): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--store', storeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+), store /.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`sm-server exited with ${code} before listening: ${output}`)));
  });
  return { child, port: listening };
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

describe('persistence of the local server', () => {
  it('keeps every acknowledged flush-on-write append through kill -9', async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-kill-'));
    let { child, port } = await spawnServer(storeDir);
    let client = new StreamManagerClient({ port });
    try {
      await client.createMessageStream({ name: 'durable', strategyOnFull: StrategyOnFull.RejectNewData, flushOnWrite: true, streamSegmentSize: 4096 });
      const acknowledged: number[] = [];
      const appends = Array.from({ length: 300 }, (_, index) =>
        client.appendMessage('durable', Buffer.from(`record ${index}`)).then((sequenceNumber) => acknowledged.push(Number(sequenceNumber)), () => undefined),
      );
      while (acknowledged.length < 100) await new Promise((resolve) => setTimeout(resolve, 1));
      await killHard(child);
      await Promise.all(appends);
      await client.close();

      ({ child, port } = await spawnServer(storeDir));
      client = new StreamManagerClient({ port });
      const newest = Number((await client.describeMessageStream('durable')).storageStatus?.newestSequenceNumber);
      assert.ok(newest >= Math.max(...acknowledged), `newest ${newest} must cover every acknowledged append (${Math.max(...acknowledged)})`);
      const messages = await client.readMessages('durable', { minMessageCount: newest + 1, maxMessageCount: newest + 1 });
      assert.deepEqual(
        messages.map((message) => Buffer.from(message.payload).toString()),
        messages.map((_, index) => `record ${index}`),
      );
      assert.equal(await client.appendMessage('durable', Buffer.from('after the crash')), newest + 1);
    } finally {
      await client.close();
      child.kill('SIGKILL');
      await rm(storeDir, { recursive: true, force: true });
    }
  });

  it('stops gracefully on SIGTERM with every file flushed', async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'sm-term-'));
    let { child, port } = await spawnServer(storeDir);
    let client = new StreamManagerClient({ port });
    try {
      await client.createMessageStream({ name: 'graceful', strategyOnFull: StrategyOnFull.RejectNewData });
      await Promise.all(Array.from({ length: 50 }, (_, index) => client.appendMessage('graceful', Buffer.from(String(index)))));
      await client.close();
      const exitCode = await new Promise<number | null>((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
      assert.equal(exitCode, 0);
      ({ child, port } = await spawnServer(storeDir));
      client = new StreamManagerClient({ port });
      assert.equal((await client.describeMessageStream('graceful')).storageStatus?.newestSequenceNumber, 49);
    } finally {
      await client.close();
      child.kill('SIGKILL');
      await rm(storeDir, { recursive: true, force: true });
    }
  });

  it('recovers from a torn last record by cutting it off', async () => {
    const server = await startTestServer();
    let client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'torn', strategyOnFull: StrategyOnFull.RejectNewData });
      await client.appendMessage('torn', Buffer.from('whole'));
      await client.appendMessage('torn', Buffer.from('about to be torn'));
      await client.close();
      await server.stop();
      const segment = filesUnder(server.storeDir).find((file) => file.endsWith('.log')) as string;
      fs.truncateSync(segment, fs.statSync(segment).size - 3);
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      const messages = await client.readMessages('torn', { minMessageCount: 1, maxMessageCount: 10 });
      assert.deepEqual(messages.map((message) => Buffer.from(message.payload).toString()), ['whole']);
      assert.equal(await client.appendMessage('torn', Buffer.from('next')), 1);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('keeps names such as ., .., CON and 255 characters inside the store, and loses Memory streams on restart', async () => {
    const server = await startTestServer();
    let client = new StreamManagerClient({ port: server.port });
    const names = ['.', '..', 'CON', 'a'.repeat(255), '.. ,-_'];
    try {
      for (const name of names) {
        await client.createMessageStream({ name, strategyOnFull: StrategyOnFull.RejectNewData });
        await client.appendMessage(name, Buffer.from(`in ${name.slice(0, 10)}`));
      }
      await client.createMessageStream({ name: 'volatile', strategyOnFull: StrategyOnFull.RejectNewData, persistence: Persistence.Memory });
      await client.appendMessage('volatile', Buffer.from('gone after restart'));
      const storeEntries = await readdir(server.storeDir);
      assert.deepEqual(storeEntries, ['streams']);
      for (const file of filesUnder(server.storeDir)) {
        assert.ok(path.resolve(file).startsWith(path.resolve(server.storeDir) + path.sep), `${file} is inside the store`);
        assert.match(path.relative(server.storeDir, file), /^streams[\\/]stream-[0-9a-f]{40}[\\/](definition\.cbor|state\.json|\d{19}\.(log|idx))$/);
      }
      await client.close();
      await server.restart();
      client = new StreamManagerClient({ port: server.port });
      assert.deepEqual((await client.listStreams()).sort(), [...names].sort());
      for (const name of names) {
        const [message] = await client.readMessages(name);
        assert.equal(Buffer.from(message.payload).toString(), `in ${name.slice(0, 10)}`);
      }
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('deletes a File stream with all its data', async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port });
    try {
      await client.createMessageStream({ name: 'doomed', strategyOnFull: StrategyOnFull.RejectNewData });
      await client.appendMessage('doomed', Buffer.from('x'));
      await client.deleteMessageStream('doomed');
      assert.deepEqual(filesUnder(server.storeDir), []);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
