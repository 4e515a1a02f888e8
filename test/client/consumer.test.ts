// The consumer against the real local server, no Node-RED: positions kept in Stream Manager, resume and its checks,
// acks, nacks, ack timeouts, dead letters, flow control and retention gaps.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkpointStreamName,
  Consumer,
  decodeDeadLetter,
  listConsumers,
  StrategyOnFull,
  StreamManagerClient,
  type ConsumerOptions,
  type ConsumerWarning,
  type Delivery,
} from '../../lib/client';
import { validateStreamName } from '../../lib/protocol/validation';
import { startTestServer, type TestServer } from '../helpers/server';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  consumer: Consumer;
  deliveries: Delivery[];
  warnings: ConsumerWarning[];
  /** Resolves once `count` deliveries in all have arrived. */
  wait(count: number, timeoutMs?: number): Promise<Delivery[]>;
}

describe('Consumer', () => {
  let server: TestServer;
  let client: StreamManagerClient;
  const running: Consumer[] = [];

  before(async () => {
    server = await startTestServer();
    client = new StreamManagerClient({ port: server.port });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    for (const name of await client.listStreams()) await client.deleteMessageStream(name);
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  function consume(options: Partial<ConsumerOptions> & { onDelivery?(delivery: Delivery, consumer: Consumer): void } = {}): Running {
    const deliveries: Delivery[] = [];
    const warnings: ConsumerWarning[] = [];
    let waiter: { count: number; resolve(): void } | undefined;
    const consumer: Consumer = new Consumer({
      client,
      stream: 'feed',
      consumer: 'reader',
      pollTimeoutMs: 200,
      ...options,
      onMessages: (batch) => {
        for (const delivery of batch) {
          deliveries.push(delivery);
          options.onDelivery?.(delivery, consumer);
        }
        if (waiter && deliveries.length >= waiter.count) waiter.resolve();
      },
      onWarning: (warning) => warnings.push(warning),
    });
    running.push(consumer);
    consumer.start();
    return {
      consumer,
      deliveries,
      warnings,
      wait: (count, timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          if (deliveries.length >= count) return resolve(deliveries);
          const timer = setTimeout(() => reject(new Error(`${deliveries.length} of ${count} deliveries within ${timeoutMs} ms`)), timeoutMs);
          waiter = { count, resolve: () => (clearTimeout(timer), resolve(deliveries)) };
        }),
    };
  }

  async function stop(run: Running): Promise<void> {
    running.splice(running.indexOf(run.consumer), 1);
    await run.consumer.stop();
  }

  const append = (count: number, text = (index: number) => `m${index}`, stream = 'feed') =>
    Promise.all(range(0, count).map((index) => client.appendMessage(stream, Buffer.from(text(index)))));
  const numbers = (deliveries: Delivery[]) => deliveries.map((delivery) => delivery.sequenceNumber);

  it('names checkpoint streams validly, hashing names that would be too long', () => {
    assert.equal(checkpointStreamName('feed'), '_consumers.feed');
    const long = 'a'.repeat(250);
    const names = [checkpointStreamName(long + 'x'.repeat(5)), checkpointStreamName(long + 'y'.repeat(5))];
    for (const name of names) {
      assert.equal(name.length, 255);
      validateStreamName(name, 'name');
    }
    assert.notEqual(names[0], names[1]);
  });

  it('resumes exactly after a clean stop, with coalesced position writes', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(2000);
    const first = consume({ batchSize: 100 });
    await first.wait(2000);
    await stop(first);
    const { storageStatus } = await client.describeMessageStream(checkpointStreamName('feed'));
    assert.ok(Number(storageStatus?.newestSequenceNumber) + 1 <= 5, `a few position writes for 2000 msgs, not ${Number(storageStatus?.newestSequenceNumber) + 1}`);
    await append(10, (index) => `n${index}`);
    const second = consume();
    const resumed = await second.wait(10);
    await sleep(300);
    assert.deepEqual(numbers(second.deliveries), range(2000, 2010));
    assert.equal(Buffer.from(resumed[0].payload).toString(), 'n0');
    assert.deepEqual(second.warnings, []);
  });

  it('in manual mode commits only over a contiguous acknowledged range, and after a clean stop delivers none of the msgs acknowledged behind it again', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(6);
    const first = consume({ ackMode: 'manual' });
    await first.wait(6);
    for (const sequenceNumber of [0, 1, 3, 4, 5]) assert.equal(first.consumer.ack(sequenceNumber), true);
    assert.equal(first.consumer.ack(1), false, 'an ack is taken once');
    assert.equal(first.consumer.position, 2);
    assert.equal(first.consumer.outstandingCount, 1);
    await stop(first);
    const second = consume({ ackMode: 'manual' });
    await second.wait(1);
    await sleep(300);
    assert.deepEqual(numbers(second.deliveries), [2], 'only the msg not acknowledged comes again');
    assert.equal(second.deliveries[0].deliveryCount, 2);
    assert.equal(second.consumer.position, 2);
    second.consumer.ack(2);
    assert.equal(second.consumer.position, 6, 'the position moves over the msgs acknowledged before the stop');
    await append(1);
    await second.wait(2);
    assert.deepEqual(numbers(second.deliveries), [2, 6]);
  });

  it('redelivers after a nack and after an ack timeout, then dead-letters after the most deliveries and moves on', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(2);
    const run = consume({
      ackMode: 'manual',
      nackDelayMs: 20,
      ackTimeoutMs: 150,
      maxDeliveries: 3,
      deadLetterStream: 'feed-dead',
      onDelivery: (delivery, consumer) => {
        if (delivery.sequenceNumber === 1) consumer.ack(1);
        else if (delivery.deliveryCount < 3) consumer.nack(0, `HTTP 503 on try ${delivery.deliveryCount}`);
        // The third delivery of message 0 is left to time out.
      },
    });
    await run.wait(4);
    assert.deepEqual(
      run.deliveries.map((delivery) => [delivery.sequenceNumber, delivery.deliveryCount, delivery.redelivered]),
      [
        [0, 1, false],
        [1, 1, false],
        [0, 2, true],
        [0, 3, true],
      ],
    );
    for (let attempt = 0; attempt < 100 && run.consumer.position !== 2; attempt++) await sleep(20);
    assert.equal(run.consumer.position, 2, 'the position moves on past the dead letter');
    const [letter] = await client.readMessages('feed-dead', { minMessageCount: 1, maxMessageCount: 10 });
    const decoded = decodeDeadLetter(letter.payload);
    assert.equal(decoded.stream, 'feed');
    assert.equal(decoded.consumer, 'reader');
    assert.equal(decoded.sequenceNumber, 0);
    assert.equal(decoded.deliveryCount, 3);
    assert.equal(decoded.payload.toString(), 'm0');
    assert.match(decoded.lastError, /no ack within 150 ms/);
    assert.ok(decoded.ingestTime > 1_600_000_000_000);
    assert.deepEqual(run.warnings.map((warning) => warning.kind), ['dead-lettered']);
    assert.throws(() => decodeDeadLetter(Buffer.from('{"consumer":1}')), { code: 'Validation' });
    await run.consumer.stop();
    const listing = await listConsumers(client, 'feed');
    assert.deepEqual(
      listing.map(({ consumer, stream, nextSequenceNumber, deadLetterStream }) => ({ consumer, stream, nextSequenceNumber, deadLetterStream })),
      [{ consumer: 'reader', stream: 'feed', nextSequenceNumber: 2, deadLetterStream: 'feed-dead' }],
    );
    assert.ok(listing[0].committedAt > Date.now() - 60_000);
  });

  it('in manual mode, while paused, lets no ack time out: a pause of any length dead-letters nothing, and resume delivers the unacknowledged again first, in order', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(5);
    const ackTimeoutMs = 100;
    const maxDeliveries = 2;
    let acking = false;
    const run = consume({
      ackMode: 'manual',
      ackTimeoutMs,
      maxDeliveries,
      deadLetterStream: 'feed-dead',
      onDelivery: (delivery, consumer) => {
        if (!acking && delivery.sequenceNumber === 4) consumer.pause();
        if (acking) consumer.ack(delivery.sequenceNumber);
      },
    });
    await run.wait(5);
    await append(3, (index) => `during ${index}`);
    // Several outages, each longer than the ack timeout times the most deliveries: nothing may time out meanwhile.
    for (let outage = 0; outage < maxDeliveries + 1; outage++) {
      const before = run.deliveries.length;
      await sleep(ackTimeoutMs * maxDeliveries * 3);
      assert.equal(run.deliveries.length, before, 'nothing is delivered while paused');
      run.consumer.pause();
      run.consumer.resume();
      run.consumer.pause();
    }
    assert.deepEqual(run.warnings.map((warning) => warning.kind), [], 'nothing went to the dead-letter stream');
    acking = true;
    run.consumer.resume();
    await run.wait(5 * (maxDeliveries + 2) + 8);
    const afterPauses = run.deliveries.slice(5 * (maxDeliveries + 2));
    assert.deepEqual(numbers(afterPauses), range(0, 8), 'the unacknowledged again, in order, then the newer ones');
    assert.deepEqual(afterPauses.slice(0, 5).map((delivery) => delivery.deliveryCount), [5, 5, 5, 5, 5], 'each delivery is counted');
    for (let attempt = 0; attempt < 200 && run.consumer.position !== 8; attempt++) await sleep(20);
    assert.equal(run.consumer.position, 8);
    assert.ok(!(await client.listStreams()).includes('feed-dead'), 'no dead letter was written');
  });

  it('after a pause, an unacknowledged message still goes to the dead-letter stream once its most deliveries fail', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(1);
    const run = consume({ ackMode: 'manual', ackTimeoutMs: 100, maxDeliveries: 2, nackDelayMs: 10, deadLetterStream: 'feed-dead' });
    await run.wait(1);
    run.consumer.pause();
    run.consumer.resume();
    // The delivery cut short by the pause does not count: two more, each left to time out, and it is given up.
    await run.wait(3);
    for (let attempt = 0; attempt < 200 && run.consumer.position !== 1; attempt++) await sleep(20);
    assert.equal(run.consumer.position, 1);
    assert.deepEqual(run.deliveries.map((delivery) => delivery.deliveryCount), [1, 2, 3]);
    const [letter] = await client.readMessages('feed-dead', { minMessageCount: 1, maxMessageCount: 10 });
    assert.equal(decodeDeadLetter(letter.payload).deliveryCount, 3);
  });

  it('holds at most the most outstanding messages, and reads on as they are acknowledged', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(100);
    const run = consume({ ackMode: 'manual', maxOutstanding: 10, batchSize: 50 });
    await run.wait(10);
    await sleep(300);
    assert.equal(run.deliveries.length, 10, 'no more than 10 while none is acknowledged');
    for (const sequenceNumber of range(0, 5)) run.consumer.ack(sequenceNumber);
    await run.wait(15);
    await sleep(300);
    assert.equal(run.deliveries.length, 15);
    assert.equal(run.consumer.outstandingCount, 10);
    // Acknowledging what has arrived, round by round: never more than 10 outstanding.
    for (let acked = 5, rounds = 0; acked < 100 && rounds < 100; rounds++) {
      await run.wait(acked + 1);
      assert.ok(run.deliveries.length - acked <= 10, `at most 10 outstanding, ${run.deliveries.length - acked} were`);
      for (const delivery of run.deliveries.slice(acked)) run.consumer.ack(delivery.sequenceNumber);
      acked = run.deliveries.length;
    }
    assert.deepEqual(numbers(run.deliveries), range(0, 100));
  });

  it('reads a stream deleted and created again while it was stopped from its first message, with a warning', async () => {
    for (const refill of [3, 8]) {
      await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
      await append(5);
      const first = consume();
      await first.wait(5);
      await stop(first);
      await client.deleteMessageStream('feed');
      await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
      // With 8 messages the old position exists again: the check of the message before it finds a different one.
      await append(refill, (index) => `new ${index}`);
      const second = consume();
      await second.wait(refill);
      await sleep(300);
      assert.deepEqual(numbers(second.deliveries), range(0, refill), `refilled with ${refill}`);
      assert.deepEqual(second.warnings.map((warning) => warning.kind), ['recreated']);
      await stop(second);
      for (const name of await client.listStreams()) await client.deleteMessageStream(name);
    }
  });

  it('follows a stream deleted and created again while it runs, reading the new one from its first message', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(5);
    const run = consume({ retryDelayMs: 50 });
    await run.wait(5);
    await client.deleteMessageStream('feed');
    await sleep(400);
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(7, (index) => `new ${index}`);
    await run.wait(12);
    await sleep(300);
    assert.deepEqual(numbers(run.deliveries), [...range(0, 5), ...range(0, 7)]);
    assert.equal(Buffer.from(run.deliveries[5].payload).toString(), 'new 0');
    assert.deepEqual(run.warnings.map((warning) => [warning.kind, warning.kind === 'recreated' && warning.whileRunning]), [['recreated', true]]);
  });

  it('reports messages removed by retention before they were read, with their exact range', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.OverwriteOldestData, maxSize: 4096, streamSegmentSize: 1024 });
    await append(2, () => 'x'.repeat(1000));
    const run = consume({ start: 0 });
    await run.wait(2);
    run.consumer.pause();
    await sleep(100);
    for (let index = 0; index < 10; index++) await client.appendMessage('feed', Buffer.alloc(1000, index));
    const { storageStatus } = await client.describeMessageStream('feed');
    const oldest = Number(storageStatus?.oldestSequenceNumber);
    assert.ok(oldest > 2, 'retention removed messages the consumer had not read');
    run.consumer.resume();
    await run.wait(2 + 12 - oldest);
    assert.deepEqual(numbers(run.deliveries), [0, 1, ...range(oldest, 12)]);
    assert.deepEqual(run.deliveries[2].gap, { from: 2, to: oldest - 1, count: oldest - 2, reason: 'retention' });
    assert.equal(run.deliveries[3].gap, undefined);
    assert.deepEqual(run.warnings.map((warning) => warning.kind === 'gap' && warning.gap), [{ from: 2, to: oldest - 1, count: oldest - 2, reason: 'retention' }]);
    assert.equal(run.consumer.lostCount, oldest - 2);
  });

  it('commits a seek at once, and resumes there', async () => {
    await client.createMessageStream({ name: 'feed', strategyOnFull: StrategyOnFull.RejectNewData });
    await append(10);
    const first = consume();
    await first.wait(10);
    await first.consumer.seek(4);
    await first.wait(16);
    assert.deepEqual(numbers(first.deliveries).slice(10), range(4, 10));
    await first.consumer.seek(7);
    const [listing] = await listConsumers(client, 'feed');
    assert.equal(listing.nextSequenceNumber, 7, 'committed before the seek resolves');
  });
});
