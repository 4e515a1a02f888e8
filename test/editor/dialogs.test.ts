// Every dialog of this package in every language, in a real Node-RED in Debian's Chromium: no label that is a saved
// property's name, no English left in de/ja/zh-CN, nothing cut off, wrapped or wider than its place. Screenshots of
// each go to test-artifacts/editor/<language>/ (git-ignored) for a person to look at. Then an export destination is
// edited through the structured editor, deployed, and read back from GET /flows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { inspectTopTray, type DialogInspection } from './dialog-inspection';
import { closeTopTray, dialogSuite, findingTests, importNodes, judge, LANGUAGES, openNodeDialog, propertyNames, ROOT, screenshotDialog } from './dialog-checks';
import { exportJsonViewShows, trayClosed, trayInPlace } from './editor-waits';
import './editor-window';

const ARTEFACTS = path.join(ROOT, 'test-artifacts', 'editor');
const CONFIG_ID = 'dialogs-config';

const FLOW = [
  { id: 'dialogs-tab', type: 'tab', label: 'dialogs' },
  { id: CONFIG_ID, type: 'sm-config', name: 'local Stream Manager', host: '127.0.0.1', port: '', connectTimeout: '3', requestTimeout: '60' },
  { id: 'dialogs-in', type: 'sm in', z: 'dialogs-tab', server: CONFIG_ID, stream: 'sensors', x: 150, y: 60, wires: [[]] },
  {
    id: 'dialogs-out', type: 'sm out', z: 'dialogs-tab', server: CONFIG_ID, stream: 'sensors', streamType: 'str', createStream: true,
    maxSize: '67108864', streamSegmentSize: '', timeToLiveMillis: '604800000', strategyOnFull: 'RejectNewData', persistence: 'File',
    flushOnWrite: true, exportDefinition: '', x: 150, y: 120, wires: [[]],
  },
  {
    id: 'dialogs-admin', type: 'sm admin', z: 'dialogs-tab', server: CONFIG_ID, action: 'create', stream: 'sensors',
    maxSize: '', streamSegmentSize: '', timeToLiveMillis: '', strategyOnFull: 'OverwriteOldestData', persistence: 'File', flushOnWrite: false,
    exportDefinition: JSON.stringify({
      kinesis: [{ identifier: 'ToKinesis', kinesisStreamName: 'sensor-readings', batchSize: 100, batchIntervalMillis: 120000 }],
      iotAnalytics: [{ identifier: 'ToAnalytics', iotChannel: 'plant_channel', iotMsgIdPrefix: 'plant-' }],
      IotSitewise: [{ identifier: 'ToSiteWise', batchSize: 10, priority: 2 }],
      s3TaskExecutor: [{ identifier: 'ToS3', sizeThresholdForMultipartUploadBytes: 10485760, statusConfig: { statusLevel: 2, statusStreamName: 'S3Status' } }],
      http: [{ identifier: 'ToHttp', uri: 'http://127.0.0.1:8080/ingest', exportFormat: 1, disabled: true }],
    }),
    x: 150, y: 180, wires: [[]],
  },
];

const NODE_DIALOGS = [
  { dialog: 'sm-in', id: 'dialogs-in' },
  { dialog: 'sm-out', id: 'dialogs-out' },
  { dialog: 'sm-admin', id: 'dialogs-admin' },
];
/**
 * Dialogs that other branches are reworking while this test was written: their findings are reported (as TODO
 * results) without failing the suite. Remove an entry once its dialog passes.
 */
const REWORKED_ELSEWHERE: Record<string, string | undefined> = {
};
const DESTINATION_KINDS = ['kinesis', 'iotAnalytics', 'IotSitewise', 's3TaskExecutor', 'http'];

async function openConfigDialog(page: Page): Promise<void> {
  await page.evaluate((id) => {
    window.RED.editor.editConfig('', 'sm-config', id);
  }, CONFIG_ID);
  await page.waitForSelector('#node-config-dialog-ok', { state: 'visible' });
  await trayInPlace(page);
}

async function screenshot(page: Page, language: string, dialog: string, inspection: DialogInspection): Promise<void> {
  await screenshotDialog(page, ARTEFACTS, language, dialog, inspection);
}

describe('every dialog in every language', { timeout: 600_000 }, () => {
  const suite = dialogSuite(ARTEFACTS);
  const { english, findings } = suite;

  for (const language of LANGUAGES) {
    it(`${language}: opens sm-config, sm in, sm out, sm admin and each export destination editor`, async () => {
      const page = await suite.session.openEditor(language, { width: 1400, height: 1500 });
      await importNodes(page, FLOW);

      await openConfigDialog(page);
      let inspection = await inspectTopTray(page);
      findings.push(...judge(language, 'sm-config', inspection, await propertyNames(page, 'sm-config'), english));
      await screenshot(page, language, 'sm-config', inspection);
      await closeTopTray(page, '#node-config-dialog-cancel');

      for (const { dialog, id } of NODE_DIALOGS) {
        await openNodeDialog(page, id);
        inspection = await inspectTopTray(page);
        const type = dialog.replace('-', ' ');
        findings.push(...judge(language, dialog, inspection, await propertyNames(page, type), english));
        await screenshot(page, language, dialog, inspection);
        if (dialog === 'sm-admin') {
          const exportFields = ['identifier', 'kinesisStreamName', 'iotChannel', 'iotMsgIdPrefix', 'uri', 'exportFormat', 'batchSize', 'batchIntervalMillis',
            'priority', 'startSequenceNumber', 'disabled', 'sizeThresholdForMultipartUploadBytes', 'statusConfig', 'statusLevel', 'statusStreamName'];
          const rows = page.locator('.sm-export-row');
          assert.equal(await rows.count(), DESTINATION_KINDS.length, `${language}: one row per export destination`);
          for (const [index, kind] of DESTINATION_KINDS.entries()) {
            await rows.nth(index).click();
            await page.waitForSelector('#sm-export-dialog-ok', { state: 'visible' });
            await trayInPlace(page);
            const destination = await inspectTopTray(page);
            findings.push(...judge(language, `export-${kind}`, destination, exportFields, english));
            await screenshot(page, language, `export-${kind}`, destination);
            await closeTopTray(page, '#sm-export-dialog-cancel');
          }
          await page.click('#sm-exports-view-json');
          await exportJsonViewShows(page, 'ToKinesis');
          await screenshot(page, language, 'sm-admin-json', await inspectTopTray(page));
        }
        await closeTopTray(page, '#node-dialog-cancel');
      }
      await page.context().close();
    });
  }

  it('edits export destinations through the structured editor and its JSON view, deploys, and saves the definition GET /flows gives back', async () => {
    const page = await suite.session.openEditor('en-US', { width: 1400, height: 1300 });
    const tab = 'roundtrip-tab';
    await page.evaluate((nodes) => {
      window.RED.view.importNodes(nodes, { generateIds: false });
    }, [
      { id: tab, type: 'tab', label: 'round trip' },
      { id: 'roundtrip-config', type: 'sm-config', name: 'round trip', host: '127.0.0.1', port: String(suite.session.environment.streamManagerPort), connectTimeout: '3', requestTimeout: '60' },
      { id: 'roundtrip-admin', type: 'sm admin', z: tab, server: 'roundtrip-config', action: 'create', stream: 'round-trip', x: 200, y: 80, wires: [[]] },
    ]);
    await openNodeDialog(page, 'roundtrip-admin');
    await page.fill('#sm-maxSize', '64');
    await page.selectOption('#sm-maxSize-unit', 'MB');
    await page.fill('#sm-timeToLiveMillis', '2');
    await page.selectOption('#sm-timeToLiveMillis-unit', 'hours');

    // Node-RED focuses a tray's first field once the tray has slid in: typing before that would land there.
    const trayOpened = async (): Promise<void> => {
      await page.waitForSelector('#sm-export-dialog-ok', { state: 'visible' });
      await trayInPlace(page);
    };
    const addDestination = async (kind: string, fill: (page: Page) => Promise<void>): Promise<void> => {
      await page.selectOption('#sm-exports-kind', kind);
      await page.click('#sm-exports-add');
      await trayOpened();
      await fill(page);
      const enabled = await page.waitForSelector('#sm-export-dialog-ok:enabled', { timeout: 5000 }).then(() => true, () => false);
      const marked = await page.locator('.red-ui-tray .input-error').evaluateAll((elements) => elements.map((element) => `${element.id}=${(element as HTMLInputElement).value}`));
      assert.ok(enabled, `${kind}: Done is enabled once every field is valid; marked: ${marked.join(', ')}`);
      await page.click('#sm-export-dialog-ok');
      await trayClosed(page, '#sm-export-dialog-ok');
    };
    await addDestination('kinesis', async () => {
      await page.fill('#sm-export-kinesisStreamName', 'sensor-readings');
      await page.fill('#sm-export-batchSize', '900');
      await page.locator('#sm-export-batchSize').dispatchEvent('change');
      await page.waitForSelector('#sm-export-dialog-ok:disabled', { timeout: 5000 }).catch(() => undefined);
      assert.ok(await page.locator('#sm-export-dialog-ok').isDisabled(), `Done is refused while the batch size is above 500 (${await page.inputValue('#sm-export-batchSize')})`);
      assert.ok(await page.locator('#sm-export-batchSize.input-error').count(), 'the batch size is marked');
      await page.fill('#sm-export-batchSize', '200');
      await page.fill('#sm-export-batchIntervalMillis', '2');
      await page.selectOption('#sm-export-batchIntervalMillis-unit', 'minutes');
      await page.fill('#sm-export-priority', '3');
      await page.locator('#sm-export-priority').dispatchEvent('change');
    });
    await addDestination('http', async () => {
      await page.fill('#sm-export-uri', 'http://127.0.0.1:9/ingest');
      await page.selectOption('#sm-export-exportFormat', '0');
    });
    await addDestination('s3TaskExecutor', async () => {
      await page.fill('#sm-export-statusStreamName', 'S3Status');
      await page.locator('#sm-export-statusStreamName').dispatchEvent('change');
    });
    assert.equal(await page.locator('.sm-export-row').count(), 3);
    await page.locator('.red-ui-editableList-item-remove').nth(2).click();
    // The row fades out before the list lets it go.
    await page.locator('.red-ui-editableList-item-deleting').waitFor({ state: 'detached' });
    assert.equal(await page.locator('.sm-export-row').count(), 2, 'the S3 destination is removed');

    await page.locator('.sm-export-row').first().click();
    await trayOpened();
    assert.equal(await page.inputValue('#sm-export-batchIntervalMillis'), '2', 'the interval shows in the unit it was typed in');
    await page.fill('#sm-export-priority', '4');
    await page.locator('#sm-export-priority').dispatchEvent('change');
    await page.click('#sm-export-dialog-ok');
    await trayClosed(page, '#sm-export-dialog-ok');

    // The JSON view shows what the forms made; an edit there comes back to the forms, a wrong one is refused.
    await page.click('#sm-exports-view-json');
    await exportJsonViewShows(page, 'sensor-readings');
    const typeInJsonView = async (text: string): Promise<void> => {
      await page.locator('.sm-exports-json').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(text);
    };
    const edited = {
      kinesis: [{ identifier: 'KinesisExport1', kinesisStreamName: 'sensor-readings', batchSize: 250, batchIntervalMillis: 120000, priority: 4 }],
      http: [{ identifier: 'HttpExport1', uri: 'http://127.0.0.1:9/ingest', exportFormat: 0 }],
    };
    await typeInJsonView(JSON.stringify({ ...edited, kinesis: [{ ...edited.kinesis[0], batchSize: 9999 }] }));
    await page.click('#sm-exports-view-list');
    // The refusal's notice is the sign the click was handled (the session hides notices from view, so it is only attached).
    await page.locator('.red-ui-notification-error').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#sm-exports-view-json.selected').count(), 1, 'a batch size of 9999 keeps the JSON view open');
    await typeInJsonView(JSON.stringify(edited));
    await page.click('#sm-exports-view-list');
    await page.locator('#sm-exports-view-list.selected').waitFor();
    assert.equal(await page.locator('.sm-export-row').count(), 2);

    await page.click('#node-dialog-ok');
    await page.waitForSelector('#node-dialog-ok', { state: 'detached' });
    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('.red-ui-notification-success', { state: 'attached', timeout: 15_000 });

    const response = await page.request.get(new URL('flows', suite.session.environment.editorUrl).toString(), { headers: { 'Node-RED-API-Version': 'v1' } });
    const flows = (await response.json()) as { id: string; [key: string]: unknown }[];
    const saved = flows.find((node) => node.id === 'roundtrip-admin');
    assert.ok(saved, 'the sm admin node is deployed');
    assert.equal(saved.maxSize, '67108864', 'maxSize is saved in bytes');
    assert.equal(saved.timeToLiveMillis, '7200000', 'timeToLiveMillis is saved in milliseconds');
    assert.equal(saved.strategyOnFull, 'OverwriteOldestData');
    assert.deepEqual(JSON.parse(saved.exportDefinition as string), edited);
    await page.context().close();
  });

  it('opens an export definition it cannot show as forms (bad JSON, an unknown kind) in the JSON view and saves it untouched', async () => {
    const page = await suite.session.openEditor('en-US');
    const saved = ['{"kinesis": [', JSON.stringify({ iotCore: [{ identifier: 'X' }] }, null, 1)];
    await page.evaluate((texts) => {
      window.RED.view.importNodes([
        { id: 'odd-tab', type: 'tab', label: 'odd' },
        ...texts.map((text, index) => ({ id: `odd-${index}`, type: 'sm out', z: 'odd-tab', stream: 's', streamType: 'str', createStream: true, exportDefinition: text, x: 100, y: 60 + 60 * index, wires: [[]] })),
      ], { generateIds: false });
    }, saved);
    for (const [index, text] of saved.entries()) {
      await openNodeDialog(page, `odd-${index}`);
      assert.equal(await page.locator('#sm-exports-view-json.selected').count(), 1, `${text} opens in the JSON view`);
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-dialog-ok', { state: 'detached' });
      const after = await page.evaluate((id) => {
        const node = window.RED.nodes.node(id);
        if (!node) throw new Error(`the editor holds no node ${id}`);
        return { text: node.exportDefinition, valid: node.valid };
      }, `odd-${index}`);
      assert.deepEqual(after, { text, valid: false }, `${text} is kept as it was and marks the node invalid`);
    }
    await page.context().close();
  });

  const DIALOGS = ['sm-config', 'sm-in', 'sm-out', 'sm-admin', 'sm-admin-json', ...DESTINATION_KINDS.map((kind) => `export-${kind}`)];
  findingTests(suite, DIALOGS, REWORKED_ELSEWHERE);

});
