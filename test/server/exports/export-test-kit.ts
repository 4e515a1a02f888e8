// What the export tests share: the bounded wait, a loopback HTTP destination that records what it receives and can
// refuse, a free port with nothing listening, and the recorded requests under an export folder.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ExportStatus, StreamManagerClient } from '../../../lib/client';

export { waitFor } from '../../helpers/wait';

export async function exportStatus(client: StreamManagerClient, stream: string, identifier: string): Promise<ExportStatus> {
  const statuses = (await client.describeMessageStream(stream)).exportStatuses ?? [];
  const status = statuses.find((candidate) => candidate.exportConfigIdentifier === identifier);
  if (!status) throw new Error(`stream ${stream} has no export ${identifier}`);
  return status;
}

export interface HttpSink {
  port: number;
  url: string;
  requests: { body: Buffer; contentType: string; path: string }[];
  /** Answer this status to the next requests (default 200). */
  answer: number;
  /** Wait this long before answering (default 0). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startHttpSink(port = 0): Promise<HttpSink> {
  const sink = { requests: [] as HttpSink['requests'], answer: 200, delayMs: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = sink.answer;
      if (answer >= 200 && answer < 300) sink.requests.push({ body: Buffer.concat(chunks), contentType: String(request.headers['content-type']), path: request.url ?? '' });
      setTimeout(() => response.writeHead(answer).end(), sink.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  return Object.assign(sink, {
    port: bound,
    url: `http://127.0.0.1:${bound}/ingest`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A loopback port that nothing listens on (taken, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RecordedRequest {
  streamName: string;
  exportIdentifier: string;
  kind: string;
  firstSequenceNumber: number;
  lastSequenceNumber: number;
  skipped?: { sequenceNumber: number; reason: string }[];
  request: Record<string, unknown> | null;
}

/** Every request recorded for one export, in sequence order. */
export function recordedRequests(exportDir: string, identifier: string): RecordedRequest[] {
  const folder = path.join(exportDir, 'requests');
  if (!fs.existsSync(folder)) return [];
  const files = fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  return files
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedRequest)
    .filter((document) => document.exportIdentifier === identifier)
    .sort((a, b) => a.firstSequenceNumber - b.firstSequenceNumber);
}
