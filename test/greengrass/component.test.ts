// The component as a Greengrass nucleus runs it: packaged by `greengrass:package` with the npm registry out of
// reach, unpacked like Java's ZipFile, started by the simulated nucleus next to a real sm-server with client
// authentication on, and driven through a configuration change, a kill -9, a stop and a Run that keeps failing.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as yaml from 'js-yaml';
import { StreamManagerClient } from '../../lib/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { processTree, SimulatedNucleus, type Recipe } from './simulated-nucleus';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TOKEN = 'svcuid-7f3a9c1e5b2d4f60-greengrass-test';
const STREAM = 'fleet-readings';
const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A flow that appends each POSTed body to a stream and answers with the acknowledged sequence number. */
function appendFlow(route: string, stream: string): FlowNode[] {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface HttpAnswer {
  status: number;
  body: string;
}

function http(method: string, port: number, route: string, body?: string): Promise<HttpAnswer> {
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

async function waitForEditor(port: number, timeoutMs = 30_000): Promise<{ flows: FlowNode[] }> {
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
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => fields[1].split(':')[0].match(/../g)!.reverse().map((byte) => parseInt(byte, 16)).join('.'));
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}

/** Processes whose command line mentions the folder (what a component left behind), with their command lines. */
function processesUsing(folder: string): string[] {
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

async function readStream(port: number, stream: string): Promise<{ sequenceNumber: number; payload: string }[]> {
  const client = new StreamManagerClient({ port, authToken: TOKEN });
  try {
    const messages = await client.readMessages(stream, { desiredStartSequenceNumber: 0, minMessageCount: 1, maxMessageCount: 10_000, readTimeoutMillis: 1_000 });
    return messages.map((message) => ({ sequenceNumber: Number(message.sequenceNumber), payload: Buffer.from(message.payload).toString('utf8') }));
  } finally {
    await client.close();
  }
}

describe('Greengrass component under a simulated nucleus', { timeout: 600_000 }, () => {
  let work: string;
  let out: string;
  let recipe: Recipe;
  let server: TestServer;
  let deadPort: number;
  const nuclei: SimulatedNucleus[] = [];

  const nucleus = (name: string): SimulatedNucleus => {
    const created = new SimulatedNucleus({
      recipe,
      artifactSource: path.join(out, 'artifacts', recipe.ComponentName, recipe.ComponentVersion),
      root: path.join(work, name),
      thingName: `gateway-${name}`,
      region: 'eu-central-1',
      token: TOKEN,
      dependencyConfiguration: { 'aws.greengrass.StreamManager': { STREAM_MANAGER_SERVER_PORT: String(server.port) } },
      deadPort,
    });
    nuclei.push(created);
    return created;
  };

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'greengrass-component-'));
    out = path.join(work, 'out');
    deadPort = await freePort();
    // The packager installs from npm's cache only (the lock file's versions, which `npm install` put there).
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'dist', 'greengrass', 'package-component.js'), '--out', out, '--bucket', 'fleet-artifacts', '--prefix', 'node-red', '--arch', ARCH, '--node-binary', `${ARCH}=${process.execPath}`],
      { cwd: ROOT, env: { ...process.env, npm_config_offline: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const recipes = readdirSync(path.join(out, 'recipes'));
    recipe = yaml.load(readFileSync(path.join(out, 'recipes', recipes[0]), 'utf8')) as Recipe;
    server = await startTestServer({ authToken: TOKEN });
  });

  after(async () => {
    for (const running of nuclei) await running.stop().catch(() => undefined);
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  let first: SimulatedNucleus;
  let editorPort: number;

  it('unpacks without links or execute bits, except the Node.js the recipe gives Execute', async () => {
    editorPort = await freePort();
    const device = (first = nucleus('first'));
    device.deploy({
      editor: { port: editorPort, host: '0.0.0.0' },
      flows: appendFlow('/append', STREAM),
      credentials: { 'fleet-broker': { user: 'fleet', password: 'broker-password-never-shown' } },
    });
    const app = path.join(device.decompressedPath, 'node-red-app');
    const appFiles = filesUnder(app);
    assert.ok(appFiles.length > 1000, `${appFiles.length} files in the app artifact`);
    assert.ok(!appFiles.some((file) => file.includes(`${path.sep}.bin${path.sep}`)), 'no node_modules/.bin');
    assert.ok(appFiles.every((file) => (statSync(file).mode & 0o111) === 0), 'no file of the app is executable');
    assert.ok(!appFiles.some((file) => file.includes(`${path.sep}playwright-core${path.sep}`)), 'no dev dependency');
    assert.equal(statSync(path.join(device.decompressedPath, `node-linux-${ARCH}`, 'bin', 'node')).mode & 0o111, 0o111);
  });

  it('installs with no registry, starts Node-RED with the configured flows on loopback, and a flow appends to Stream Manager', async () => {
    const device = first;
    device.start();
    await device.waitForState('RUNNING', 60_000);
    const { flows } = await waitForEditor(editorPort);
    assert.deepEqual(flows.map((node) => node.id).sort(), appendFlow('/append', STREAM).map((node) => node.id).sort());
    assert.deepEqual(listeningAddresses(editorPort), ['127.0.0.1'], 'a host without editor users is not used');
    assert.match(device.log(), /editor\.host 0\.0\.0\.0 is not used because editor\.adminAuth has no users/);

    const sequenceNumbers: number[] = [];
    for (let index = 0; index < 5; index++) {
      const answer = await http('POST', editorPort, '/append', JSON.stringify({ reading: index }));
      assert.equal(answer.status, 200, answer.body);
      sequenceNumbers.push((JSON.parse(answer.body) as { sequenceNumber: number }).sequenceNumber);
    }
    const stored = await readStream(server.port, STREAM);
    assert.deepEqual(stored.slice(-5), sequenceNumbers.map((sequenceNumber, index) => ({ sequenceNumber, payload: JSON.stringify({ reading: index }) })));

    const credentials = await http('GET', editorPort, '/credentials/mqtt-broker/fleet-broker');
    assert.deepEqual(JSON.parse(credentials.body), { user: 'fleet', has_password: true }, 'the credentials reached Node-RED');
    const seen = [device.log(), (await http('GET', editorPort, '/flows')).body, (await http('GET', editorPort, '/settings')).body];
    for (const file of filesUnder(device.workPath)) seen.push(readFileSync(file, 'utf8'));
    for (const text of seen) {
      assert.ok(!text.includes(TOKEN), 'the Stream Manager token appears in no flow, file, log or editor answer');
      assert.ok(!text.includes('broker-password-never-shown'), 'nor does a flow credential');
    }
    assert.equal(device.states.filter((entry) => entry.state === 'NEW').length, 1);

    // A deployment merging new flows and a new port: the nucleus restarts the component, which takes both.
    const nextPort = await freePort();
    const outcome = await device.updateConfiguration({ editor: { port: nextPort }, flows: appendFlow('/append-v2', `${STREAM}-v2`) });
    assert.equal(outcome, 'restarted');
    await waitForEditor(nextPort);
    await assert.rejects(http('GET', editorPort, '/flows'), /ECONNREFUSED/);
    const answer = await http('POST', nextPort, '/append-v2', '{"note":"after the update"}');
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(await readStream(server.port, `${STREAM}-v2`), [{ sequenceNumber: 0, payload: '{"note":"after the update"}' }]);

    // Stopping: Shutdown, then SIGTERM; everything is gone well within the Shutdown timeout, nothing was killed.
    const runPid = device.runPid!;
    const started = Date.now();
    await device.stop();
    const elapsed = Date.now() - started;
    const shutdownTimeout = (recipe.Manifests[0].Lifecycle.shutdown as { Timeout: number }).Timeout;
    assert.ok(elapsed < shutdownTimeout * 1000, `stopped in ${elapsed} ms`);
    assert.deepEqual(processTree(runPid), []);
    assert.deepEqual(processesUsing(device.decompressedPath), []);
    assert.doesNotMatch(device.log(), /did not respond to interruption/);
    assert.match(device.log(), /stop: Node-RED stopped/);

    // The nucleus starting again runs Install again, and the flows on the device are the deployed ones.
    device.start();
    await device.waitForState('RUNNING', 60_000, device.states.length);
    await waitForEditor(nextPort);
    assert.equal(device.states.filter((entry) => entry.state === 'NEW').length, 2);
    await device.stop();
  });

  it('restarts a Run killed with SIGKILL and loses no acknowledged message', async () => {
    const editorPort = await freePort();
    const device = nucleus('killed');
    device.deploy({ editor: { port: editorPort }, flows: appendFlow('/append', `${STREAM}-kill`) });
    device.start();
    await device.waitForState('RUNNING', 60_000);
    await waitForEditor(editorPort);
    const acknowledged = new Map<number, string>();
    let killedAt = -1;
    for (let index = 0; index < 60; index++) {
      if (index === 20) {
        killedAt = device.states.length;
        process.kill(device.runPid!, 'SIGKILL');
      }
      const payload = JSON.stringify({ index });
      try {
        const answer = await http('POST', editorPort, '/append', payload);
        if (answer.status === 200) acknowledged.set((JSON.parse(answer.body) as { sequenceNumber: number }).sequenceNumber, payload);
      } catch {
        await device.waitForState('RUNNING', 60_000, killedAt);
        await waitForEditor(editorPort);
      }
    }
    const states = device.states.slice(killedAt).map((entry) => entry.state);
    assert.deepEqual(states, ['ERRORED', 'STOPPING', 'INSTALLED', 'RUNNING']);
    assert.ok(acknowledged.size >= 40, `${acknowledged.size} of 60 acknowledged`);
    const stored = new Map((await readStream(server.port, `${STREAM}-kill`)).map((message) => [message.sequenceNumber, message.payload]));
    for (const [sequenceNumber, payload] of acknowledged) assert.equal(stored.get(sequenceNumber), payload, `acknowledged message ${sequenceNumber}`);
    await device.stop();
  });

  it('goes BROKEN after a Run fails three times in a row, leaving nothing running', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const device = nucleus('broken');
      device.deploy({ editor: { port: (taken.address() as { port: number }).port } });
      device.start();
      await device.waitForState('BROKEN', 90_000);
      await device.settled();
      const states = device.states.map((entry) => entry.state);
      assert.deepEqual(states, ['NEW', 'INSTALLED', 'RUNNING', 'ERRORED', 'STOPPING', 'INSTALLED', 'RUNNING', 'ERRORED', 'STOPPING', 'INSTALLED', 'RUNNING', 'ERRORED', 'BROKEN']);
      assert.match(device.log(), /cannot listen on 127\.0\.0\.1:\d+ \(listen EADDRINUSE/);
      assert.deepEqual(processesUsing(device.decompressedPath), []);
    } finally {
      taken.close();
    }
  });
});
