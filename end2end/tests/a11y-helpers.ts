import { expect, Locator, Page, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated } from './helpers';

// The accessibility checks the specs share (issue 12): an axe-core audit for WCAG 2.2 A/AA, a
// reflow check at 320 CSS px, and keyboard steps that check the focus stays visible.

/** The axe-core rule tags audited: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The narrowest viewport a page must fit without scrolling sideways (WCAG 1.4.10 Reflow). */
export const REFLOW_VIEWPORT = { width: 320, height: 800 };

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type Violation = AxeResults['violations'][number];

/**
 * Runs axe-core on the page as it is now.
 *
 * Hydrated, axe runs in the page itself. Without JavaScript it cannot: axe-core is injected into
 * the page and runs asynchronously there, and Chromium runs nothing of a page whose scripts are
 * disabled beyond a synchronous evaluation (see dequelabs/axe-core-npm#529). So the no-JS page's
 * DOM, exactly as the server sent it and the steps left it, is copied without its <script>
 * elements into a page of a JavaScript-enabled context at the same address (the document is
 * answered from the copy; the stylesheet and images load from the portal with the same
 * cookies; the WASM and its loader are refused), and axe audits that copy.
 */
async function axeResults(page: Page): Promise<AxeResults> {
  const audit = (p: Page) => new AxeBuilder({ page: p }).withTags(WCAG_TAGS).analyze();
  if (hydrated()) return audit(page);

  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script\s*>/gi, '');
  const browser = page.context().browser();
  if (!browser) throw new Error('the page has no browser to open an audit copy in');
  const context = await browser.newContext({
    javaScriptEnabled: true,
    viewport: page.viewportSize() ?? undefined,
  });
  try {
    await context.addCookies(await page.context().cookies());
    const copy = await context.newPage();
    await copy.route('**/*', async (route) => {
      const request = route.request();
      if (request.isNavigationRequest() && request.frame() === copy.mainFrame()) {
        await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      } else if (request.resourceType() === 'script' || /\.wasm(\?|$)/.test(request.url())) {
        await route.abort();
      } else {
        await route.continue();
      }
    });
    await copy.goto(page.url());
    return await audit(copy);
  } finally {
    await context.close();
  }
}

/** The violations as a reader can act on them: rule, impact, help, where, and what to fix. */
export function describeViolations(label: string, url: string, violations: Violation[]): string {
  const lines = [`${label} (${url}) has ${violations.length} axe violation(s) of ${WCAG_TAGS.join(' ')}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'no impact given'}]: ${v.help}  (${v.helpUrl})`);
    for (const node of v.nodes.slice(0, 6)) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' | ');
      lines.push(`    at ${target}`);
      lines.push(`       ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (node.failureSummary) {
        lines.push(`       ${node.failureSummary.replace(/\s*\n\s*/g, ' / ')}`);
      }
    }
    if (v.nodes.length > 6) lines.push(`    … and ${v.nodes.length - 6} more element(s)`);
  }
  return lines.join('\n');
}

/** What made a page wider than its viewport, if anything. */
interface Overflow {
  scrollWidth: number;
  clientWidth: number;
  /** The elements that stick out, outermost first, widest first. */
  culprits: string[];
}

/**
 * Measures the page at 320 CSS px wide and puts the viewport back as it was. The culprits are
 * the elements whose right edge passes the viewport's while their parent's does not (where the
 * overflow starts), leaving out those inside a scrolling or clipping box (a wide table in its
 * own scroll container is allowed by WCAG 1.4.10) and fixed ones.
 */
export async function measureReflow(page: Page): Promise<Overflow> {
  const before = page.viewportSize();
  await page.setViewportSize(REFLOW_VIEWPORT);
  try {
    // Synchronous on purpose: it also runs in the no-JS pages (Chromium evaluates it there).
    return await page.evaluate(() => {
      const root = document.documentElement;
      const clientWidth = root.clientWidth;
      const scrollWidth = root.scrollWidth;
      const culprits: string[] = [];
      if (scrollWidth > clientWidth) {
        const sticksOut = (el: Element) => el.getBoundingClientRect().right > clientWidth + 0.5;
        const contained = (el: Element) => {
          for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
          }
          return false;
        };
        const found: { el: Element; right: number; width: number }[] = [];
        for (const el of Array.from(document.body.querySelectorAll('*'))) {
          const style = getComputedStyle(el);
          if (style.display === 'none' || style.position === 'fixed') continue;
          if (!sticksOut(el) || contained(el)) continue;
          const parent = el.parentElement;
          if (parent && parent !== document.body && sticksOut(parent)) continue;
          const rect = el.getBoundingClientRect();
          found.push({ el, right: rect.right, width: rect.width });
        }
        found.sort((a, b) => b.width - a.width || b.right - a.right);
        for (const { el, right, width } of found.slice(0, 5)) {
          const classes = Array.from(el.classList).map((c) => `.${c}`).join('');
          const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
          culprits.push(
            `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${classes}> ` +
              `${Math.round(width)} px wide, right edge at ${Math.round(right)} px` +
              (text ? ` ("${text}")` : ''),
          );
        }
      }
      return { scrollWidth, clientWidth, culprits };
    });
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * Checks the page as it is now: zero axe violations for `WCAG_TAGS`, then no sideways scrolling
 * at 320 CSS px. `ready` is something the page shows once its data is in (its heading), waited
 * for first. Failures are soft: the walk goes on, and the run lists every page's problems.
 */
export async function checkPage(page: Page, label: string, ready: Locator) {
  await test.step(`accessibility of ${label}`, async () => {
    await expect(ready, `${label} did not show what it should`).toBeVisible();
    if (hydrated()) await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const url = page.url();

    const { violations, incomplete } = await axeResults(page);
    expect
      .soft(violations.map((v) => v.id), describeViolations(label, url, violations))
      .toEqual([]);
    // axe leaves duplicate ids "to review" (incomplete); two elements with one id break a
    // label or an error summary's link, so they count as failures here.
    const duplicates = incomplete.filter((v) => v.id.startsWith('duplicate-id'));
    expect
      .soft(duplicates.map((v) => v.id), describeViolations(label, url, duplicates))
      .toEqual([]);
    // Any id used twice (a `<label for>` or a summary link then reaches the wrong element,
    // which axe does not report).
    const twice = await page.evaluate(() => {
      const seen = new Map<string, number>();
      for (const el of Array.from(document.querySelectorAll('[id]'))) {
        seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
      }
      return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    });
    expect.soft(twice, `${label} (${url}) uses these ids more than once`).toEqual([]);

    const reflow = await measureReflow(page);
    expect
      .soft(
        reflow.scrollWidth,
        `${label} (${url}) scrolls sideways at ${REFLOW_VIEWPORT.width} CSS px: the page is ` +
          `${reflow.scrollWidth} px wide in a ${reflow.clientWidth} px viewport. Widest elements ` +
          `sticking out:\n  ${reflow.culprits.join('\n  ') || '(none found outside scroll containers)'}`,
      )
      .toBeLessThanOrEqual(reflow.clientWidth);
  });
}

/** The focused element, named for a failure message, and whether its focus can be seen. */
interface Focused {
  /** Nothing but the document itself has focus (e.g. between the last and the first stop). */
  document: boolean;
  description: string;
  /** A visible outline, or a box-shadow. */
  indicated: boolean;
  style: string;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
      return { document: true, description: el ? el.tagName.toLowerCase() : '(nothing)', indicated: true, style: '' };
    }
    const s = getComputedStyle(el);
    // The portal's own ring (a solid outline of 3 px), not the browser's default `auto 1px`.
    const outline = s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2;
    const labels = (el as HTMLInputElement).labels;
    const name = (
      el.getAttribute('aria-label') ||
      (labels && labels.length ? labels[0].textContent : '') ||
      el.textContent ||
      el.getAttribute('name') ||
      ''
    ).replace(/\s+/g, ' ').trim().slice(0, 50);
    const type = el.getAttribute('type');
    return {
      document: false,
      description: `<${el.tagName.toLowerCase()}${type ? ` type=${type}` : ''}${el.id ? `#${el.id}` : ''}> "${name}"`,
      indicated: outline,
      style: `outline: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; box-shadow: ${s.boxShadow}`,
    };
  });
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `target` has focus, at most `max` times. At
 * each stop the focused element must show where the focus is (an outline with a width, or a
 * box-shadow; soft, so the walk goes on). Fails with every stop seen when the target is not
 * reached, which also shows where the focus went round or got stuck.
 */
export async function tabTo(page: Page, target: Locator, { max = 60, backwards = false } = {}) {
  await expect(target, 'the element to Tab to is not on the page').toBeVisible();
  const isFocused = () => target.evaluate((el) => el === document.activeElement, undefined, { timeout: 5_000 });
  if (await isFocused()) return;
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    seen.push(now.description);
    if (!now.document) {
      expect
        .soft(now.indicated, `no visible focus indicator on ${now.description} at ${page.url()} (${now.style})`)
        .toBe(true);
    }
    if (await isFocused()) return;
  }
  throw new Error(
    `${backwards ? 'Shift+Tab' : 'Tab'} did not reach ${target} in ${max} presses at ${page.url()}; ` +
      `focus went to:\n  ${seen.join('\n  ')}`,
  );
}

/** Tabs to `target` and types `text` into it, as a keyboard user fills a field. */
export async function tabAndType(page: Page, target: Locator, text: string) {
  await tabTo(page, target);
  await page.keyboard.type(text);
  await expect(target).toHaveValue(text);
}
