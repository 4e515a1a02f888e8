// Real dead letters for the sidebar tests: a manual-ack consumer that nacks the chosen messages once (at most one
// delivery each), so they land in its dead-letter stream, and acknowledges the rest; it stops once its position is
// committed past the last message.
import { Consumer, listConsumers } from '../../lib/client/consumer';
import type { StreamManagerClient } from '../../lib/client/client';

export async function deadLetterMessages(client: StreamManagerClient, options: { stream: string; consumer: string; deadLetterStream: string; failing: number[]; until: number }): Promise<void> {
  const failing = new Set(options.failing);
  const consumer: Consumer = new Consumer({
    client,
    stream: options.stream,
    consumer: options.consumer,
    ackMode: 'manual',
    maxDeliveries: 1,
    deadLetterStream: options.deadLetterStream,
    commitIntervalMs: 20,
    pollTimeoutMs: 200,
    onMessages(deliveries) {
      setImmediate(() => {
        for (const delivery of deliveries) {
          if (failing.has(delivery.sequenceNumber)) consumer.nack(delivery.sequenceNumber, `reading ${delivery.sequenceNumber} failed its check`);
          else consumer.ack(delivery.sequenceNumber);
        }
      });
    },
  });
  consumer.start();
  try {
    for (const started = Date.now(); Date.now() - started < 15_000; ) {
      const [listing] = (await listConsumers(client, options.stream)).filter((entry) => entry.consumer === options.consumer);
      const letters = await client.describeMessageStream(options.deadLetterStream).then(
        (info) => Number(info.storageStatus?.newestSequenceNumber ?? -1) + 1,
        () => 0,
      );
      if (listing && listing.nextSequenceNumber > options.until && letters >= failing.size) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`consumer ${options.consumer} did not dead-letter ${options.failing.join(', ')} and commit past ${options.until} within 15 s`);
  } finally {
    await consumer.stop();
  }
}
