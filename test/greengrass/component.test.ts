// The component as a Greengrass nucleus runs it: packaged by `greengrass:package` with the npm registry out of
// reach, unpacked like Java's ZipFile, started by the simulated nucleus next to a real sm-server with client
// authentication on, and driven through a configuration change, a kill -9, a stop and a Run that keeps failing.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as yaml from 'js-yaml';
import { freePort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/server';
import { ARCH, appendFlow, filesUnder, http, listeningAddresses, packageComponent, processesUsing, readStream, TOKEN, waitForEditor } from './device-kit';
import { processTree, SimulatedNucleus, type Recipe } from './simulated-nucleus';

const STREAM = 'fleet-readings';

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
    packageComponent(out, ['--bucket', 'fleet-artifacts', '--prefix', 'node-red']);
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
