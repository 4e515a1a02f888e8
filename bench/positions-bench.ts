// Item 24: what consumer positions cost with many consumers of one stream. Consumers from lib/client (one shared
// connection, as the consumers of one Node-RED config node share it) read a stream that is appended to all the time,
// with the default commit interval; a reader follows their checkpoint stream and counts its records and bytes.
import { checkpointStreamName, Consumer, Persistence, StrategyOnFull, StreamManagerClient, type AckMode } from '../lib/client';
import type { ServerProcess } from './server-process';

interface PositionCost {
  /** Records appended to the checkpoint stream per second (one per commit). */
  appendsPerSecond: number;
  bytesPerCommit: number;
  largestRecordBytes: number;
  /** The checkpoint stream's size at the end, and its bound. */
  checkpointBytes: number;
  checkpointMaxSize: number;
  /** Messages handed over to all consumers together, per second. */
  deliveredPerSecond: number;
}

const PAYLOAD = Buffer.alloc(100, 'p');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function positionCost(server: ServerProcess, consumerCount: number, seconds: number, ackMode: AckMode): Promise<PositionCost> {
  const client = new StreamManagerClient({ port: server.port });
  const stream = `positions-${ackMode}`;
  const checkpoints = checkpointStreamName(stream);
  await client.createMessageStream({ name: stream, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory, maxSize: 64 * 2 ** 20 });
  let appending = true;
  // About 500 messages a second, in bursts of 50: every consumer has something to commit in every interval.
  const appender = (async () => {
    while (appending) {
      await Promise.all(Array.from({ length: 50 }, () => client.appendMessage(stream, PAYLOAD)));
      await sleep(100);
    }
  })();
  let delivered = 0;
  const consumers: Consumer[] = Array.from({ length: consumerCount }, (_, index) => {
    const consumer: Consumer = new Consumer({
      client,
      stream,
      consumer: `bench-${index}`,
      ackMode,
      start: 'newest',
      pollTimeoutMs: 1000,
      onMessages: (deliveries) => {
        delivered += deliveries.length;
        if (ackMode === 'manual') for (const delivery of deliveries) consumer.ack(delivery.sequenceNumber);
      },
    });
    return consumer;
  });
  try {
    for (const consumer of consumers) consumer.start();
    // Every consumer has written its first position before the window starts.
    while (consumers.some((consumer) => consumer.position === undefined)) await sleep(50);
    await sleep(2000);
    let next = Number((await client.describeMessageStream(checkpoints)).storageStatus?.newestSequenceNumber ?? -1) + 1;
    let records = 0;
    let bytes = 0;
    let largest = 0;
    const deliveredBefore = delivered;
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      await sleep(200);
      for (;;) {
        const read = await client.readMessages(checkpoints, { desiredStartSequenceNumber: next, minMessageCount: 1, maxMessageCount: 500, readTimeoutMillis: 0 }).catch(() => []);
        for (const record of read) {
          records += 1;
          bytes += record.payload.byteLength;
          largest = Math.max(largest, record.payload.byteLength);
          next = Number(record.sequenceNumber) + 1;
        }
        if (read.length < 500) break;
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    const { definition, storageStatus } = await client.describeMessageStream(checkpoints);
    return {
      appendsPerSecond: records / elapsed,
      bytesPerCommit: records > 0 ? bytes / records : 0,
      largestRecordBytes: largest,
      checkpointBytes: Number(storageStatus?.totalBytes ?? 0),
      checkpointMaxSize: Number(definition?.maxSize ?? 0),
      deliveredPerSecond: (delivered - deliveredBefore) / elapsed,
    };
  } finally {
    appending = false;
    await appender;
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await client.deleteMessageStream(stream).catch(() => undefined);
    await client.close();
  }
}
