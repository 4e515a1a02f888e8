// The Stream Manager sidebar in a real editor (Debian's Chromium via playwright-core), in every language: it lists the
// stream the getting-started flow fills, opens it, reads its messages, creates and deletes a stream, suggests stream
// names in a node dialog, asks nothing while closed, and nothing in it is untranslated or pushed out of view.
// Screenshots go to test-screenshots/sidebar/ (git-ignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { StreamManagerClient } from '../../lib/client/client';
import { listConsumers } from '../../lib/client/consumer';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import { startEnvironment, type StartedEnvironment } from '../../scripts/start';
import { trayInPlace, notificationShown } from '../editor/editor-waits';
import '../editor/editor-window';
import { quietFor, waitFor, waitUntil } from '../helpers/wait';
import { deadLetterMessages } from './dead-letters';
import { cutOff, showSidebar as showSidebarOf, untranslated } from './sidebar-page';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, '..', '..', '..', 'test-screenshots', 'sidebar');
const LANGUAGES = ['en-US', 'de', 'ja', 'zh-CN'];
const TAB = 'greengrass-stream-manager';
const FLOW_STREAM = 'getting-started';
const ALERTS = 'sensor alerts';
const ALERTS_CONSUMER = 'alarm-forwarder';

/** More than two of the sidebar's 3 s refreshes: long enough that a hidden tab asking anything would show. */
const QUIET_WHILE_HIDDEN_MS = 7_000;

describe('the Stream Manager sidebar in a real browser', { timeout: 600_000 }, () => {
  let environment: StartedEnvironment;
  let userDir: string;
  let browser: Browser;
  let page: Page;
  let client: StreamManagerClient;
  const problems: string[] = [];
  const sidebarRequests: string[] = [];
  const pendingSidebarRequests = new Set<Request>();

  before(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    userDir = await mkdtemp(path.join(tmpdir(), 'sm-sidebar-editor-'));
    environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: 0, quiet: true, log: () => undefined });
    client = new StreamManagerClient({ port: environment.streamManagerPort });
    await client.createMessageStream({
      name: ALERTS,
      persistence: Persistence.File,
      strategyOnFull: StrategyOnFull.RejectNewData,
      maxSize: 64 * 1024 * 1024,
      timeToLiveMillis: 7 * 24 * 3_600_000,
      exportDefinition: { http: [{ identifier: 'to-cloud', uri: 'http://127.0.0.1:9/ingest', batchSize: 1 }] },
    });
    for (let index = 0; index < 6; index++) await client.appendMessage(ALERTS, Buffer.from(JSON.stringify({ sensor: `pump-${index % 3}`, level: 80 + index })));
    await deadLetterMessages(client, { stream: ALERTS, consumer: ALERTS_CONSUMER, deadLetterStream: `${ALERTS} dead`, failing: [1, 2], until: 3 });
    await client.appendMessage(ALERTS, Buffer.from('plain text alert'));
    await client.appendMessage(ALERTS, Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]));
    await untilFlowStreamHolds(client, 2);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    page.on('request', (request) => {
      if (!request.url().includes('/greengrass-stream-manager/')) return;
      sidebarRequests.push(request.url());
      pendingSidebarRequests.add(request);
    });
    page.on('requestfinished', (request) => pendingSidebarRequests.delete(request));
    page.on('requestfailed', (request) => pendingSidebarRequests.delete(request));
  });

  after(async () => {
    await browser?.close();
    await client?.close();
    await environment?.stop();
    if (userDir) await rm(userDir, { recursive: true, force: true });
  });

  async function openEditor(language: string): Promise<void> {
    await page.goto(environment.editorUrl);
    await page.evaluate((lang) => localStorage.setItem('editor-language', lang), language);
    await page.reload();
    await page.waitForFunction(
      (tab) => 'RED' in window && Boolean(window.RED.nodes.getType('sm out')) && window.RED.sidebar.containsTab(tab),
      TAB,
      { timeout: 60_000 },
    );
  }

  /**
   * The getting-started flow appends one reading every 5 s, creating its stream with the first: the range read below
   * asks for #0 and #1, so the first language must not start before both exist.
   */
  async function untilFlowStreamHolds(reader: StreamManagerClient, count: number): Promise<void> {
    await waitFor(`the flow to create ${FLOW_STREAM} and append ${count} messages`, async () => {
      const outcome = await reader
        .readMessages(FLOW_STREAM, { desiredStartSequenceNumber: count - 1, minMessageCount: 1, maxMessageCount: 1, readTimeoutMillis: 15_000 })
        .then(() => 'there', (error: { code?: string }) => error.code);
      if (outcome === 'there') return true;
      if (outcome !== 'ResourceNotFound') throw new Error(`${FLOW_STREAM} did not reach ${count} messages: ${outcome}`);
      return undefined;
    }, 30_000, 500);
  }

  const showSidebar = (): Promise<void> => showSidebarOf(page);

  for (const language of LANGUAGES) {
    it(`${language}: lists the flow's stream, shows it with its messages, creates and deletes a stream`, async () => {
      const shot = (name: string) => path.join(SCREENSHOTS, `${language}-${name}.png`);
      await openEditor(language);
      await showSidebar();
      const row = page.locator(`.sm-sidebar-stream[data-stream="${FLOW_STREAM}"]`);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.sm-sidebar-state-connected').waitFor({ timeout: 10_000 });
      assert.match(await row.innerText(), /#0/);
      await page.locator('#red-ui-sidebar').screenshot({ path: shot('list') });
      assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
      assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);

      await row.click();
      await page.locator('.sm-sidebar-detail-view .sm-sidebar-table').first().waitFor({ timeout: 10_000 });
      await page.locator('.sm-sidebar-message').first().waitFor({ timeout: 10_000 });
      assert.match(await page.locator('.sm-sidebar-message .sm-sidebar-payload-text').first().innerText(), /"temperature"/);
      await page.screenshot({ path: shot('stream') });
      await page.locator('.sm-sidebar-viewer-mode').selectOption('range');
      await page.locator('.sm-sidebar-viewer-from').fill('0');
      await page.locator('.sm-sidebar-viewer-count').fill('2');
      await page.locator('.sm-sidebar-viewer-read').click();
      await page.waitForFunction(() => {
        const numbers = Array.from(document.querySelectorAll('.sm-sidebar-message')).map((element) => element.getAttribute('data-sequence-number'));
        return numbers.join(',') === '0,1';
      });
      await page.evaluate(() => document.querySelector('.sm-sidebar-viewer')?.scrollIntoView());
      await page.locator('#red-ui-sidebar').screenshot({ path: shot('messages') });
      assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
      assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);

      await page.locator('.sm-sidebar-back').click();
      await page.locator(`.sm-sidebar-stream[data-stream="${ALERTS}"]`).click();
      const consumer = page.locator(`.sm-sidebar-consumer[data-consumer="${ALERTS_CONSUMER}"]`);
      await consumer.waitFor({ timeout: 10_000 });
      await page.locator('.sm-sidebar-message').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: shot('consumer') });
      const kinds = await page.locator('.sm-sidebar-message .sm-sidebar-badge').evaluateAll((badges) => badges.map((badge) => badge.className.replace(/.*sm-sidebar-kind-/, '')));
      assert.deepEqual(kinds.slice(0, 3), ['hex', 'text', 'json'], 'binary as hex, text as text, JSON as JSON, newest first');
      await page.evaluate(() => document.querySelector('.sm-sidebar-viewer')?.scrollIntoView());
      await page.locator('#red-ui-sidebar').screenshot({ path: shot('payloads') });
      assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
      assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);
      await consumer.locator('.sm-sidebar-dead-letters').click();
      await page.locator('.sm-sidebar-letter').nth(1).waitFor({ timeout: 10_000 });
      assert.match(await page.locator('.sm-sidebar-letter').first().innerText(), /reading 1 failed its check/);
      await page.locator('#red-ui-sidebar').screenshot({ path: shot('dead-letters') });
      assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
      assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);
      await page.locator('.sm-sidebar-back').click();
      await page.locator('.sm-sidebar-detail-view').waitFor();

      const created = `sidebar made ${language}`;
      await page.locator('.sm-sidebar-back').click();
      await page.locator('.sm-sidebar-create').click();
      await page.locator('#sm-sidebar-form-name').waitFor({ state: 'visible' });
      await trayInPlace(page);
      await page.locator('#sm-sidebar-form-name').fill(created);
      // The node dialogs' stream-definition form, in the tray: sizes and durations as an amount and a unit.
      await page.locator('.red-ui-tray #node-input-persistence').selectOption('Memory');
      await page.locator('.red-ui-tray #sm-timeToLiveMillis-unit').selectOption('hours');
      await page.locator('.red-ui-tray #sm-timeToLiveMillis').fill('');
      await page.locator('.red-ui-tray #sm-timeToLiveMillis').pressSequentially('1');
      assert.deepEqual(
        await Promise.all(['#sm-sidebar-form-name', '#node-input-persistence', '#node-input-timeToLiveMillis'].map((field) => page.locator(`.red-ui-tray ${field}`).inputValue())),
        [created, 'Memory', '3600000'],
      );
      await page.screenshot({ path: shot('create') });
      assert.deepEqual(await untranslated(page, '.red-ui-tray'), []);
      assert.deepEqual(await cutOff(page, '.red-ui-tray'), []);
      await page.locator('#sm-sidebar-tray-save').click();
      await page.locator(`.sm-sidebar-detail-view[data-stream="${created}"] .sm-sidebar-table`).first().waitFor({ timeout: 20_000 });
      const info = await client.describeMessageStream(created);
      assert.equal(Number(info.definition?.timeToLiveMillis), 3_600_000);
      assert.equal(info.definition?.persistence, 1);

      await page.locator('.sm-sidebar-delete').click();
      const confirmation = page.locator('.red-ui-notification:has(#sm-sidebar-delete-confirm)');
      await confirmation.waitFor({ timeout: 15_000 });
      assert.match(await confirmation.innerText(), new RegExp(created), 'the confirmation names the stream');
      await notificationShown(page, '.red-ui-notification:has(#sm-sidebar-delete-confirm)');
      await page.screenshot({ path: shot('delete') });
      await page.locator('#sm-sidebar-delete-confirm').click();
      await page.locator('.sm-sidebar-list-view').waitFor({ timeout: 10_000 });
      await page.waitForFunction((name) => !document.querySelector(`.sm-sidebar-stream[data-stream="${name}"]`), created);
      assert.ok(!(await client.listStreams()).includes(created), 'the stream is gone from the server');
      assert.deepEqual(problems, []);
    });
  }

  it('sends a dead letter back to its stream and discards another', async () => {
    await page.locator(`.sm-sidebar-stream[data-stream="${ALERTS}"]`).click();
    await page.locator(`.sm-sidebar-consumer[data-consumer="${ALERTS_CONSUMER}"] .sm-sidebar-dead-letters`).click();
    await page.locator('.sm-sidebar-letter').nth(1).waitFor({ timeout: 10_000 });
    const newest = Number((await client.describeMessageStream(ALERTS)).storageStatus?.newestSequenceNumber);
    await page.locator('.sm-sidebar-letter').first().locator('input[type=checkbox]').check();
    await page.locator('.sm-sidebar-letter-tools button').first().click();
    await page.waitForFunction(() => document.querySelectorAll('.sm-sidebar-letter').length === 1);
    const [sentBack] = await client.readMessages(ALERTS, { desiredStartSequenceNumber: newest + 1, minMessageCount: 1, maxMessageCount: 1 });
    assert.equal(Buffer.from(sentBack.payload).toString(), JSON.stringify({ sensor: 'pump-1', level: 81 }));
    await page.locator('.sm-sidebar-letter input[type=checkbox]').check();
    await page.locator('.sm-sidebar-letter-tools button').nth(1).click();
    await page.locator('.red-ui-notification .primary').click();
    await page.locator('.sm-sidebar-letters .sm-sidebar-placeholder').waitFor({ timeout: 10_000 });
    await page.locator('#red-ui-sidebar').screenshot({ path: path.join(SCREENSHOTS, 'en-US-dead-letters-handled.png') });
    assert.equal(Number((await client.describeMessageStream(ALERTS)).storageStatus?.newestSequenceNumber), newest + 1, 'sent back once');
    assert.deepEqual(problems, []);
  });

  it('forgets a consumer only after asking, naming it and its stream (in the last language shown)', async () => {
    await page.locator('.sm-sidebar-back').click(); // from the dead letters to the stream
    const card = page.locator(`.sm-sidebar-consumer[data-consumer="${ALERTS_CONSUMER}"]`);
    await card.locator('.sm-sidebar-forget').click();
    const confirmation = page.locator('.red-ui-notification:has(#sm-sidebar-forget-confirm)');
    await confirmation.waitFor({ timeout: 15_000 });
    const question = await confirmation.innerText();
    assert.ok(question.includes(ALERTS_CONSUMER) && question.includes(ALERTS), `the question names the consumer and its stream: ${question}`);
    await notificationShown(page, '.red-ui-notification:has(#sm-sidebar-forget-confirm)');
    await page.screenshot({ path: path.join(SCREENSHOTS, `${LANGUAGES[LANGUAGES.length - 1]}-forget-consumer.png`) });
    await page.locator('#sm-sidebar-forget-cancel').click();
    await page.locator('#sm-sidebar-forget-confirm').waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok((await listConsumers(client, ALERTS)).some(({ consumer }) => consumer === ALERTS_CONSUMER), 'cancel forgets nothing');

    await card.locator('.sm-sidebar-forget').click();
    await page.locator('#sm-sidebar-forget-confirm').click();
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(!(await listConsumers(client, ALERTS)).some(({ consumer }) => consumer === ALERTS_CONSUMER), 'the consumer is gone from the checkpoint stream');
    assert.deepEqual(problems, []);
  });

  it('asks the server nothing while the tab is closed, and refreshes again when it is open', async () => {
    await openEditor('en-US');
    await showSidebar();
    await page.locator(`.sm-sidebar-stream[data-stream="${FLOW_STREAM}"]`).waitFor({ timeout: 20_000 });
    await page.evaluate(() => window.RED.sidebar.show('info'));
    await page.locator('.sm-sidebar').waitFor({ state: 'hidden' });
    // What the tab asked before it was hidden may still be under way: it counts for the shown tab, not the hidden one.
    await waitUntil(() => pendingSidebarRequests.size === 0, 'the sidebar requests made before the tab was hidden to finish');
    sidebarRequests.length = 0;
    await quietFor(QUIET_WHILE_HIDDEN_MS);
    assert.equal(sidebarRequests.length, 0, `no request while another tab is shown: ${sidebarRequests.join(', ')}`);
    await page.evaluate((tab) => window.RED.sidebar.show(tab), TAB);
    await waitUntil(() => sidebarRequests.some((url) => url.includes('/overview')), `the list to refresh once the tab is shown again (asked: ${sidebarRequests.join(', ') || 'nothing'})`);
  });

  it('suggests the existing streams in a node dialog and keeps a name typed by hand', async () => {
    const inNode = await page.evaluate(() => {
      const found: string[] = [];
      window.RED.nodes.eachNode((node) => {
        if (node.type === 'sm in') found.push(node.id);
      });
      return found[0];
    });
    await page.evaluate((id) => {
      const node = window.RED.nodes.node(id);
      if (!node) throw new Error(`the editor holds no node ${id}`);
      window.RED.editor.edit(node);
    }, inNode);
    const field = page.locator('#node-input-stream');
    await field.waitFor({ state: 'visible' });
    await trayInPlace(page);
    await field.fill('');
    await field.click();
    sidebarRequests.length = 0;
    await field.pressSequentially('getting', { delay: 30 });
    const menu = page.locator('.red-ui-autoComplete-container');
    await menu.waitFor({ state: 'visible', timeout: 15_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-US-autocomplete-failed.png') });
      const state = { value: await field.inputValue(), classes: await field.getAttribute('class'), requests: sidebarRequests, problems };
      throw new Error(`${error.message}\n${JSON.stringify(state)}`);
    });
    assert.match(await menu.innerText(), /getting-started/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-US-autocomplete.png') });
    await field.press('Enter');
    assert.equal(await field.inputValue(), 'getting', 'Enter keeps the name as typed');
    await field.fill('a new stream');
    await page.click('#node-dialog-cancel');
    assert.deepEqual(problems, []);
  });
});
