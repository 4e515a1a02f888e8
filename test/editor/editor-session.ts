// A real Node-RED with this package (and a local Stream Manager) opened in Debian's Chromium, in one language.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEnvironment, type StartedEnvironment } from '../../scripts/start';
import './editor-window';

const CHROMIUM = '/usr/bin/chromium';

/** A Noto CJK font: without one, Japanese and Chinese dialogs show empty boxes and text widths measure wrong. */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Installs Debian's Chromium and the CJK fonts when they are missing (CI machines start without them). */
function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM) && fs.existsSync(CJK_FONT)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} or ${CJK_FONT} is missing; as root: apt-get install chromium fonts-noto-cjk`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env });
}

export interface Problem {
  kind: string;
  text: string;
}

export interface EditorSession {
  environment: StartedEnvironment;
  browser: Browser;
  /** Console errors, page errors, failed requests and HTTP errors seen by every page opened so far. */
  problems: Problem[];
  /** A page with the editor loaded in the language (navigator.language, which the editor follows). */
  openEditor(language: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Monaco, inside Node-RED's editor, now and then throws "Model is disposed!" from its own code (vendor/monaco) after a
 * JSON editor was destroyed as Node-RED's core nodes destroy theirs: work it had scheduled finds the model gone. Our
 * code holds no editor after destroying it, so this is not ours to fix, and it changes nothing the user sees.
 */
function isMonacoDisposedModelRace(error: Error): boolean {
  return error.message.startsWith('Model is disposed!') && (error.stack ?? '').includes('/vendor/monaco/');
}

export async function startEditorSession(): Promise<EditorSession> {
  ensureChromium();
  const userDir = await mkdtemp(path.join(tmpdir(), 'sm-editor-'));
  const environment = await startEnvironment({ userDir, editorPort: 0, streamManagerPort: 0, log: () => undefined, quiet: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const problems: Problem[] = [];
  return {
    environment,
    browser,
    problems,
    async openEditor(language, viewport = { width: 1400, height: 900 }) {
      const context = await browser.newContext({ locale: language, viewport });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push({ kind: 'console error', text: message.text() });
      });
      page.on('pageerror', (error) => {
        if (!isMonacoDisposedModelRace(error)) problems.push({ kind: 'page error', text: error.message });
      });
      page.on('requestfailed', (request) => problems.push({ kind: 'request failed', text: `${request.url()} ${request.failure()?.errorText}` }));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push({ kind: `HTTP ${response.status()}`, text: response.url() });
      });
      await page.goto(environment.editorUrl);
      await page.waitForFunction(() => 'RED' in window && Boolean(window.RED.nodes.getType('sm out')) && document.querySelector('#red-ui-palette') !== null, undefined, { timeout: 60_000 });
      // Notices (such as "imported ...") would cover the dialogs in screenshots.
      await page.addStyleTag({ content: '#red-ui-notifications { display: none !important; }' });
      return page;
    },
    async close() {
      await browser.close();
      await environment.stop();
      await rm(userDir, { recursive: true, force: true });
    },
  };
}
