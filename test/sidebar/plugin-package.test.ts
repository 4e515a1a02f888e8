// The packed tarball in a stock Node-RED: the sidebar plugin is listed and loaded without an error, its editor half
// and its message catalogs (in every language, with the same keys) are served, and so are its resources.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEnvironment, type StartedEnvironment } from '../../scripts/start';
import { baseKeys, missingPluralForms } from '../helpers/catalog-keys';

const ROOT = path.join(__dirname, '..', '..', '..');
const PACKAGE = 'node-red-contrib-greengrass-stream-manager';
const PLUGIN_ID = `${PACKAGE}/stream-manager-sidebar`;
const LANGUAGES = ['en-US', 'de', 'ja', 'zh-CN'];

function catalog(language: string): Record<string, Record<string, string>> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'plugins', 'locales', language, 'stream-manager-sidebar.json'), 'utf8')) as Record<string, Record<string, string>>;
}

describe('the sidebar plugin from the packed tarball in a stock Node-RED', { timeout: 120_000 }, () => {
  let workDir: string;
  let environment: StartedEnvironment;
  let packed: string[];

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'sm-sidebar-package-'));
    const answer = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [{ filename, files }] = JSON.parse(answer) as { filename: string; files: { path: string }[] }[];
    packed = files.map((file) => file.path);
    const userDir = path.join(workDir, 'user');
    const installed = path.join(userDir, 'node_modules', PACKAGE);
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(workDir, path.basename(filename)), '-C', installed, '--strip-components=1']);
    // The runtime dependencies, as npm would have installed them beside the package.
    const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(dependencies)) {
      fs.symlinkSync(path.join(ROOT, 'node_modules', dependency), path.join(userDir, 'node_modules', dependency), 'dir');
    }
    environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: 0, quiet: true, log: () => undefined });
  });

  after(async () => {
    await environment?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const get = (url: string, accept = 'application/json') => fetch(new URL(url, environment.editorUrl), { headers: { accept } });

  it('packs the plugin, its catalogs and the editor resources', () => {
    for (const file of ['dist/plugins/stream-manager-sidebar.js', 'dist/plugins/stream-manager-sidebar.html', 'resources/sidebar/tab.js', 'resources/sidebar/sidebar.css', 'resources/sidebar/stream-autocomplete.js']) {
      assert.ok(packed.includes(file), `${file} is in the tarball`);
    }
    for (const language of LANGUAGES) assert.ok(packed.includes(`dist/plugins/locales/${language}/stream-manager-sidebar.json`), `${language} catalog`);
  });

  it('lists the plugin as loaded, without an error (GET /plugins)', async () => {
    const list = (await (await get('plugins')).json()) as { id: string; enabled: boolean; editor: boolean; runtime: boolean; err?: string; plugins: { id: string }[] }[];
    const ours = list.find((plugin) => plugin.id === PLUGIN_ID);
    assert.ok(ours, `our plugin in ${JSON.stringify(list.map((plugin) => plugin.id))}`);
    assert.equal(ours.err, undefined);
    assert.equal(ours.enabled, true);
    assert.equal(ours.editor, true, 'it has an editor half');
    assert.equal(ours.runtime, true, 'it has a runtime half');
    assert.deepEqual(ours.plugins.map((plugin) => plugin.id), ['greengrass-stream-manager-sidebar']);
    const html = await (await get('plugins', 'text/html')).text();
    assert.match(html, /RED\.plugins\.registerPlugin\("greengrass-stream-manager-sidebar"/);
    const nodes = (await (await get('nodes')).json()) as { module: string; err?: string }[];
    assert.deepEqual(nodes.filter((set) => set.module === PACKAGE && set.err).map((set) => set.err), []);
  });

  it('serves the same catalog keys in every language (GET /plugins/messages)', async () => {
    const english = baseKeys(catalog('en-US'));
    for (const language of LANGUAGES) {
      assert.deepEqual(baseKeys(catalog(language)), english, `${language} has the en-US keys`);
      assert.deepEqual(missingPluralForms(catalog(language), language), [], `${language} has every plural form its language uses`);
      const served = (await (await get(`plugins/messages?lng=${language}`)).json()) as Record<string, { sidebar?: { label?: string } }>;
      assert.equal(served[PLUGIN_ID]?.sidebar?.label, catalog(language).sidebar.label, `${language} label`);
    }
  });

  it('serves the sidebar code and styles from the resources folder', async () => {
    for (const file of ['sidebar/tab.js', 'sidebar/api.js', 'sidebar/sidebar.css', 'sidebar/stream-autocomplete.js']) {
      const response = await get(`resources/${PACKAGE}/${file}`, '*/*');
      assert.equal(response.status, 200, file);
    }
    const html = await (await get('plugins', 'text/html')).text();
    for (const [, file] of html.matchAll(/resources\/node-red-contrib-greengrass-stream-manager\/([\w./-]+)/g)) {
      assert.ok(fs.existsSync(path.join(ROOT, 'resources', file)), `${file}, named by the plugin, exists`);
    }
  });
});
