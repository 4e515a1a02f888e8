// The editor in a real browser (Debian's Chromium driven by playwright-core): import every example flow, open and
// save each of our nodes' edit dialogs, deploy, with no console error and no failed request. Screenshots of the
// dialogs go to docs/images/ for the README.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEnvironment, type StartedEnvironment } from '../../scripts/start';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const SCREENSHOTS = path.join(ROOT, 'docs', 'images');

/** Installs Debian's Chromium when it is missing (CI machines start without it). */
function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install Debian's chromium package (as root: apt-get install chromium)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}

interface Problem {
  kind: string;
  text: string;
}

describe('the editor in a real browser', { timeout: 600_000 }, () => {
  let environment: StartedEnvironment;
  let userDir: string;
  let browser: Browser;
  let page: Page;
  const problems: Problem[] = [];

  before(async () => {
    ensureChromium();
    userDir = await mkdtemp(path.join(tmpdir(), 'sm-editor-'));
    environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: 0, log: () => undefined });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push({ kind: 'console error', text: message.text() });
    });
    page.on('pageerror', (error) => problems.push({ kind: 'page error', text: error.message }));
    page.on('requestfailed', (request) => problems.push({ kind: 'request failed', text: `${request.url()} ${request.failure()?.errorText}` }));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push({ kind: `HTTP ${response.status()}`, text: response.url() });
    });
    await page.goto(environment.editorUrl);
    await page.waitForFunction(() => {
      const red = (window as unknown as { RED?: { nodes?: { getType(type: string): unknown } } }).RED;
      return Boolean(red?.nodes?.getType('sm out')) && document.querySelector('#red-ui-palette') !== null;
    }, undefined, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await environment?.stop();
    if (userDir) await rm(userDir, { recursive: true, force: true });
  });

  it('shows our nodes in the palette under greengrass', async () => {
    for (const type of ['sm in', 'sm out', 'sm admin']) {
      assert.ok(await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count(), `${type} in the palette`);
    }
  });

  it('imports every example, opens and saves each of our nodes, and deploys without a console error or failed request', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const files = fs.readdirSync(EXAMPLES).filter((file) => file.endsWith('.json')).sort();
    const shot = new Set<string>();
    for (const file of files) {
      const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as { id: string; type: string }[];
      await page.evaluate((nodes) => {
        const red = (window as unknown as { RED: { view: { importNodes(nodes: unknown, options: object): void } } }).RED;
        red.view.importNodes(nodes, { generateIds: true, addFlow: true });
      }, flow);
      await page.waitForTimeout(300);
      const ourNodes = await page.evaluate(() => {
        const red = (window as unknown as { RED: { nodes: { eachNode(callback: (node: { id: string; type: string }) => void): void } } }).RED;
        const found: { id: string; type: string }[] = [];
        red.nodes.eachNode((node) => {
          if (['sm in', 'sm out', 'sm admin'].includes(node.type)) found.push({ id: node.id, type: node.type });
        });
        return found;
      });
      for (const node of ourNodes) {
        await page.evaluate((id) => {
          const red = (window as unknown as { RED: { editor: { edit(node: unknown): void }; nodes: { node(id: string): unknown } } }).RED;
          red.editor.edit(red.nodes.node(id));
        }, node.id);
        await page.waitForSelector('#node-dialog-ok', { state: 'visible' });
        await page.waitForTimeout(200);
        const name = `${file.replace('.json', '')}-${node.type.replace(' ', '-')}`;
        if (!shot.has(node.type)) {
          shot.add(node.type);
          await page.locator('.red-ui-tray').first().screenshot({ path: path.join(SCREENSHOTS, `dialog-${node.type.replace(' ', '-')}.png`) });
        }
        await page.click('#node-dialog-ok');
        await page.waitForSelector('#node-dialog-ok', { state: 'detached' }).catch(() => undefined);
        assert.equal(await page.locator('.red-ui-tray').count(), 0, `${name}: the dialog closed on Done`);
      }
    }
    await page.evaluate(() => {
      const red = (window as unknown as { RED: { editor: { editConfig(name: string, type: string, id: string): void }; nodes: { eachConfig(callback: (node: { id: string; type: string }) => boolean | void): void } } }).RED;
      let configId = '';
      red.nodes.eachConfig((node) => {
        if (node.type === 'sm-config' && !configId) configId = node.id;
      });
      red.editor.editConfig('', 'sm-config', configId);
    });
    await page.waitForSelector('#node-config-dialog-ok', { state: 'visible' });
    await page.waitForTimeout(200);
    await page.locator('.red-ui-tray').first().screenshot({ path: path.join(SCREENSHOTS, 'dialog-sm-config.png') });
    await page.click('#node-config-dialog-ok');

    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('.red-ui-notification-success, .red-ui-notification', { timeout: 15_000 });
    await page.waitForTimeout(2000);
    await page.evaluate(() => {
      const red = (window as unknown as { RED: { workspaces: { show(id: string): void }; nodes: { eachWorkspace(callback: (tab: { id: string; label: string }) => void): void } } }).RED;
      red.nodes.eachWorkspace((tab) => {
        if (tab.label === 'Stream Manager: getting started') red.workspaces.show(tab.id);
      });
    });
    await page.waitForTimeout(6000);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-getting-started.png') });
    const statusTexts = await page.locator('.red-ui-flow-node-status-label').allTextContents();
    assert.ok(statusTexts.some((text) => text === 'connected'), `a node shows "connected": ${statusTexts.join(' | ')}`);
    assert.deepEqual(statusTexts.filter((text) => /^sm-(config|in|out|admin)\./.test(text)), [], 'every status text is translated');
    assert.deepEqual(problems, []);
  });
});
