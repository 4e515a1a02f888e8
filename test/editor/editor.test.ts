// The editor in a real browser (Debian's Chromium driven by playwright-core): import every example flow, open and
// save each of our nodes' edit dialogs (which must leave every saved property as it was), deploy, with no console
// error and no failed request. Screenshots of whole dialogs, in English, go to docs/images/ for the README (among
// them the health watch of sm admin and the IoT SiteWise payload of sm out).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startEditorSession, type EditorSession } from './editor-session';
import { inspectTopTray } from './dialog-inspection';
import { trayClosed, trayInPlace } from './editor-waits';
import './editor-window';
import { savedProperties } from './dialog-checks';

const ROOT = path.join(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const SCREENSHOTS = path.join(ROOT, 'docs', 'images');

/** The whole topmost dialog, down to its last field. */
async function screenshotDialog(page: Page, file: string): Promise<void> {
  const { clip } = await inspectTopTray(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, file), clip });
}

/** The example node (by file, type and name) whose dialog shows a setting best in the README, and its picture. */
const PICTURES_OF = [
  { file: 'export-health-alerts.json', type: 'sm admin', name: 'watch the export', picture: 'dialog-sm-admin-watch.png' },
  { file: 'sitewise-and-s3-export.json', type: 'sm out', name: 'to IoT SiteWise', picture: 'dialog-sm-out-sitewise.png' },
];

/** The example whose node shows each dialog best in the README. */
const SCREENSHOT_OF: Record<string, string> = {
  'sm out': 'sensor-batching-with-export.json',
  'sm in': 'getting-started.json',
  'sm admin': 'stream-lifecycle.json',
};

describe('the editor in a real browser', { timeout: 600_000 }, () => {
  let session: EditorSession;
  let page: Page;

  before(async () => {
    session = await startEditorSession();
    page = await session.openEditor('en-US', { width: 1400, height: 1300 });
  });

  after(async () => {
    await session?.close();
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
      const ourNodes = await page.evaluate((nodes) => {
        const red = window.RED;
        const ours = (): { id: string; type: string; name?: string }[] => {
          const found: { id: string; type: string; name?: string }[] = [];
          red.nodes.eachNode((node) => {
            if (['sm in', 'sm out', 'sm admin'].includes(node.type)) found.push({ id: node.id, type: node.type, name: typeof node.name === 'string' ? node.name : undefined });
          });
          return found;
        };
        const before = new Set(ours().map((node) => node.id));
        red.view.importNodes(nodes, { generateIds: true, addFlow: true });
        return ours().filter((node) => !before.has(node.id));
      }, flow);
      for (const node of ourNodes) {
        await page.evaluate((id) => {
          const found = window.RED.nodes.node(id);
          if (!found) throw new Error(`the editor holds no node ${id}`);
          window.RED.editor.edit(found);
        }, node.id);
        await page.waitForSelector('#node-dialog-ok', { state: 'visible' });
        await trayInPlace(page);
        const name = `${file.replace('.json', '')}-${node.type.replace(' ', '-')}`;
        if (!shot.has(node.type) && SCREENSHOT_OF[node.type] === file) {
          shot.add(node.type);
          await screenshotDialog(page, `dialog-${node.type.replace(' ', '-')}.png`);
          if (node.type === 'sm out') {
            await page.locator('.sm-export-row').first().click();
            await page.waitForSelector('#sm-export-dialog-ok', { state: 'visible' });
            await trayInPlace(page);
            await screenshotDialog(page, 'dialog-export-destination.png');
            await page.click('#sm-export-dialog-cancel');
            await trayClosed(page, '#sm-export-dialog-ok');
          }
        }
        const picture = PICTURES_OF.find((wanted) => wanted.file === file && wanted.type === node.type && wanted.name === node.name);
        if (picture) await screenshotDialog(page, picture.picture);
        const before = await savedProperties(page, node.id);
        await page.click('#node-dialog-ok');
        await page.waitForSelector('#node-dialog-ok', { state: 'detached' }).catch(() => undefined);
        assert.equal(await page.locator('.red-ui-tray').count(), 0, `${name}: the dialog closed on Done`);
        assert.deepEqual(await savedProperties(page, node.id), before, `${name}: opening and closing the dialog changed no saved property`);
      }
    }
    await page.evaluate(() => {
      const red = window.RED;
      let configId = '';
      red.nodes.eachConfig((node) => {
        if (node.type === 'sm-config' && !configId) configId = node.id;
      });
      red.editor.editConfig('', 'sm-config', configId);
    });
    await page.waitForSelector('#node-config-dialog-ok', { state: 'visible' });
    await trayInPlace(page);
    await screenshotDialog(page, 'dialog-sm-config.png');
    await page.click('#node-config-dialog-ok');

    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('.red-ui-notification-success', { state: 'attached', timeout: 15_000 });
    await page.evaluate(() => {
      const red = window.RED;
      red.nodes.eachWorkspace((tab) => {
        if (tab.label === 'Stream Manager: getting started') red.workspaces.show(tab.id);
      });
    });
    // The screenshot shows the flow at work: sm out connected, sm in caught up, and a reading at both debug nodes.
    await page
      .waitForFunction(
        () => {
          const texts = Array.from(document.querySelectorAll('.red-ui-flow-node-status-label'), (label) => label.textContent ?? '');
          return texts.includes('connected') && texts.some((text) => /, 0 behind$/.test(text)) && texts.filter((text) => text.includes('temperature')).length >= 2;
        },
        undefined,
        { timeout: 30_000 },
      )
      .catch(async (error: Error) => {
        throw new Error(`${error.message}: the getting-started flow shows ${(await page.locator('.red-ui-flow-node-status-label').allTextContents()).join(' | ')}`);
      });
    await page.setViewportSize({ width: 1400, height: 900 });
    // Resize handlers run before animation frames: in one, the editor has laid itself out for the new size.
    await page.waitForFunction(() => window.innerWidth === 1400 && window.innerHeight === 900, undefined, { polling: 'raf' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-getting-started.png') });
    const statusTexts = await page.locator('.red-ui-flow-node-status-label').allTextContents();
    assert.ok(statusTexts.some((text) => text === 'connected'), `a node shows "connected": ${statusTexts.join(' | ')}`);
    assert.deepEqual(statusTexts.filter((text) => /^sm-(config|in|out|admin)\./.test(text)), [], 'every status text is translated');
    assert.deepEqual(session.problems, []);
  });
});
