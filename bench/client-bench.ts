// Items 1, 2 and the first half of 6: our client against the official one, on the same server process.
import { Persistence, StrategyOnFull, StreamManagerClient } from '../lib/client';
import { median, percentile, rate, withConcurrency } from './measure';
import { OfficialClient } from './official-client';
import type { ServerProcess } from './server-process';

interface Comparison {
  ours: number;
  official: number;
}

const PAYLOAD = Buffer.alloc(1024, 'x');

/**
 * Appends per second with `inFlight` appends under way, alternating ours and official, median of `runs`, after
 * one unmeasured run of each (the first run of either is mostly the JIT compiler at work).
 */
export async function appendRates(server: ServerProcess, inFlight: number, appends: number, runs: number): Promise<Comparison> {
  const ours = new StreamManagerClient({ port: server.port });
  const official = await OfficialClient.connect(server.port);
  const stream = `append-${inFlight}`;
  await ours.createMessageStream({ name: stream, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory });
  const results: Comparison[] = [];
  try {
    for (let run = -1; run < runs; run++) {
      const oursRate = await rate(appends, () => withConcurrency(appends, inFlight, () => ours.appendMessage(stream, PAYLOAD)));
      const officialRate = await rate(appends, () => withConcurrency(appends, inFlight, () => official.append(stream, PAYLOAD)));
      if (run >= 0) results.push({ ours: oursRate, official: officialRate });
    }
  } finally {
    await ours.close();
    official.close();
  }
  return { ours: median(results.map((result) => result.ours)), official: median(results.map((result) => result.official)) };
}

/** Messages read per second in batches of `batch`, alternating, median of `runs`, after one unmeasured run of each. */
export async function readRates(server: ServerProcess, messages: number, batch: number, runs: number): Promise<Comparison> {
  const ours = new StreamManagerClient({ port: server.port });
  const official = await OfficialClient.connect(server.port);
  const stream = 'reads';
  await ours.createMessageStream({ name: stream, strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory, maxSize: 2 ** 31, streamSegmentSize: 2 ** 24 });
  await withConcurrency(messages, 64, () => ours.appendMessage(stream, PAYLOAD));
  const batches = Math.floor(messages / batch);
  const results: Comparison[] = [];
  try {
    for (let run = -1; run < runs; run++) {
      const oursRate = await rate(batches * batch, async () => {
        for (let index = 0; index < batches; index++) await ours.readMessages(stream, { desiredStartSequenceNumber: index * batch, minMessageCount: batch, maxMessageCount: batch });
      });
      const officialRate = await rate(batches * batch, async () => {
        for (let index = 0; index < batches; index++) await official.read(stream, index * batch, batch);
      });
      if (run >= 0) results.push({ ours: oursRate, official: officialRate });
    }
  } finally {
    await ours.close();
    official.close();
  }
  return { ours: median(results.map((result) => result.ours)), official: median(results.map((result) => result.official)) };
}

/** p50 and p99 of one append at a time, in milliseconds. */
export async function appendLatency(server: ServerProcess, samples: number): Promise<{ p50: number; p99: number }> {
  const client = new StreamManagerClient({ port: server.port });
  await client.createMessageStream({ name: 'latency', strategyOnFull: StrategyOnFull.OverwriteOldestData, persistence: Persistence.Memory });
  const times: number[] = [];
  try {
    for (let index = 0; index < samples; index++) {
      const start = process.hrtime.bigint();
      await client.appendMessage('latency', PAYLOAD);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    await client.close();
  }
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}
