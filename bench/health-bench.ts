// Item 20: what an sm admin watch over many streams costs. Each stream gets an HTTP export to an endpoint in this
// process and a few messages, all exported before the measure starts (a healthy pipeline between batches); then a
// real Node-RED (a child process, as npm start runs it) watches every stream and measures, per check, the CPU time
// of the server and its own, each less what it spends idle over the same time.
import * as http from 'node:http';
import type * as net from 'node:net';
import { ExportFormat, Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { inNodeRed } from './node-red-bench';
import type { ServerProcess } from './server-process';

interface WatchCost {
  checks: number;
  intervalSeconds: number;
  /** CPU time per check, in ms, less the idle rate of the same process over the same time. */
  serverMsPerCheck: number;
  nodeRedMsPerCheck: number;
  /** The streams the last report counted ok, of all it counted. */
  okStreams: number;
  reportedStreams: number;
}

const MESSAGES_PER_STREAM = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function watchCost(server: ServerProcess, streamCount: number, intervalSeconds: number, checks: number): Promise<WatchCost> {
  const endpoint = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end());
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${(endpoint.address() as net.AddressInfo).port}/ingest`;
  const client = new StreamManagerClient({ port: server.port });
  try {
    const names = Array.from({ length: streamCount }, (_, index) => `watched-${String(index).padStart(3, '0')}`);
    for (const name of names) {
      await client.createMessageStream({
        name,
        strategyOnFull: StrategyOnFull.OverwriteOldestData,
        persistence: Persistence.Memory,
        maxSize: 2 ** 24,
        exportDefinition: { http: [{ identifier: 'to-endpoint', uri, exportFormat: ExportFormat.JSON_BATCHED, batchSize: MESSAGES_PER_STREAM }] },
      });
      await Promise.all(Array.from({ length: MESSAGES_PER_STREAM }, (_, index) => client.appendMessage(name, Buffer.from(JSON.stringify({ reading: index })))));
    }
    // Every export has sent all its messages: the endpoint has nothing more to answer while the child runs.
    for (let attempt = 0; ; attempt++) {
      const pending: string[] = [];
      for (const name of names) {
        const status = (await client.describeMessageStream(name)).exportStatuses?.[0];
        if (Number(status?.lastExportedSequenceNumber ?? -1) < MESSAGES_PER_STREAM - 1) pending.push(name);
      }
      if (pending.length === 0) break;
      if (attempt >= 300) throw new Error(`exports not done within 30 s: ${pending.slice(0, 5).join(', ')}`);
      await sleep(100);
    }
  } finally {
    await client.close();
  }
  try {
    return inNodeRed<WatchCost>('health-watch', String(server.port), String(server.child.pid), String(intervalSeconds), String(checks));
  } finally {
    endpoint.close();
  }
}
