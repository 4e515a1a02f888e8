// A real MQTT broker (aedes) on a loopback port, for tests of flows that publish over MQTT. Stopping it closes every
// connection and the port; starting it again on the same port with the same persistence is a broker restart that
// keeps its sessions (subscriptions and QoS 1 messages queued for subscribers that are away), as a broker with
// persistent sessions does.
import { createBroker } from 'aedes';
import memoryPersistence from 'aedes-persistence';
import * as net from 'node:net';

export type BrokerPersistence = ReturnType<typeof memoryPersistence>;

export interface MqttBroker {
  port: number;
  persistence: BrokerPersistence;
  /** From now on publishes get no answer (no PUBACK), as from a broker that hangs before it goes away. */
  holdPublishes(): void;
  /** Publishes held unanswered so far. */
  readonly heldPublishes: number;
  /** Closes every connection and the port; the persistence stays for a restart. */
  stop(): Promise<void>;
}

export async function startMqttBroker(port = 0, persistence: BrokerPersistence = memoryPersistence()): Promise<MqttBroker> {
  let holding = false;
  let held = 0;
  const broker = createBroker({
    persistence,
    authorizePublish: (_client, _packet, callback) => {
      if (!holding) return callback(null);
      held += 1;
    },
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    persistence,
    holdPublishes: () => {
      holding = true;
    },
    get heldPublishes() {
      return held;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
