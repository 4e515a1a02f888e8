// What the Greengrass tests do to a component on a device: a flow that appends what is POSTed to it, the editor's
// HTTP API, the addresses a port listens on, the processes a component left behind, and what a stream holds.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import * as path from 'node:path';
import { StreamManagerClient } from '../../lib/client';

export const TOKEN = 'svcuid-7f3a9c1e5b2d4f60-greengrass-test';
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A flow that appends each POSTed body to a stream and answers with the acknowledged sequence number. */
export function appendFlow(route: string, stream: string): FlowNode[] {
  return [
    { id: 'fleet-tab', type: 'tab', label: 'fleet' },
    { id: 'fleet-sm', type: 'sm-config', name: 'nothing set on a device' },
    { id: 'fleet-in', type: 'http in', z: 'fleet-tab', url: route, method: 'post', upload: false, wires: [['fleet-out']] },
    { id: 'fleet-out', type: 'sm out', z: 'fleet-tab', server: 'fleet-sm', stream, streamType: 'str', createStream: true, persistence: 'File', wires: [['fleet-answer']] },
    { id: 'fleet-answer', type: 'function', z: 'fleet-tab', func: 'msg.payload = { sequenceNumber: msg.sequenceNumber };\nreturn msg;', outputs: 1, wires: [['fleet-response']] },
    { id: 'fleet-response', type: 'http response', z: 'fleet-tab', statusCode: '', headers: {}, wires: [] },
    { id: 'fleet-catch', type: 'catch', z: 'fleet-tab', scope: ['fleet-out'], wires: [['fleet-failed']] },
    { id: 'fleet-failed', type: 'function', z: 'fleet-tab', func: 'msg.statusCode = 503;\nmsg.payload = { error: msg.error.message };\nreturn msg;', outputs: 1, wires: [['fleet-response']] },
    { id: 'fleet-broker', type: 'mqtt-broker', name: 'a config node with credentials', broker: '127.0.0.1', port: '1' },
  ];
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function http(method: string, port: number, route: string, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path: route, method, headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' }, timeout: 10_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    sent.on('timeout', () => sent.destroy(new Error('timed out')));
    sent.on('error', reject);
    sent.end(body);
  });
}

export async function waitForEditor(port: number, timeoutMs = 30_000): Promise<{ flows: FlowNode[] }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const answer = await http('GET', port, '/flows');
      if (answer.status === 200) return JSON.parse(answer.body) as { flows: FlowNode[] };
      last = `HTTP ${answer.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Node-RED did not answer on port ${port} within ${timeoutMs} ms (${last})`);
}

/** The local addresses a port listens on, from /proc/net/tcp (hex, little-endian IPv4). */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => fields[1].split(':')[0].match(/../g)!.reverse().map((byte) => parseInt(byte, 16)).join('.'));
}

export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Processes whose command line mentions the folder (what a component left behind), with their command lines. */
export function processesUsing(folder: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    })
    .map((pid) => `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
}

export async function readStream(port: number, stream: string): Promise<{ sequenceNumber: number; payload: string }[]> {
  const client = new StreamManagerClient({ port, authToken: TOKEN });
  try {
    const messages = await client.readMessages(stream, { desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 10_000, readTimeoutMillis: 1_000 });
    return messages.map((message) => ({ sequenceNumber: Number(message.sequenceNumber), payload: Buffer.from(message.payload).toString('utf8') }));
  } finally {
    await client.close();
  }
}


/**
 * Runs `greengrass:package` for this machine's architecture with this Node.js as the bundled one, from npm's cache
 * only (the lock file's versions, which `npm ci` put there); returns what it printed.
 */
export function packageComponent(out: string, options: string[] = []): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'dist', 'greengrass', 'package-component.js'), '--out', out, '--arch', ARCH, '--node-binary', `${ARCH}=${process.execPath}`, ...options], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
