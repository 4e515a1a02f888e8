// The dialog fields of stream health and of the industrial payloads, in a real Node-RED in Debian's Chromium, in
// every language: sm admin's health action and watch mode (streams, Check every, the thresholds, its two outputs),
// sm out's Payload setting with the fields of IoT SiteWise value and S3 upload task, and sm in's S3 export status
// format. Each dialog shows only its mode's fields, every label fits and is translated, a bad value is marked in the
// editor, and opening and closing a node of an imported example changes nothing. Screenshots go to
// test-artifacts/editor-fields/<language>/ (git-ignored) for a person to look at.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { inspectTopTray } from './dialog-inspection';
import {
  catalogText,
  closeTopTray,
  dialogSuite,
  findingTests,
  type FlowNode,
  importNodes,
  judge,
  LANGUAGES,
  openNodeDialog,
  propertyNames,
  ROOT,
  savedProperties,
  screenshotDialog,
} from './dialog-checks';
import { trayInPlace } from './editor-waits';
import './editor-window';

const ARTEFACTS = path.join(ROOT, 'test-artifacts', 'editor-fields');
const EXAMPLES = path.join(ROOT, 'examples');
const CONFIG_ID = 'sm-examples-config';
const TAB = 'fields-tab';

/** The examples' nodes with their own ids (both examples share one config node). */
function exampleNodes(): FlowNode[] {
  const seen = new Set<string>();
  return ['sitewise-and-s3-export.json', 'export-health-alerts.json']
    .flatMap((file) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[])
    .filter((node) => !seen.has(node.id) && Boolean(seen.add(node.id)));
}

const OWN_NODES = [
  { id: TAB, type: 'tab', label: 'health and payload fields' },
  {
    id: 'fields-health', type: 'sm admin', z: TAB, server: CONFIG_ID, name: 'check pumps', mode: 'action', action: 'health', stream: 'pump exports',
    lagMessages: '500', lagAge: '120', fillPercent: '90', errorGrace: '60', x: 160, y: 60, wires: [[]],
  },
  {
    id: 'fields-asset', type: 'sm out', z: TAB, server: CONFIG_ID, stream: 'line-2', streamType: 'str', payloadMode: 'sitewise', propertyAlias: '',
    assetId: 'a1b2c3d4-1111-2222-3333-444455556666', propertyId: 'externalId:line-2-pressure', valueType: 'auto', groupMs: '500', createStream: true,
    exportDefinition: '', x: 160, y: 120, wires: [[]],
  },
  {
    id: 'fields-s3-minimal', type: 'sm out', z: TAB, server: CONFIG_ID, stream: 'files', streamType: 'str', payloadMode: 's3task', s3Bucket: '', s3Key: '',
    s3StatusStream: '', s3Outcomes: false, createStream: true, exportDefinition: '', x: 160, y: 180, wires: [[]],
  },
  {
    id: 'fields-analytics', type: 'sm out', z: TAB, server: CONFIG_ID, stream: 'legacy', streamType: 'str', createStream: true,
    exportDefinition: JSON.stringify({ iotAnalytics: [{ identifier: 'ToAnalytics', iotChannel: 'plant_channel' }] }), x: 160, y: 240, wires: [[]],
  },
];

interface DialogCase {
  /** The screenshot's and the findings' name. */
  dialog: string;
  id: string;
  type: 'sm admin' | 'sm out' | 'sm in';
  /** Fields shown in this mode, and fields of other modes that must not be. */
  shown: string[];
  hidden: string[];
  /** Catalog keys (of the node's own catalog) of its output labels, when it names them. */
  outputLabels?: string[];
  /** A note the dialog shows, as a catalog key of sm-out.json. */
  note?: string;
}

const WATCH_FIELDS = ['#node-input-streams', '#node-input-checkEvery'];
const THRESHOLDS = ['#node-input-lagMessages', '#node-input-lagAge', '#node-input-fillPercent', '#node-input-errorGrace'];
const SITEWISE_FIELDS = ['#node-input-propertyAlias', '#node-input-assetId', '#node-input-propertyId', '#node-input-valueType', '#node-input-groupMs'];
const S3_FIELDS = ['#node-input-s3Bucket', '#node-input-s3Key', '#node-input-s3Metadata', '#node-input-s3StatusStream', '#node-input-s3Outcomes'];

const CASES: DialogCase[] = [
  {
    dialog: 'sm-admin-health', id: 'fields-health', type: 'sm admin', shown: ['#node-input-action', '#node-input-stream', ...THRESHOLDS], hidden: WATCH_FIELDS,
    outputLabels: ['sm-admin.output.result'],
  },
  {
    dialog: 'sm-admin-watch', id: 'eh-watch', type: 'sm admin', shown: [...WATCH_FIELDS, ...THRESHOLDS], hidden: ['#node-input-action', '#node-input-stream', '#node-input-consumer'],
    outputLabels: ['sm-admin.output.reports', 'sm-admin.output.changes'],
  },
  {
    dialog: 'sm-out-sitewise', id: 'js-sitewise-out', type: 'sm out', shown: SITEWISE_FIELDS, hidden: [...S3_FIELDS, '#node-input-batch'],
    outputLabels: ['sm-out.output.appended'],
  },
  { dialog: 'sm-out-sitewise-asset', id: 'fields-asset', type: 'sm out', shown: SITEWISE_FIELDS, hidden: S3_FIELDS, note: 'exports.added.IotSitewise' },
  {
    dialog: 'sm-out-s3task', id: 'js-s3-out', type: 'sm out', shown: S3_FIELDS, hidden: [...SITEWISE_FIELDS, '#node-input-batch'],
    outputLabels: ['sm-out.output.appended', 'sm-out.output.outcomes'],
  },
  { dialog: 'sm-out-s3task-created', id: 'fields-s3-minimal', type: 'sm out', shown: S3_FIELDS, hidden: SITEWISE_FIELDS, note: 'exports.added.s3TaskExecutorNoStatus' },
  { dialog: 'sm-out-iot-analytics', id: 'fields-analytics', type: 'sm out', shown: ['#node-input-batch'], hidden: [...SITEWISE_FIELDS, ...S3_FIELDS] },
  { dialog: 'sm-in-s3status', id: 'js-status', type: 'sm in', shown: ['#node-input-format'], hidden: [] },
];

/** The labels of a node's outputs as the editor shows them on its ports. */
function outputLabelsOf(page: Page, id: string): Promise<(string | undefined)[]> {
  return page.evaluate((nodeId) => {
    const node = window.RED.nodes.node(nodeId);
    if (!node) throw new Error(`the editor holds no node ${nodeId}`);
    const labels = node._def.outputLabels;
    return Array.from({ length: node.outputs ?? 0 }, (_, index) => (typeof labels === 'function' ? labels.call(node, index) : labels?.[index]));
  }, id);
}

function visibleFields(page: Page, selectors: string[]): Promise<string[]> {
  return page.evaluate((list) => list.filter((selector) => {
    const element = document.querySelector<HTMLElement>(selector);
    return Boolean(element && element.offsetParent !== null);
  }), selectors);
}

/** Types a value into a dialog field as a user would and says whether the editor marks it invalid. */
async function markedInvalid(page: Page, selector: string, value: string): Promise<boolean> {
  await page.fill(selector, value);
  await page.locator(selector).dispatchEvent('change');
  return page.locator(selector).evaluate((element) => element.classList.contains('input-error'));
}

/** Bad values a user might type, each of which the dialog must mark; and a good value that it must not. */
const BAD_VALUES: { id: string; field: string; bad: string[]; good: string }[] = [
  { id: 'js-s3-out', field: '#node-input-s3Bucket', bad: ['My_Bucket', 'ab', '192.168.1.1', 'bucket-'], good: 'my-gateway-bucket' },
  { id: 'js-s3-out', field: '#node-input-s3Key', bad: ['reports/a file.csv', 'reports/!{timestamp:yyyy-MM-dd}/a.csv'], good: 'reports/!{timestamp:yyyy/MM/dd}/a.csv' },
  { id: 'js-s3-out', field: '#node-input-s3Metadata', bad: ['line=1', '{"line": 1}', '["line"]', '{"x-amz-meta-line": "1"}'], good: '{"line": "1", "site": "plant 4"}' },
  { id: 'js-s3-out', field: '#node-input-s3StatusStream', bad: ['status/stream', 'a'.repeat(256)], good: 'S3ExportStatus' },
  { id: 'js-sitewise-out', field: '#node-input-groupMs', bad: ['70000', '-5', 'ten'], good: '2000' },
  { id: 'js-sitewise-out', field: '#node-input-propertyAlias', bad: ['/plant/\u0007bell'], good: '/plant-1/line-1/temperature' },
  { id: 'eh-watch', field: '#node-input-fillPercent', bad: ['150', '0', 'full'], good: '95' },
  { id: 'eh-watch', field: '#node-input-checkEvery', bad: ['0', '-1', '100000'], good: '30' },
  { id: 'eh-watch', field: '#node-input-lagMessages', bad: ['0', '2.5'], good: '200' },
  { id: 'eh-watch', field: '#node-input-lagAge', bad: ['0', 'soon'], good: '600' },
  { id: 'eh-watch', field: '#node-input-errorGrace', bad: ['-1'], good: '0' },
  { id: 'eh-watch', field: '#node-input-streams', bad: ['pumps\nbad/name'], good: 'pumps\ntank levels' },
];

describe('the health and payload fields of the dialogs in every language', { timeout: 600_000 }, () => {
  const suite = dialogSuite(ARTEFACTS);
  const { english, findings } = suite;

  for (const language of LANGUAGES) {
    it(`${language}: each mode shows its own fields, translated and whole; Done on an example's node changes nothing`, async () => {
      const page = await suite.session.openEditor(language, { width: 1400, height: 1500 });
      try {
        await importNodes(page, [...exampleNodes(), ...OWN_NODES]);
        for (const shown of CASES) {
          const before = await savedProperties(page, shown.id);
          await openNodeDialog(page, shown.id);
          assert.deepEqual(await visibleFields(page, shown.shown), shown.shown, `${language} ${shown.dialog}: its fields are shown`);
          assert.deepEqual(await visibleFields(page, shown.hidden), [], `${language} ${shown.dialog}: other modes' fields are hidden`);
          if (shown.note) {
            assert.equal((await page.locator('.sm-export-empty').innerText()).trim(), catalogText(language, 'sm-out', shown.note), `${language} ${shown.dialog}: says which export it adds`);
          }
          const inspection = await inspectTopTray(page);
          findings.push(...judge(language, shown.dialog, inspection, await propertyNames(page, shown.type), english));
          await screenshotDialog(page, ARTEFACTS, language, shown.dialog, inspection);
          await page.click('#node-dialog-ok');
          await page.waitForSelector('#node-dialog-ok', { state: 'detached' });
          assert.deepEqual(await savedProperties(page, shown.id), before, `${language} ${shown.dialog}: opening and closing the dialog changed no saved property`);
          if (shown.outputLabels) {
            const file = shown.type.replace(' ', '-');
            assert.deepEqual(await outputLabelsOf(page, shown.id), shown.outputLabels.map((key) => catalogText(language, file, key)), `${language} ${shown.dialog}: output labels`);
          }
        }

        await openNodeDialog(page, 'fields-analytics');
        const analytics = await page.locator('#sm-exports-kind option[value="iotAnalytics"]').innerText();
        assert.equal(analytics, catalogText(language, 'sm-out', 'exports.kind.iotAnalytics'), 'the kind to add says IoT Analytics reached its end of support');
        await page.locator('.sm-export-row').first().click();
        await page.waitForSelector('#sm-export-dialog-ok', { state: 'visible' });
        await trayInPlace(page);
        assert.match(await page.locator('.red-ui-tray').last().innerText(), new RegExp(catalogText(language, 'sm-out', 'exports.about.iotAnalytics').slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        const destination = await inspectTopTray(page);
        findings.push(...judge(language, 'export-iotAnalytics', destination, [], english));
        await screenshotDialog(page, ARTEFACTS, language, 'export-iotAnalytics', destination);
        await closeTopTray(page, '#sm-export-dialog-cancel');
        await closeTopTray(page, '#node-dialog-cancel');
      } finally {
        await page.context().close();
      }
    });
  }

  it('marks bad values in the editor: an S3 bucket or key S3 refuses, metadata that is not an object of texts, a bad stream name, a threshold out of range', async () => {
    const page = await suite.session.openEditor('en-US', { width: 1400, height: 1500 });
    try {
      await importNodes(page, exampleNodes());
      const unmarked: string[] = [];
      for (const id of [...new Set(BAD_VALUES.map((entry) => entry.id))]) {
        const before = await savedProperties(page, id);
        await openNodeDialog(page, id);
        for (const entry of BAD_VALUES.filter((candidate) => candidate.id === id)) {
          for (const bad of entry.bad) {
            if (!(await markedInvalid(page, entry.field, bad))) unmarked.push(`${entry.field} = ${JSON.stringify(bad)} is not marked`);
          }
          if (await markedInvalid(page, entry.field, entry.good)) unmarked.push(`${entry.field} = ${JSON.stringify(entry.good)} is marked, though it is good`);
        }
        await page.click('#node-dialog-cancel');
        await page.waitForSelector('#node-dialog-cancel', { state: 'detached' });
        assert.deepEqual(await savedProperties(page, id), before, `${id}: Cancel keeps what was saved`);
      }
      assert.deepEqual(unmarked, []);
    } finally {
      await page.context().close();
    }
  });

  findingTests(suite, [...CASES.map((shown) => shown.dialog), 'export-iotAnalytics']);

});
