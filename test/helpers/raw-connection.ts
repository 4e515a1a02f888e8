// A bare TCP connection speaking frames built with lib/protocol, to send a server what no well-behaved client would.
import * as net from 'node:net';
import { CONNECT_VERSION, decodeFrameBody, encodeFrame, FrameDecoder, Operation, PROTOCOL_VERSION, type DecodedFrame } from '../../lib/protocol';

export interface RawConnection {
  socket: net.Socket;
  send(bytes: Buffer): void;
  /** The next frame from the server, or undefined when the server closed the connection first. */
  nextFrame(timeoutMs?: number): Promise<DecodedFrame | undefined>;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
  close(): void;
}

export async function openRaw(port: number, options: { handshake?: boolean; versionByte?: number } = {}): Promise<RawConnection> {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const decoder = new FrameDecoder();
  const frames: DecodedFrame[] = [];
  const waiters: ((frame: DecodedFrame | undefined) => void)[] = [];
  let versionSeen = false;
  let ended = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(undefined);
    resolve();
  }));
  socket.on('data', (chunk: Buffer) => {
    if (!versionSeen) {
      versionSeen = true;
      chunk = chunk.subarray(1);
    }
    for (const frame of decoder.push(chunk)) {
      const decoded = decodeFrameBody(frame);
      const waiter = waiters.shift();
      if (waiter) waiter(decoded);
      else frames.push(decoded);
    }
  });
  const connection: RawConnection = {
    socket,
    send: (bytes) => socket.write(bytes),
    nextFrame: (timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const queued = frames.shift();
        if (queued || ended) return resolve(queued);
        const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((frame) => {
          clearTimeout(timer);
          resolve(frame);
        });
      }),
    closed,
    close: () => socket.destroy(),
  };
  if (options.handshake !== false) {
    socket.write(Buffer.of(options.versionByte ?? CONNECT_VERSION));
    socket.write(encodeFrame(Operation.Connect, { requestId: 'connect', protocolVersion: PROTOCOL_VERSION }));
    const response = await connection.nextFrame();
    if (response?.body.status !== 0) return connection;
  }
  return connection;
}
