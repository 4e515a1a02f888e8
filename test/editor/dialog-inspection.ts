// What the topmost editor tray shows, measured in the page: every visible text (with where it appears) and every
// text that does not fit where it is shown (cut off, wrapped onto a second line, wider than its dropdown or input,
// or sticking out of the dialog).
import type { Page } from 'playwright-core';

export interface ShownText {
  /** label, text, option, placeholder, title or button */
  where: string;
  text: string;
}

export interface Misfit {
  what: string;
  text: string;
  /** Width the text needs and width it has, in CSS pixels (or line counts for a wrapped label). */
  needed: number;
  available: number;
}

export interface DialogInspection {
  texts: ShownText[];
  misfits: Misfit[];
  /** The tray's area down to its last visible form content, for a screenshot of the whole dialog. */
  clip: { x: number; y: number; width: number; height: number };
}

export function inspectTopTray(page: Page): Promise<DialogInspection> {
  return page.evaluate(() => {
    const trays = Array.from(document.querySelectorAll<HTMLElement>('.red-ui-tray'));
    const tray = trays[trays.length - 1];
    if (!tray) throw new Error('no editor tray is open');
    const body = tray.querySelector<HTMLElement>('.red-ui-tray-body') ?? tray;
    const codeEditors = '.red-ui-editor-text-container, .ace_editor, .monaco-editor';
    const visible = (element: Element): boolean => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden' && !element.closest(codeEditors);
    };
    const canvas = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    const textWidth = (text: string, element: Element): number => {
      const style = getComputedStyle(element);
      canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      return canvas.measureText(text).width;
    };
    const padding = (element: Element): number => {
      const style = getComputedStyle(element);
      return parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    };
    const texts: ShownText[] = [];
    const misfits: Misfit[] = [];
    const name = (element: Element): string => element.id || element.getAttribute('for') || element.className || element.tagName;

    const walker = document.createTreeWalker(tray, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const parent = node.parentElement;
      if (!text || !parent || !visible(parent) || parent.closest('script, style, option, select')) continue;
      texts.push({ where: parent.closest('label') ? 'label' : parent.closest('button, a.red-ui-button') ? 'button' : 'text', text });
    }
    for (const element of Array.from(tray.querySelectorAll<HTMLElement>('[title]'))) {
      if (visible(element) && element.title.trim()) texts.push({ where: 'title', text: element.title.trim() });
    }

    const trayBox = body.getBoundingClientRect();
    for (const label of Array.from(body.querySelectorAll<HTMLElement>('label'))) {
      if (!visible(label) || !label.textContent?.trim()) continue;
      const text = label.textContent.trim();
      if (label.scrollWidth > label.clientWidth + 1) misfits.push({ what: `label ${name(label)} is cut off`, text, needed: label.scrollWidth, available: label.clientWidth });
      const lineHeight = parseFloat(getComputedStyle(label).lineHeight) || parseFloat(getComputedStyle(label).fontSize) * 1.3;
      const lines = Math.round(label.getBoundingClientRect().height / lineHeight);
      if (lines > 1 && label.getBoundingClientRect().height > lineHeight * 1.6) misfits.push({ what: `label ${name(label)} wraps`, text, needed: lines, available: 1 });
    }
    for (const select of Array.from(body.querySelectorAll<HTMLSelectElement>('select'))) {
      if (!visible(select)) continue;
      const available = select.clientWidth - padding(select) - 14;
      for (const option of Array.from(select.options)) {
        const text = option.textContent?.trim() ?? '';
        if (text) texts.push({ where: 'option', text });
        const needed = textWidth(text, select);
        if (needed > available) misfits.push({ what: `option of ${name(select)} is wider than its dropdown`, text, needed: Math.ceil(needed), available: Math.floor(available) });
      }
    }
    for (const input of Array.from(body.querySelectorAll<HTMLInputElement>('input[placeholder], textarea[placeholder]'))) {
      const text = input.placeholder.trim();
      if (!text || !visible(input)) continue;
      texts.push({ where: 'placeholder', text });
      const needed = textWidth(text, input);
      // A textarea's placeholder wraps onto its rows.
      const rows = input instanceof HTMLTextAreaElement ? input.rows : 1;
      const available = (input.clientWidth - padding(input) + parseFloat(getComputedStyle(input).borderLeftWidth) * 2) * rows;
      if (needed > available) misfits.push({ what: `placeholder of ${name(input)} is cut off`, text, needed: Math.ceil(needed), available: Math.floor(available) });
    }
    for (const button of Array.from(tray.querySelectorAll<HTMLElement>('button, a.red-ui-button'))) {
      if (visible(button) && button.scrollWidth > button.clientWidth + 1) {
        misfits.push({ what: `button ${name(button)} is cut off`, text: button.textContent?.trim() ?? '', needed: button.scrollWidth, available: button.clientWidth });
      }
    }
    for (const row of Array.from(body.querySelectorAll<HTMLElement>('.form-row'))) {
      const parts = Array.from(row.children).filter((child) => visible(child) && getComputedStyle(child).position !== 'absolute');
      if (parts.length < 2) continue;
      const firstBottom = parts[0].getBoundingClientRect().bottom;
      const wrapped = parts.find((part) => part.getBoundingClientRect().top >= firstBottom - 1);
      if (wrapped) misfits.push({ what: `row of ${name(parts[0])} wraps onto a second line`, text: wrapped.textContent?.trim() || name(wrapped), needed: 2, available: 1 });
    }
    for (const control of Array.from(body.querySelectorAll<HTMLElement>('.form-row > input:not([type="hidden"]), .form-row > select, .form-row > .red-ui-typedInput-container'))) {
      if (!visible(control)) continue;
      const row = control.parentElement as HTMLElement;
      const tipped = [control, ...Array.from(row.querySelectorAll('label'))].some((element) => element.getAttribute('title')?.trim());
      if (!tipped) misfits.push({ what: `${name(control)} has no tooltip`, text: row.textContent?.trim().slice(0, 60) ?? '', needed: 1, available: 0 });
    }
    let bottom = trayBox.top;
    for (const element of Array.from(body.querySelectorAll<HTMLElement>('.form-row, .red-ui-editableList, .sm-exports-json, .form-tips, .sm-section'))) {
      if (!visible(element) && !element.matches('.sm-exports-json')) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0) continue;
      bottom = Math.max(bottom, box.bottom);
      if (box.right > trayBox.right + 1) {
        misfits.push({ what: `${name(element)} sticks out of the dialog`, text: element.textContent?.trim().slice(0, 60) ?? '', needed: Math.ceil(box.right - trayBox.left), available: Math.floor(trayBox.width) });
      }
    }
    const trayOuter = tray.getBoundingClientRect();
    return {
      texts,
      misfits,
      clip: { x: trayOuter.left, y: trayOuter.top, width: trayOuter.width, height: Math.min(trayOuter.height, bottom - trayOuter.top + 24) },
    };
  });
}
