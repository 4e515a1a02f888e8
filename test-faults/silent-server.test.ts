// A server that accepts TCP connections but never answers: timeouts fire, nothing hangs, the status says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { StreamManagerClient, TimeoutError } from '../lib/client';
import { collect, configNode, connectionState, helper, loadFlow, startRuntime, stopRuntime } from '../test/nodes/flow-harness';

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
      await connectionState('disconnected', /^Timeout$/);
      const caught = collect('caught');
      for (let index = 0; index < 5; index++) helper.getNode('out').receive({ payload: index } as never);
      const errors = (await caught.wait(3)) as unknown as { error: { code: string } }[];
      assert.deepEqual(errors.map((msg) => msg.error.code), ['Connection', 'Connection', 'Connection']);
      await helper.unload();
    } finally {
      await client.close();
      await stopRuntime();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
