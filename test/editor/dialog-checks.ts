// What the dialog tests share: importing nodes as the palette would add them, opening a node's dialog, and judging what
// a dialog shows (no saved property's name as a label, no English left in de/ja/zh-CN, nothing that does not fit),
// with a screenshot of it for a person to look at.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { DialogInspection } from './dialog-inspection';
import { startEditorSession, type EditorSession } from './editor-session';
import { trayClosed, trayInPlace } from './editor-waits';
import './editor-window';

export const ROOT = path.join(__dirname, '..', '..', '..');
export const LANGUAGES = ['en-US', 'de', 'ja', 'zh-CN'];
const LOCALES = path.join(ROOT, 'locales');

/** Words a translation keeps as they are: names of products and units, and words that are the same in German. */
const SAME_IN_EVERY_LANGUAGE = new Set(['KB', 'MB', 'GB', 'JSON', 'Kinesis Data Streams', 'IoT Analytics', 'IoT SiteWise', 'Debug', 'Trace', 'Stream Manager', 'Buffer']);
const SAME_IN: Record<string, Set<string>> = {
  de: new Set(['Server', 'Stream', 'Name', 'Batch', 'Timeout', 'Host', 'Port', 'Token', 'Format', 'Information', 'optional', 'Streams', 'Bucket']),
  ja: new Set(),
  'zh-CN': new Set(),
};

/** Every text of this package's en-US catalogs. */
export function englishTexts(): Set<string> {
  const texts = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') texts.add(value.trim());
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const file of fs.readdirSync(path.join(LOCALES, 'en-US')).filter((entry) => entry.endsWith('.json'))) {
    collect(JSON.parse(fs.readFileSync(path.join(LOCALES, 'en-US', file), 'utf8')));
  }
  return texts;
}

/** A text of a node catalog (`locales/<language>/<file>.json`) by its dotted key. */
export function catalogText(language: string, file: string, key: string): string {
  const catalog = JSON.parse(fs.readFileSync(path.join(LOCALES, language, `${file}.json`), 'utf8')) as Record<string, unknown>;
  const found = key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], catalog);
  if (typeof found !== 'string') throw new Error(`${language}/${file}.json has no text ${key}`);
  return found;
}

/** A node as a flow file holds it: its id, its type and its own properties. */
export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

/** Imports nodes as the palette would add them (every default), then each node's own values; ids are kept. */
export async function importNodes(page: Page, nodes: FlowNode[]): Promise<void> {
  // Importing is synchronous: the nodes are in the editor when evaluate returns.
  await page.evaluate((imported) => {
    const red = window.RED;
    // A node the editor has already (the examples' shared config node, say) is not imported twice.
    const complete = imported.filter((node) => !red.nodes.node(node.id)).map((node) => {
      const defaults = red.nodes.getType(node.type)?.defaults ?? {};
      return { ...Object.fromEntries(Object.entries(defaults).map(([key, rule]) => [key, rule.value])), ...node };
    });
    red.view.importNodes(complete, { generateIds: false });
  }, nodes);
}

/** Opens a node's dialog and resolves once it has slid in and holds the focus. */
export async function openNodeDialog(page: Page, id: string): Promise<void> {
  await page.evaluate((nodeId) => {
    const node = window.RED.nodes.node(nodeId);
    if (!node) throw new Error(`the editor holds no node ${nodeId}`);
    window.RED.editor.edit(node);
  }, id);
  await page.waitForSelector('#node-dialog-ok', { state: 'visible' });
  await trayInPlace(page);
}

/** Closes the topmost tray with its `cancel` button; resolves once it is gone and the tray below is back in place. */
export async function closeTopTray(page: Page, cancel: string): Promise<void> {
  await page.click(cancel);
  await trayClosed(page, cancel);
}

/** The saved property names of a node type: a label must never show one of them. */
export async function propertyNames(page: Page, type: string): Promise<string[]> {
  return page.evaluate((nodeType) => {
    const definition = window.RED.nodes.getType(nodeType);
    if (!definition) throw new Error(`the editor has no node type ${nodeType}`);
    return [...Object.keys(definition.defaults), ...Object.keys(definition.credentials ?? {})];
  }, type);
}

/** A node's saved properties as the editor holds them (what a deploy would save). */
export function savedProperties(page: Page, id: string): Promise<Record<string, unknown>> {
  return page.evaluate((nodeId) => {
    const node = window.RED.nodes.node(nodeId);
    if (!node) throw new Error(`the editor holds no node ${nodeId}`);
    return Object.fromEntries(Object.keys(node._def.defaults).map((key) => [key, node[key]]));
  }, id);
}

export interface Finding {
  language: string;
  dialog: string;
  problem: string;
}

export function judge(language: string, dialog: string, inspection: DialogInspection, properties: string[], english: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const shown of inspection.texts) {
    const key = `${shown.where}:${shown.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (properties.includes(shown.text)) findings.push({ language, dialog, problem: `${shown.where} shows the property name "${shown.text}"` });
    if (language !== 'en-US' && /\p{L}{2}/u.test(shown.text) && english.has(shown.text) && !SAME_IN_EVERY_LANGUAGE.has(shown.text) && !SAME_IN[language]?.has(shown.text)) {
      findings.push({ language, dialog, problem: `${shown.where} "${shown.text}" is English` });
    }
  }
  for (const misfit of inspection.misfits) {
    findings.push({ language, dialog, problem: `${misfit.what}: "${misfit.text}" needs ${misfit.needed}, has ${misfit.available}` });
  }
  return findings;
}

/** A screenshot of the dialog down to its last field, as <folder>/<language>/<name>.png. */
export async function screenshotDialog(page: Page, folder: string, language: string, name: string, inspection: DialogInspection): Promise<void> {
  fs.mkdirSync(path.join(folder, language), { recursive: true });
  await page.screenshot({ path: path.join(folder, language, `${name}.png`), clip: inspection.clip });
}

export interface DialogSuite {
  /** The editor session, once `before` has started it. */
  readonly session: EditorSession;
  readonly english: Set<string>;
  /** What the tests found wrong, reported per dialog by `findingTests`. */
  readonly findings: Finding[];
}

/** Inside a describe: an editor session started before its tests (with `artefacts` emptied) and stopped after them. */
export function dialogSuite(artefacts: string): DialogSuite {
  let session: EditorSession | undefined;
  before(async () => {
    session = await startEditorSession();
    fs.rmSync(artefacts, { recursive: true, force: true });
  });
  after(async () => {
    await session?.close();
  });
  return {
    get session(): EditorSession {
      if (!session) throw new Error('the editor session has not started');
      return session;
    },
    english: englishTexts(),
    findings: [],
  };
}

/**
 * One test per dialog that fails with what was found in it (a `todo` entry reports without failing), and one for the
 * console errors and failed requests of the whole session.
 */
export function findingTests(suite: DialogSuite, dialogs: string[], todo: Record<string, string | undefined> = {}): void {
  for (const dialog of dialogs) {
    it(`${dialog}: no property name as a label, no English in a translation, nothing that does not fit`, { todo: todo[dialog] }, () => {
      const mine = suite.findings.filter((finding) => finding.dialog === dialog);
      assert.deepEqual(mine.map((finding) => `${finding.language} ${finding.dialog}: ${finding.problem}`), []);
    });
  }
  it('shows no console error and no failed request', () => {
    assert.deepEqual(suite.session.problems, []);
  });
}
