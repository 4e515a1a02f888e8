// The sidebar's stream health in a real editor (Debian's Chromium via playwright-core) against the real server, in every
// language: each stream's state as a badge and its last hour of fill and export lag as a chart in the list, and a
// stream's view with its state, the chart with its legend and each export's state; samples that the runtime took while
// one editor looked come back to the next one. Screenshots go to test-screenshots/health/ (git-ignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { StreamManagerClient } from '../../lib/client/client';
import { Persistence, StrategyOnFull } from '../../lib/protocol/enums';
import { startEditorSession, type EditorSession } from '../editor/editor-session';
import '../editor/editor-window';
import { freePort } from '../helpers/free-port';
import { cutOff, showSidebar, untranslated } from './sidebar-page';

const SCREENSHOTS = path.join(__dirname, '..', '..', '..', 'test-screenshots', 'health');
const LANGUAGES = ['en-US', 'de', 'ja', 'zh-CN'];
const FAILING = 'pump exports';
const FILLING = 'tank levels';
const FLOW_STREAM = 'getting-started';
const CATALOGS = path.join(__dirname, '..', '..', '..', 'plugins', 'locales');

interface HealthCatalog {
  health: Record<string, string> & { state: Record<string, string> };
  detail: Record<string, string>;
}

function catalog(language: string): HealthCatalog {
  return JSON.parse(fs.readFileSync(path.join(CATALOGS, language, 'stream-manager-sidebar.json'), 'utf8')) as HealthCatalog;
}

/** The text of a plural key for `count` in the language, as its plural rules choose the form. */
function pluralText(words: Record<string, string>, key: string, language: string, count: number): string {
  const form = new Intl.PluralRules(language).select(count);
  const text = words[`${key}_${form}`] ?? words[`${key}_other`];
  if (text === undefined) throw new Error(`${language} has no ${key}_${form} nor ${key}_other`);
  return text;
}

/** A catalog text with its __name__ values filled in. */
function filled(text: string, values: Record<string, string>): string {
  return text.replace(/__(\w+)__/g, (whole, name: string) => values[name] ?? whole);
}

/** A sidebar text as the editor gives it (RED._ with its plural rules). */
function editorText(page: Page, key: string, values: Record<string, unknown>): Promise<string> {
  return page.evaluate(
    ([name, options]) => window.RED._(`node-red-contrib-greengrass-stream-manager/stream-manager-sidebar:${name}`, options),
    [key, values] as const,
  );
}

/** The number of samples the chart of a stream's row shows (its state strip has one mark per sample). */
function samplesShown(page: Page, stream: string): Promise<number> {
  return page.locator(`.sm-sidebar-stream[data-stream="${stream}"] .sm-sidebar-chart-state`).count();
}

describe('stream health in the sidebar, in a real browser', { timeout: 600_000 }, () => {
  let session: EditorSession;
  let client: StreamManagerClient;

  before(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    session = await startEditorSession();
    client = new StreamManagerClient({ port: session.environment.streamManagerPort });
    await client.createMessageStream({
      name: FAILING,
      persistence: Persistence.File,
      strategyOnFull: StrategyOnFull.OverwriteOldestData,
      exportDefinition: { http: [{ identifier: 'to-cloud', uri: `http://127.0.0.1:${await freePort()}/ingest`, batchSize: 10 }] },
    });
    for (let index = 0; index < 40; index++) await client.appendMessage(FAILING, Buffer.from(JSON.stringify({ pump: index % 4, pressure: 3 + index / 10 })));
    await client.createMessageStream({ name: FILLING, persistence: Persistence.Memory, strategyOnFull: StrategyOnFull.RejectNewData, maxSize: 64 * 1024, streamSegmentSize: 4096 });
    for (let index = 0; index < 56; index++) await client.appendMessage(FILLING, Buffer.alloc(1000, 'l'));
  });

  after(async () => {
    await client?.close();
    await session?.close();
  });

  it('samples the streams while the sidebar is on screen: the export to a closed port turns failing, the stream past 80 % is filling', async () => {
    const page = await session.openEditor('en-US');
    try {
      await showSidebar(page);
      // The default thresholds: an error counts once data has waited 30 s behind it.
      await page.locator(`.sm-sidebar-stream[data-stream="${FAILING}"] .sm-sidebar-health-badge.sm-sidebar-health-failing`).waitFor({ timeout: 90_000 });
      await page.waitForFunction((stream) => document.querySelectorAll(`.sm-sidebar-stream[data-stream="${stream}"] .sm-sidebar-chart-state`).length >= 4, FAILING, { timeout: 60_000 });
      assert.equal(await page.locator(`.sm-sidebar-stream[data-stream="${FILLING}"] .sm-sidebar-health-badge`).getAttribute('class').then((classes) => /sm-sidebar-health-filling/.test(String(classes))), true);
      assert.equal(await page.locator(`.sm-sidebar-stream[data-stream="${FLOW_STREAM}"] .sm-sidebar-health-badge.sm-sidebar-health-ok`).count(), 1);
    } finally {
      await page.context().close();
    }
  });

  for (const language of LANGUAGES) {
    it(`${language}: shows each stream's state and last hour in the list, and a stream's health with each export's state`, async () => {
      const words = catalog(language).health;
      const shot = (name: string) => path.join(SCREENSHOTS, `${language}-${name}.png`);
      const page = await session.openEditor(language);
      try {
        await showSidebar(page);
        const failing = page.locator(`.sm-sidebar-stream[data-stream="${FAILING}"]`);
        // The list comes first, the states and charts with the health answer after it.
        await failing.locator('.sm-sidebar-health-badge:not(.sm-sidebar-health-unknown)').waitFor({ timeout: 30_000 });
        // What the runtime sampled for the editor before comes back to this one.
        assert.ok((await samplesShown(page, FAILING)) >= 4, `${await samplesShown(page, FAILING)} samples shown`);
        assert.equal(await failing.locator('.sm-sidebar-health-badge').innerText(), words.state.failing);
        assert.equal(await page.locator(`.sm-sidebar-stream[data-stream="${FILLING}"] .sm-sidebar-health-badge`).innerText(), words.state.filling);
        assert.equal(await page.locator(`.sm-sidebar-stream[data-stream="${FLOW_STREAM}"] .sm-sidebar-health-badge`).innerText(), words.state.ok);
        // The chart: the fill as an area, the lag as a line, the states as a strip.
        const fillTop = await page.locator(`.sm-sidebar-stream[data-stream="${FILLING}"] .sm-sidebar-chart-fill`).first().getAttribute('points');
        assert.ok(fillTop && fillTop.split(' ').length >= 3, `the fill area: ${fillTop}`);
        assert.ok((await failing.locator('.sm-sidebar-chart-lag').count()) >= 1, 'the lag line');
        assert.ok((await failing.locator('.sm-sidebar-chart-state.sm-sidebar-health-failing').count()) >= 1, 'a failing mark in the strip');
        await page.locator('#red-ui-sidebar').screenshot({ path: shot('list') });
        assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
        assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);

        await failing.click();
        const view = page.locator(`.sm-sidebar-detail-view[data-stream="${FAILING}"]`);
        await view.locator('.sm-sidebar-chart-legend').waitFor({ timeout: 20_000 });
        assert.equal(await view.locator('.sm-sidebar-health-head .sm-sidebar-health-badge').innerText(), words.state.failing);
        assert.match(await view.locator('.sm-sidebar-chart-legend').innerText(), new RegExp(words.lastHour.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        const exportCard = view.locator('.sm-sidebar-card', { hasText: 'to-cloud' });
        await exportCard.locator('.sm-sidebar-health-failing').waitFor({ timeout: 20_000 });
        assert.match(await exportCard.innerText(), new RegExp(words.errorSince));
        assert.match(await exportCard.innerText(), /ECONNREFUSED/, 'the last error');
        const card = await exportCard.innerText();
        for (const label of [words.oldestUnsent, catalog(language).detail.exportedUpTo, catalog(language).detail.lastAttempt]) {
          assert.ok(card.includes(label), `the export card shows "${label}": ${card}`);
        }
        assert.ok(card.includes(catalog(language).detail.nothingYet), `nothing exported reads "${catalog(language).detail.nothingYet}": ${card}`);
        for (const count of [1, 2, 0.5]) {
          const expected = filled(pluralText(words, 'appendRateValue', language, count), { rate: String(count) });
          assert.equal(await editorText(page, 'health.appendRateValue', { count, rate: String(count) }), expected, `${count} messages/s in ${language}`);
        }
        assert.match(String(await view.locator('svg.sm-sidebar-chart').getAttribute('aria-label')), /40/, 'the highest lag in words');
        await page.locator('#red-ui-sidebar').screenshot({ path: shot('stream') });
        await exportCard.scrollIntoViewIfNeeded();
        await page.locator('#red-ui-sidebar').screenshot({ path: shot('stream-export') });
        assert.deepEqual(await untranslated(page, '.sm-sidebar'), []);
        assert.deepEqual(await cutOff(page, '.sm-sidebar'), []);
        assert.deepEqual(session.problems, []);
      } finally {
        await page.context().close();
      }
    });
  }

  it('leaves times with no sample blank: runs of samples far apart are drawn apart', async () => {
    const page = await session.openEditor('en-US');
    try {
      await showSidebar(page);
      const drawn = await page.evaluate(() => {
        const chart = window.GreengrassStreamManagerEditor.sidebar.healthChart;
        const now = 10_000_000;
        const at = (minutesAgo: number, lag: number) => ({ at: now - minutesAgo * 60_000, state: lag > 50 ? 'lagging' : 'ok', fillPercent: 20, exportLagMessages: lag, exportLagAgeMs: 0 });
        // Three samples ten seconds apart, twenty minutes with none, then three more; one older than the hour.
        const points = [at(70, 5), at(50, 10), at(50 - 1 / 6, 20), at(50 - 2 / 6, 30), at(20, 100), at(20 - 1 / 6, 80), at(20 - 2 / 6, 60)];
        const element = chart.chart(points, { now, height: 40, fillThreshold: 80 });
        return { areas: element.querySelectorAll('.sm-sidebar-chart-fill').length, lines: element.querySelectorAll('.sm-sidebar-chart-lag').length, marks: element.querySelectorAll('.sm-sidebar-chart-state').length, label: element.getAttribute('aria-label') };
      });
      assert.deepEqual({ areas: drawn.areas, lines: drawn.lines, marks: drawn.marks }, { areas: 2, lines: 2, marks: 6 });
      assert.equal(drawn.label, 'Fill 20 % (highest 20 %), export lag 60 messages (highest 100)');
    } finally {
      await page.context().close();
    }
  });
});
