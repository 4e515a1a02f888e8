// The doors: the server refuses clients without the right token and listens on loopback unless told otherwise,
// stream names stay inside the store, and in a real Node-RED with adminAuth the token shows up in no exported flow,
// log line or node status, and the editor's stream list needs the editor's permission.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StreamManagerClient, StrategyOnFull, Persistence } from '../lib/client';
import { CONNECT_VERSION, PROTOCOL_VERSION } from '../lib/protocol/enums';
import { encodeFrame } from '../lib/protocol/frame';
import { Operation } from '../lib/protocol/operation';
import { ResponseStatusCode } from '../lib/protocol/status';
import { openRaw } from '../test/helpers/raw-connection';
import { waitUntil } from '../test/helpers/wait';
import { kill, spawnServer, type ServerChild } from './server-child';

const TOKEN = 'gg-secret-7c1e9d0b';
const WRONG_TOKEN = 'gg-wrong-52aa31f4';
const NODE_RED = process.env.NODE_RED_PATH ? require.resolve(process.env.NODE_RED_PATH) : require.resolve('node-red');
// Node-RED's own WebSocket client package: the editor's live connection is where users see node statuses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require(require.resolve('ws', { paths: [NODE_RED] })) as new (url: string) => NodeJS.EventEmitter & { send(text: string): void; close(): void };
const SECURED_NODE_RED = path.join(__dirname, 'secured-node-red.js');

const USERS = [
  { username: 'admin', password: 'admin-password', permissions: '*' },
  { username: 'flow-reader', password: 'reader-password', permissions: ['flows.read'] },
];

describe('security', () => {
  let storeDir: string;
  let server: ServerChild;

  before(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), 'sm-security-'));
    const tokenFile = path.join(storeDir, '..', `${path.basename(storeDir)}.token`);
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    server = await spawnServer(storeDir, { extraArgs: ['--auth-token-file', tokenFile] });
    await rm(tokenFile);
  });
  after(async () => {
    await kill(server, 'SIGTERM');
    await rm(storeDir, { recursive: true, force: true });
  });

  it('refuses a wrong or missing token with Unauthorized and serves the right one', async () => {
    for (const authToken of [WRONG_TOKEN, undefined]) {
      const client = new StreamManagerClient({ port: server.port, authToken, connectTimeoutMs: 2_000 });
      const error = (await client.listStreams().catch((caught: unknown) => caught)) as { code?: string };
      assert.equal(error.code, 'Unauthorized', `token ${authToken ?? '(none)'}`);
      await client.close();
    }
    const client = new StreamManagerClient({ port: server.port, authToken: TOKEN });
    assert.ok(Array.isArray(await client.listStreams()));
    await client.close();
  });

  it('listens on the loopback address unless told otherwise, and takes the token from a file, out of the process list', async () => {
    assert.match(server.output(), /listening on 127\.0\.0\.1:\d+/);
    const commandLine = await readFile(`/proc/${server.child.pid}/cmdline`, 'utf8');
    assert.ok(commandLine.includes('--auth-token-file') && !commandLine.includes(TOKEN), commandLine);
  });

  it('keeps every stream, whatever its name, in a hashed folder inside the store, and refuses names with path separators', async () => {
    const client = new StreamManagerClient({ port: server.port, authToken: TOKEN });
    try {
      for (const name of ['.', '..', '...', 'CON', 'etc passwd']) {
        await client.createMessageStream({ name, persistence: Persistence.File, strategyOnFull: StrategyOnFull.RejectNewData });
        await client.appendMessage(name, Buffer.from(name));
      }
      const raw = await openRaw(server.port, { handshake: false });
      raw.send(Buffer.of(CONNECT_VERSION));
      raw.send(encodeFrame(Operation.Connect, { requestId: 'hello', protocolVersion: PROTOCOL_VERSION, authToken: TOKEN }));
      for (const name of ['../escape', '/tmp/escape', 'a/../../escape', 'back\\slash']) {
        raw.send(encodeFrame(Operation.CreateMessageStream, { requestId: name, definition: { name, strategyOnFull: 0, persistence: 0 } }));
      }
      const answers = [];
      for (let index = 0; index < 5; index++) answers.push(await raw.nextFrame());
      raw.close();
      const refusals = answers.filter((frame) => frame?.operation === Operation.CreateMessageStreamResponse);
      assert.equal(refusals.length, 4, JSON.stringify(answers));
      for (const frame of refusals) assert.equal(frame?.body.status, ResponseStatusCode.InvalidRequest, JSON.stringify(frame?.body));

      assert.deepEqual(await readdir(storeDir), ['streams']);
      const folders = await readdir(path.join(storeDir, 'streams'));
      assert.equal(folders.length, 5);
      for (const folder of folders) assert.match(folder, /^stream-[0-9a-f]{40}$/);
      assert.ok(!(await readdir(path.dirname(storeDir))).some((entry) => entry.includes('escape')), 'nothing was written beside the store');
    } finally {
      for (const name of await client.listStreams()) await client.deleteMessageStream(name);
      await client.close();
    }
  });

  describe('in Node-RED with adminAuth', () => {
    let userDir: string;
    let nodeRed: ChildProcess;
    let editorUrl: string;
    let nodeRedOutput = '';
    const statuses: string[] = [];
    let comms: { close(): void } | undefined;

    /** An editor session's access token, as the editor gets it at login. */
    async function login(username: string, password: string): Promise<string> {
      const { permissions } = USERS.find((user) => user.username === username) as (typeof USERS)[number];
      const response = await fetch(new URL('auth/token', editorUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: [permissions].flat().join(' '), username, password }),
      });
      assert.equal(response.status, 200, `login of ${username}`);
      return ((await response.json()) as { access_token: string }).access_token;
    }

    const get = (url: string, accessToken?: string) => fetch(new URL(url, editorUrl), { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });

    /** Every node status the editor is sent, over its own live connection. */
    async function watchStatuses(accessToken: string): Promise<void> {
      const socket = new WebSocket(new URL('comms', editorUrl).href.replace(/^http/, 'ws'));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const authenticated = new Promise<void>((resolve, reject) => {
        socket.on('message', (data: Buffer) => {
          const text = data.toString();
          if (text.includes('"status/')) statuses.push(text);
          if (text.includes('"auth":"ok"')) resolve();
          else if (text.includes('"auth"')) reject(new Error(`the editor's live connection refused the login: ${text}`));
        });
      });
      // Anything sent before the login is answered counts as an anonymous message, and closes the connection.
      socket.send(JSON.stringify({ auth: accessToken }));
      await authenticated;
      socket.send(JSON.stringify({ subscribe: 'status/#' }));
      comms = socket;
    }

    before(async () => {
      userDir = await mkdtemp(path.join(tmpdir(), 'sm-security-red-'));
      nodeRed = spawn(process.execPath, [SECURED_NODE_RED, userDir, String(server.port), JSON.stringify(USERS)], { stdio: ['ignore', 'pipe', 'pipe'] });
      nodeRed.stdout?.on('data', (chunk: Buffer) => (nodeRedOutput += chunk.toString()));
      nodeRed.stderr?.on('data', (chunk: Buffer) => (nodeRedOutput += chunk.toString()));
      await waitUntil(() => /editor (\S+)/.test(nodeRedOutput) || nodeRed.exitCode !== null, 'Node-RED started', 30_000, 50);
      editorUrl = (/editor (\S+)/.exec(nodeRedOutput) ?? assert.fail(`Node-RED did not start:\n${nodeRedOutput}`))[1];
    });
    after(async () => {
      comms?.close();
      const exited = new Promise((resolve) => nodeRed.once('exit', resolve));
      if (nodeRed.exitCode === null) nodeRed.kill('SIGTERM');
      await exited;
      await rm(userDir, { recursive: true, force: true });
    });

    it('keeps the token out of exported flows, the flow file, logs and statuses', { timeout: 60_000 }, async () => {
      const admin = await login('admin', 'admin-password');
      await watchStatuses(admin);
      const flows = [
        { id: 'security-tab', type: 'tab', label: 'security' },
        { id: 'good-config', type: 'sm-config', host: '127.0.0.1', port: String(server.port), credentials: { authToken: TOKEN } },
        { id: 'bad-config', type: 'sm-config', host: '127.0.0.1', port: String(server.port), credentials: { authToken: WRONG_TOKEN } },
        { id: 'tick', type: 'inject', z: 'security-tab', once: true, onceDelay: 0.1, repeat: '', payload: 'reading', payloadType: 'str', wires: [['good-out', 'bad-out']] },
        { id: 'good-out', type: 'sm out', z: 'security-tab', server: 'good-config', stream: 'secured', createStream: true, persistence: 'Memory', wires: [[]] },
        { id: 'bad-out', type: 'sm out', z: 'security-tab', server: 'bad-config', stream: 'secured', maxQueued: '0', wires: [[]] },
      ];
      const deployed = await fetch(new URL('flows', editorUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flows),
      });
      assert.ok(deployed.ok, `deploy: ${deployed.status} ${await deployed.text()}`);

      const client = new StreamManagerClient({ port: server.port, authToken: TOKEN });
      try {
        await waitUntil(
          async () => client.describeMessageStream('secured').then((info) => Number(info.storageStatus?.newestSequenceNumber) >= 0, () => false),
          'the good config node stored the injected reading',
          15_000,
          50,
        );
      } finally {
        await client.close();
      }
      await waitUntil(() => statuses.some((status) => status.includes('token refused by 127.0.0.1:')), 'the bad config node showed that its token was refused', 15_000, 50);
      await waitUntil(() => /\[error\] \[sm out:bad-out\]/.test(nodeRedOutput), 'the refused msg was logged as an error', 15_000, 50);

      const exported = await (await get('flows', admin)).text();
      assert.ok(exported.includes('good-config'), 'the flows were exported');
      const credentials = await (await get('credentials/sm-config/good-config', admin)).json();
      assert.deepEqual(credentials, { has_authToken: true }, 'the editor only learns that a token is set');
      const files = await Promise.all(['flows.json', 'flows_cred.json'].map((file) => readFile(path.join(userDir, file), 'utf8')));
      const places = { 'exported flows': exported, 'flow files': files.join('\n'), 'Node-RED log': nodeRedOutput, statuses: statuses.join('\n'), 'sm-server output': server.output() };
      for (const [place, text] of Object.entries(places)) {
        for (const secret of [TOKEN, WRONG_TOKEN]) assert.ok(!text.includes(secret), `a token appears in the ${place}`);
      }
    });

    it("serves the editor's stream list only to a user with the greengrass-stream-manager.read permission (a user with only flows.read is refused)", async () => {
      const withoutLogin = await get('greengrass-stream-manager/good-config/streams');
      assert.equal(withoutLogin.status, 401);
      const flowReader = await get('greengrass-stream-manager/good-config/streams', await login('flow-reader', 'reader-password'));
      assert.equal(flowReader.status, 401);
      const admin = await get('greengrass-stream-manager/good-config/streams', await login('admin', 'admin-password'));
      assert.equal(admin.status, 200);
      assert.deepEqual(await admin.json(), { streams: ['secured'] });
    });
  });
});
