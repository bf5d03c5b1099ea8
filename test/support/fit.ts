import type { Page } from 'playwright-core';

/** A control that does not fit: what it is and why. */
export interface Misfit {
  control: string;
  problem: string;
}

/**
 * Runs in the page (plain JavaScript as text: the test project's TypeScript has no DOM types). See
 * misfits() for what it reports.
 */
const FIT_SCRIPT = `(vertical) => {
  const out = [];
  const w = window.innerWidth;
  const h = window.innerHeight;
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > w + 1) {
    out.push({ control: 'page', problem: 'scrolls horizontally (' + doc.scrollWidth + ' > ' + w + ')' });
  }
  const name = (el) => {
    const id = el.getAttribute('data-testid') || el.getAttribute('data-child-id') || '';
    const text = (el.textContent || '').trim().slice(0, 30);
    return el.tagName.toLowerCase() + (id === '' ? '' : '[' + id + ']') + ' "' + text + '"';
  };
  const scroller = (el) => {
    for (let p = el.parentElement; p !== null && p !== document.documentElement; p = p.parentElement) {
      const oy = getComputedStyle(p).overflowY;
      if ((oy === 'auto' || oy === 'scroll') && p.scrollHeight > p.clientHeight + 1) return p;
    }
    return null;
  };
  const box = (r) => Math.round(r.left) + ',' + Math.round(r.top) + '-' + Math.round(r.right) + ',' + Math.round(r.bottom);
  // While a modal dialog is open, the rest of the page is inert: only the dialog's controls must fit.
  const modal = document.querySelector('dialog:modal');
  const controls = (modal || document).querySelectorAll('button, input, select, textarea, a[href], [role="button"]');
  for (const el of controls) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.tagName === 'INPUT' && el.type === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Scrolled out of a list that scrolls vertically on purpose: reachable by scrolling that list, so
    // the list is what has to fit (its visible controls are checked like any other).
    const list = scroller(el);
    if (list !== null) {
      const lr = list.getBoundingClientRect();
      if ((r.top < lr.top - 1 || r.bottom > lr.bottom + 1) && r.left >= lr.left - 1 && r.right <= lr.right + 1) {
        continue;
      }
    }
    const outside = r.left < -1 || r.right > w + 1 || (vertical && (r.top < -1 || r.bottom > h + 1));
    if (outside) {
      out.push({ control: name(el), problem: 'outside the viewport (' + box(r) + ')' });
      continue;
    }
    // Below the fold of a page that scrolls on purpose: reachable by scrolling.
    if (r.bottom > h || r.top < 0) continue;
    for (let p = el.parentElement; p !== null; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
      const pr = p.getBoundingClientRect();
      if (r.left < pr.left - 1 || r.right > pr.right + 1 || r.top < pr.top - 1 || r.bottom > pr.bottom + 1) {
        out.push({ control: name(el), problem: 'clipped by ' + p.tagName.toLowerCase() + '.' + p.className });
        break;
      }
    }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (hit !== null && hit !== el && !el.contains(hit) && !hit.contains(el)) {
      out.push({ control: name(el), problem: 'covered by ' + name(hit) });
    }
  }
  return out;
}`;

/**
 * The visible controls (buttons, inputs, selects, links, elements with role button) a person could not
 * use at the page's viewport: outside it (vertically only with `vertical`: a page that scrolls on purpose
 * may hold controls below the fold), clipped by an ancestor that hides overflow (one scrolled out of a
 * list that scrolls vertically is reachable, not clipped), or covered at their centre by something else;
 * and a horizontal scroll of the page itself. Empty when everything fits. While a modal dialog is open,
 * only its controls count: the page behind it is inert.
 */
export async function misfits(page: Page, options: { vertical: boolean }): Promise<Misfit[]> {
  const found: unknown = await page.evaluate(`(${FIT_SCRIPT})(${JSON.stringify(options.vertical)})`);
  return found as Misfit[];
}
