// What the sidebar's browser tests share: showing the tab, and what they check on every view (no text that is still a
// catalog key, nothing pushed out of view).
import type { Page } from 'playwright-core';
import '../editor/editor-window';

export const SIDEBAR_TAB = 'greengrass-stream-manager';

/** Shows the Stream Manager tab once the flows are in: the editor shows its last tab itself when it has loaded them. */
export async function showSidebar(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean(window.RED.workspaces.active()), undefined, { timeout: 30_000 });
  await page.waitForFunction(
    (tab) => {
      window.RED.sidebar.show(tab);
      const sidebar = document.querySelector('.sm-sidebar') as HTMLElement | null;
      return Boolean(sidebar && sidebar.offsetParent !== null);
    },
    SIDEBAR_TAB,
    { timeout: 30_000, polling: 500 },
  );
}

/** Text in the sidebar that still looks like a catalog key: a translation is missing. */
export async function untranslated(page: Page, selector: string): Promise<string[]> {
  const text = await page.locator(selector).first().innerText();
  return text.split('\n').filter((line) => /stream-manager-sidebar:|\b(sidebar|state|sort|stream|detail|messages|deadLetters|form|delete|health)\.[a-z][A-Za-z]+\b/.test(line));
}

/** Visible elements that reach past the right edge of their container: cut off from view. */
export async function cutOff(page: Page, containerSelector: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const container = document.querySelector(selector);
    if (!container) return [`${selector} missing`];
    const edge = container.getBoundingClientRect().right + 1;
    const found: string[] = [];
    Array.from(container.querySelectorAll('*')).forEach((element) => {
      if (element.closest('pre')) return;
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && box.right > edge) found.push(`${element.tagName}.${element.className}: "${(element.textContent ?? '').slice(0, 40)}"`);
    });
    return found;
  }, containerSelector);
}
