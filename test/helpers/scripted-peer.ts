// A TCP peer for fault injection: it speaks just enough of the protocol (the handshake) to reach a client, then
// does what the test scripts: stays silent, answers late, sends frames the client cannot use. It never stands in
// for the Stream Manager server; tests of real behaviour use test/helpers/server.ts.
import * as net from 'node:net';
import { CONNECT_VERSION, decodeFrameBody, encodeFrame, FrameDecoder, Operation, PROTOCOL_VERSION } from '../../lib/protocol';

export interface ReceivedRequest {
  operation: number;
  body: Record<string, unknown>;
  socket: net.Socket;
}

export interface ScriptedPeer {
  port: number;
  /** Every request received after the handshake, in order. */
  requests: ReceivedRequest[];
  /** Resolves with the next request received (or one already waiting). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * @param options.handshake answer the Connect (else stay silent from the start).
 * @param options.readAfterHandshake false: stop reading the socket once connected, so that the client's writes back up.
 */
export async function startScriptedPeer(options: { handshake: boolean; readAfterHandshake?: boolean }): Promise<ScriptedPeer> {
  const sockets = new Set<net.Socket>();
  const requests: ReceivedRequest[] = [];
  const waiters: ((request: ReceivedRequest) => void)[] = [];
  let delivered = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (!options.handshake) return;
    const decoder = new FrameDecoder();
    let versionRead = false;
    let connected = false;
    socket.on('data', (chunk: Buffer) => {
      if (!versionRead) {
        versionRead = true;
        chunk = chunk.subarray(1);
      }
      for (const frame of decoder.push(chunk)) {
        const { operation, body } = decodeFrameBody(frame);
        if (!connected) {
          connected = true;
          socket.write(Buffer.concat([
            Buffer.of(CONNECT_VERSION),
            encodeFrame(Operation.ConnectResponse, { requestId: body.requestId, status: 0, protocolVersion: PROTOCOL_VERSION }),
          ]));
          if (options.readAfterHandshake === false) {
            socket.pause();
            return;
          }
          continue;
        }
        const request = { operation, body, socket };
        requests.push(request);
        const waiter = waiters.shift();
        if (waiter) {
          delivered += 1;
          waiter(request);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    nextRequest: () =>
      new Promise((resolve) => {
        if (delivered < requests.length) {
          resolve(requests[delivered]);
          delivered += 1;
        } else {
          waiters.push(resolve);
        }
      }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
