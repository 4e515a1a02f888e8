// The durable-mqtt-forwarding example in a real Node-RED (a child process with every core node) against a real MQTT
// broker: deployed while the broker is away, then through an outage longer than the ack timeout times the most
// deliveries, every reading reaches a subscriber, in order, and none goes to the dead-letter stream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { decodeDeadLetter, listConsumers, StreamManagerClient } from '../../lib/client';
import { startMqttBroker, type MqttBroker } from '../helpers/mqtt-broker';
import { startNodeRedChild, type NodeRedChild } from '../helpers/node-red-child';
import { startTestServer } from '../helpers/server';

type FlowNode = Record<string, unknown> & { id: string };

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'durable-mqtt-forwarding.json');
const STREAM = 'mqtt-forwarding-demo';
const ACK_TIMEOUT_S = 1;
const MAX_DELIVERIES = 2;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}

/** The example as shipped, pointed at the test's broker, with short ack timeouts and readings every 200 ms. */
function exampleFor(brokerPort: number): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
  const node = (id: string): FlowNode => flow.find((candidate) => candidate.id === id) as FlowNode;
  Object.assign(node('dmf-broker'), { broker: '127.0.0.1', port: String(brokerPort) });
  Object.assign(node('dmf-in'), { ackTimeout: String(ACK_TIMEOUT_S), maxDeliveries: String(MAX_DELIVERIES) });
  Object.assign(node('dmf-tick'), { repeat: '0.2' });
  return flow;
}

describe('durable-mqtt-forwarding example', () => {
  it('delivers every reading to an MQTT subscriber, in order, through a broker outage longer than the ack timeout times the most deliveries, with no dead letter', { timeout: 240_000 }, async () => {
    const server = await startTestServer();
    const client = new StreamManagerClient({ port: server.port });
    let broker: MqttBroker = await startMqttBroker();
    const brokerPort = broker.port;
    /** Sequence numbers as they arrive at the subscriber, repeats included. */
    const arrived: number[] = [];
    let subscriber: MqttClient | undefined;
    let nodeRed: NodeRedChild | undefined;
    const newest = async (): Promise<number> => Number((await client.describeMessageStream(STREAM)).storageStatus?.newestSequenceNumber ?? -1);
    const hasArrived = (count: number) => (new Set(arrived).size >= count ? true : undefined);
    try {
      // A subscriber with a persistent session: what the broker accepts while it is away is kept for it.
      subscriber = connect({ host: '127.0.0.1', port: brokerPort, clientId: 'durable-forwarding-test', clean: false, reconnectPeriod: 100 });
      subscriber.on('message', (_topic, payload) => arrived.push((JSON.parse(payload.toString()) as { sequenceNumber: number }).sequenceNumber));
      await subscriber.subscribeAsync(`stream-manager/${STREAM}`, { qos: 1 });

      // Deployed while the broker is away: the first readings find MQTT out disconnected.
      await broker.stop();
      nodeRed = await startNodeRedChild(server.port);
      await nodeRed.deploy(exampleFor(brokerPort));
      await until('three readings appended', async () => ((await newest().catch(() => -1)) >= 2 ? true : undefined));
      broker = await startMqttBroker(brokerPort, broker.persistence);
      await until('five readings at the subscriber', () => hasArrived(5));

      // The broker hangs (readings published, no PUBACK), then goes away: an outage longer than the ack timeout times
      // the most deliveries, with readings awaiting their ack all through it, and new ones appended.
      broker.holdPublishes();
      const hanging = broker;
      await until('two publishes held unanswered', () => (hanging.heldPublishes >= 2 ? true : undefined));
      const outageStarted = Date.now();
      await broker.stop();
      const beforeOutage = await newest();
      const outageMs = ACK_TIMEOUT_S * 1000 * MAX_DELIVERIES * 2;
      await until('readings appended all through the outage', async () => (Date.now() - outageStarted > outageMs && (await newest()) >= beforeOutage + 10 ? true : undefined));
      broker = await startMqttBroker(brokerPort, broker.persistence);

      const last = (await newest()) + 5;
      await until(`every reading up to ${last} at the subscriber`, () => hasArrived(last + 1), 120_000);
      const firstArrivals = arrived.filter((sequenceNumber, index) => arrived.indexOf(sequenceNumber) === index);
      assert.deepEqual(
        firstArrivals.slice(0, last + 1),
        Array.from({ length: last + 1 }, (_, index) => index),
        'every reading arrived, each first in order (a repeat of one already there may follow an outage)',
      );
      const deadLetters = (await client.listStreams()).includes(`${STREAM}-dead`) ? await client.readMessages(`${STREAM}-dead`, { maxMessageCount: 100 }) : [];
      assert.deepEqual(deadLetters.map((message) => decodeDeadLetter(message.payload).sequenceNumber), [], 'no reading went to the dead-letter stream');
      const position = await until('the position committed past the readings', async () => {
        const listing = (await listConsumers(client, STREAM)).find((found) => found.consumer === 'mqtt-forwarder');
        return listing && listing.nextSequenceNumber > last ? listing.nextSequenceNumber : undefined;
      });
      assert.ok(position > last);
    } finally {
      await nodeRed?.stop();
      await subscriber?.endAsync(true);
      await broker.stop();
      await client.close();
      await server.close();
    }
  });
});
