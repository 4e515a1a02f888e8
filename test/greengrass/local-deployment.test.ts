// One device before the fleet: `greengrass:package` without --bucket writes the layout greengrass-cli takes for a local
// deployment, and the simulated nucleus deploys it from there: recipe and artifacts from the folders, configuration
// from --update-config documents (MERGE and RESET), then a second build's new version replacing the first.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as yaml from 'js-yaml';
import { checkRecipe } from '../../greengrass/recipe-format';
import { freePort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/server';
import { appendFlow, http, packageComponent, processesUsing, readStream, ROOT, TOKEN, waitForEditor } from './device-kit';
import { LocalDeployments } from './local-deployment';
import type { Recipe } from './simulated-nucleus';

const NAME = 'NodeRedStreamManager';
const STREAM = 'one-device-readings';
const PACKAGED_FLOW_IDS = (JSON.parse(readFileSync(path.join(ROOT, 'greengrass', 'flows.json'), 'utf8')) as { id: string }[]).map((node) => node.id).sort();

describe('Greengrass local deployment of the component on one device', { timeout: 600_000 }, () => {
  let work: string;
  let build: string;
  let printed: string;
  let server: TestServer;
  let device: LocalDeployments;
  let editorPort: number;
  const recipeDir = () => path.join(build, 'recipes');
  const artifactDir = () => path.join(build, 'artifacts');

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'greengrass-local-'));
    build = path.join(work, 'build');
    printed = packageComponent(build);
    packageComponent(build, ['--version', '0.2.0']);
    server = await startTestServer({ authToken: TOKEN });
    device = new LocalDeployments({
      root: path.join(work, 'greengrass'),
      thingName: 'test-gateway',
      region: 'eu-west-1',
      token: TOKEN,
      dependencyConfiguration: { 'aws.greengrass.StreamManager': { STREAM_MANAGER_SERVER_PORT: String(server.port) } },
      deadPort: await freePort(),
    });
    editorPort = await freePort();
  });

  after(async () => {
    await device?.stopAll();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('builds without a bucket: recipes/ and artifacts/<name>/<version>/, a well-formed recipe, and the commands to deploy it', () => {
    assert.deepEqual(readdirSync(recipeDir()).sort(), [`${NAME}-0.1.0.yaml`, `${NAME}-0.2.0.yaml`]);
    assert.deepEqual(readdirSync(path.join(artifactDir(), NAME)).sort(), ['0.1.0', '0.2.0']);
    const recipe = yaml.load(readFileSync(path.join(recipeDir(), `${NAME}-0.1.0.yaml`), 'utf8')) as Recipe;
    assert.deepEqual(checkRecipe(recipe), []);
    for (const manifest of recipe.Manifests) {
      for (const artifact of manifest.Artifacts ?? []) {
        assert.match(artifact.Uri, new RegExp(`^s3://BUCKET_NAME/${NAME}/0\\.1\\.0/[\\w.-]+\\.zip$`));
        assert.ok(readdirSync(path.join(artifactDir(), NAME, '0.1.0')).includes(path.basename(artifact.Uri)), `${artifact.Uri} is in the artifacts folder`);
      }
    }
    assert.match(printed, new RegExp(`greengrass-cli deployment create --recipeDir \\S+/recipes --artifactDir \\S+/artifacts --merge "${NAME}=0\\.1\\.0"`));
    assert.doesNotMatch(printed, /aws s3 cp/, 'no upload commands without a bucket');
  });

  it('refuses --prefix without --bucket, naming both, before building anything', () => {
    const refused = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'greengrass', 'package-component.js'), '--out', path.join(work, 'refused'), '--prefix', 'components'], { encoding: 'utf8' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--prefix goes with --bucket/);
    assert.equal(existsSync(path.join(work, 'refused')), false);
  });

  it('deploys from the folders with its configuration merged from --update-config, and a flow appends to Stream Manager', async () => {
    await device.create({
      recipeDir: recipeDir(),
      artifactDir: artifactDir(),
      merge: [`${NAME}=0.1.0`],
      updateConfig: { [NAME]: { MERGE: { editor: { port: editorPort }, flows: appendFlow('/append', STREAM), logLevel: 'debug' } } },
    });
    const component = device.running(NAME)!;
    await component.waitForState('RUNNING', 60_000);
    const { flows } = await waitForEditor(editorPort);
    assert.deepEqual(flows.map((node) => node.id).sort(), appendFlow('/append', STREAM).map((node) => node.id).sort());
    const answer = await http('POST', editorPort, '/append', '{"version":"0.1.0"}');
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(await readStream(server.port, STREAM), [{ sequenceNumber: 0, payload: '{"version":"0.1.0"}' }]);
    assert.equal(component.currentConfiguration.logLevel, 'debug');
  });

  it('RESET puts a key back to its default (the packaged flows) while MERGE changes another, and restarts the component', async () => {
    const component = device.running(NAME)!;
    const before = component.states.length;
    await device.create({ recipeDir: recipeDir(), artifactDir: artifactDir(), merge: [`${NAME}=0.1.0`], updateConfig: { [NAME]: { RESET: ['/flows', '/logLevel'], MERGE: { nodeRed: { contextStorage: 'memory' } } } } });
    assert.equal(device.running(NAME), component, 'the same version stays deployed');
    await component.waitForState('RUNNING', 60_000, before);
    const { flows } = await waitForEditor(editorPort);
    assert.deepEqual(flows.map((node) => node.id).sort(), PACKAGED_FLOW_IDS);
    const configuration = component.currentConfiguration;
    assert.deepEqual(configuration.flows, []);
    assert.equal(configuration.logLevel, 'info');
    assert.deepEqual(configuration.nodeRed, { contextStorage: 'memory', paletteInstall: false });
    assert.deepEqual(configuration.editor, { enabled: true, host: '127.0.0.1', port: editorPort, adminAuth: {} }, 'what was not reset keeps its value');
  });

  it('a second local deployment of a new version stops the first and runs the new one with the configuration it had', async () => {
    const first = device.running(NAME)!;
    await device.create({ recipeDir: recipeDir(), artifactDir: artifactDir(), merge: [`${NAME}=0.2.0`], updateConfig: { [NAME]: { MERGE: { flows: appendFlow('/append-v2', STREAM) } } } });
    assert.equal(first.state, 'FINISHED');
    assert.deepEqual(processesUsing(first.decompressedPath), [], 'nothing of 0.1.0 runs');
    const second = device.running(NAME)!;
    assert.equal(second.version, '0.2.0');
    await second.waitForState('RUNNING', 60_000);
    await waitForEditor(editorPort);
    assert.ok(processesUsing(second.decompressedPath).length > 0, 'Node-RED runs from the 0.2.0 artifacts');
    assert.equal(second.currentConfiguration.nodeRed && (second.currentConfiguration.nodeRed as { contextStorage: string }).contextStorage, 'memory', 'configuration carried over');
    const answer = await http('POST', editorPort, '/append-v2', '{"version":"0.2.0"}');
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual((await readStream(server.port, STREAM)).map((message) => message.payload), ['{"version":"0.1.0"}', '{"version":"0.2.0"}']);
    assert.deepEqual(device.history, [
      { name: NAME, version: '0.1.0' },
      { name: NAME, version: '0.2.0' },
    ]);
  });

  it('--remove stops the component and leaves nothing running', async () => {
    const component = device.running(NAME)!;
    await device.create({ recipeDir: recipeDir(), artifactDir: artifactDir(), remove: [NAME] });
    assert.equal(component.state, 'FINISHED');
    assert.equal(device.running(NAME), undefined);
    assert.deepEqual(processesUsing(component.decompressedPath), []);
    await assert.rejects(http('GET', editorPort, '/flows'), /ECONNREFUSED/);
  });
});
