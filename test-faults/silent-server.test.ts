// A server that accepts TCP connections but never answers, and one that completes the handshake and then answers
// nothing: timeouts fire, nothing hangs, the status says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { StreamManagerClient } from '../lib/client';
import { TimeoutError } from '../lib/protocol/errors';
import { collect, configNode, connectionState, helper, loadFlow, observe, startRuntime, stopRuntime, waitUntil, type CaughtMsg } from '../test/nodes/flow-harness';
import { startScriptedPeer } from '../test/helpers/scripted-peer';

describe('a Stream Manager that never answers', () => {
  it('makes the client time out and the nodes show it, without hanging', { timeout: 60_000 }, async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const client = new StreamManagerClient({ port, connectTimeoutMs: 300 });
    await startRuntime();
    try {
      const error = await client.listStreams().catch((caught: unknown) => caught);
      assert.ok(error instanceof TimeoutError, String(error));

      await loadFlow([
        configNode(port, { connectTimeout: '0.3' }),
        { id: 'out', type: 'sm out', server: 'config', stream: 'nowhere', maxQueued: '2', wires: [[]] },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      await connectionState('disconnected', /^no answer from 127\.0\.0\.1:\d+$/);
      const caught = collect<CaughtMsg>('caught');
      for (let index = 0; index < 5; index++) helper.getNode('out').receive({ payload: index });
      const errors = await caught.wait(3);
      assert.deepEqual(errors.map((msg) => msg.error.code), ['Connection', 'Connection', 'Connection']);
      await helper.unload();
    } finally {
      await client.close();
      await stopRuntime();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('makes every request time out at Catch once the handshake is done, and shows the timeout', { timeout: 60_000 }, async () => {
    const peer = await startScriptedPeer({ handshake: true });
    await startRuntime();
    try {
      await loadFlow([
        configNode(peer.port, { requestTimeout: '0.5' }),
        { id: 'out', type: 'sm out', server: 'config', stream: 'unanswered', wires: [[]] },
        { id: 'reader', type: 'sm in', server: 'config', stream: 'unanswered', mode: 'input', wires: [[]] },
        { id: 'follower', type: 'sm in', server: 'config', stream: 'unanswered', mode: 'continuous', start: 'oldest', wires: [[]] },
        { id: 'admin', type: 'sm admin', server: 'config', action: 'list', wires: [[]] },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ]);
      await connectionState('connected');
      const caught = collect<CaughtMsg>('caught');
      for (const id of ['out', 'reader', 'admin']) helper.getNode(id).receive({ payload: id, _msgid: id });
      const errors = await caught.wait(3, 5_000);
      assert.deepEqual(errors.map((msg) => [msg.error.source?.id, msg.error.code]).sort(), [['admin', 'Timeout'], ['out', 'Timeout'], ['reader', 'Timeout']]);
      const follower = observe('follower');
      await waitUntil(() => follower.statusTexts().includes('no answer in time'), 'the continuous sm in shows the timeout', 5_000).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(follower.statusTexts())}`);
      });
      await helper.unload();
    } finally {
      await stopRuntime();
      await peer.close();
    }
  });
});
