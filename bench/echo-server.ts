// The limit for item 3: a TCP server on loopback that answers each frame with a ready-made AppendMessageResponse
// frame, doing none of a Stream Manager's work. Run as a child process; prints its port.
import * as net from 'node:net';
import { CONNECT_VERSION, encodeFrame, FrameDecoder, Operation } from '../lib/protocol';

const response = encodeFrame(Operation.AppendMessageResponse, { requestId: '00000000-0000-4000-8000-000000000000', status: 0, sequenceNumber: 123456 });

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  let first = true;
  socket.on('data', (chunk: Buffer) => {
    if (first) {
      first = false;
      chunk = chunk.subarray(1);
      socket.write(Buffer.of(CONNECT_VERSION));
    }
    const frames = decoder.push(chunk);
    if (frames.length > 0) socket.write(frames.length === 1 ? response : Buffer.concat(frames.map(() => response)));
  });
  socket.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on 127.0.0.1:${(server.address() as net.AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
