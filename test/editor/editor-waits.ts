// Waits on what the editor shows, instead of sleeping while it animates: a tray (node dialog, config dialog, export
// destination, the sidebar's form) that has slid in, a notification that has slid down.
import type { Page } from 'playwright-core';
import './editor-window';

const TIMEOUT_MS = 10_000;

/**
 * Resolves once the topmost tray stands in place (its slide has ended) and, when `focused`, holds the focus: Node-RED
 * sizes a tray and moves the focus into it while it slides in, and only then is it ready for typing and screenshots.
 * `focused: false` is for a lower tray that slides back when the one above it closes, and takes no focus.
 */
export async function trayInPlace(page: Page, { focused = true }: { focused?: boolean } = {}): Promise<void> {
  await page.waitForFunction(
    (needsFocus) => {
      const trays = document.querySelectorAll('.red-ui-tray');
      const top = trays[trays.length - 1];
      if (!top || getComputedStyle(top).right !== '0px' || top.getAnimations().length > 0) return false;
      return !needsFocus || top.contains(document.activeElement);
    },
    focused,
    { timeout: TIMEOUT_MS, polling: 'raf' },
  );
}

/** Resolves once the notification matching `selector` is shown and has finished sliding down. */
export async function notificationShown(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  await page.waitForFunction(
    (notification) => {
      const element = document.querySelector(notification);
      return element !== null && !window.jQuery(element).is(':animated');
    },
    selector,
    { timeout: TIMEOUT_MS, polling: 'raf' },
  );
}

/**
 * Resolves once the tray holding `selector` has closed (the element is gone) and the tray below it, if there is one,
 * has slid back into place. Node-RED puts the lower tray back in the same step in which it removes the closed one.
 */
export async function trayClosed(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'detached', timeout: TIMEOUT_MS });
  if ((await page.locator('.red-ui-tray').count()) > 0) await trayInPlace(page, { focused: false });
}

/** Resolves once the export editor's JSON view is shown and its code editor has drawn a text containing `text`. */
export async function exportJsonViewShows(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const views = document.querySelectorAll<HTMLElement>('.red-ui-tray .sm-exports-json');
      const view = views[views.length - 1];
      // The code editor draws spaces as no-break spaces.
      return view !== undefined && view.offsetParent !== null && (view.textContent ?? '').replace(/\u00a0/g, ' ').includes(wanted);
    },
    text,
    { timeout: TIMEOUT_MS, polling: 'raf' },
  );
}
