import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The rules of WCAG 2.1 levels A and AA, the level GB/T 37668 points to. */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What stops a release; moderate and minor findings are printed but do not fail the run. */
const BLOCKING = ['critical', 'serious'];

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** One line per rule: its impact, id, how many elements, and the first few of them with axe's reason. */
function describe(v: Violation): string {
  const nodes = v.nodes.slice(0, 3).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`);
  const more = v.nodes.length > 3 ? [`    … ${v.nodes.length - 3} more`] : [];
  return [`${v.impact} ${v.id} × ${v.nodes.length}: ${v.help}`, ...nodes, ...more].join('\n');
}

function countByImpact(violations: Violation[]): Record<string, number> {
  const counts: Record<string, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) counts[v.impact ?? 'minor'] = (counts[v.impact ?? 'minor'] ?? 0) + v.nodes.length;
  return counts;
}

/**
 * axe-core on the page as it stands, against WCAG 2.1 A/AA: prints the count per impact for
 * `screen` and fails on any critical or serious violation. Call it once the screen is fully
 * shown (its data loaded), since axe only sees what is in the page.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG21_AA_TAGS).analyze();
  const counts = countByImpact(violations);
  console.log(`[a11y] ${screen}: ${Object.entries(counts).map(([impact, n]) => `${impact} ${n}`).join(', ')}`);
  const blocking = violations.filter((v) => BLOCKING.includes(v.impact ?? ''));
  // Soft: one run reports every screen of a test, and the test still fails at its end.
  expect.soft(blocking.map(describe).join('\n'), `critical and serious WCAG 2.1 A/AA violations on ${screen}`).toBe('');
}

/**
 * Presses Tab `stops` times from where the focus is and fails on any element that then shows
 * no focus indicator: neither an outline (the :focus-visible ring) nor a box-shadow (fields).
 */
export async function expectFocusRings(page: Page, screen: string, stops: number): Promise<void> {
  const bare: string[] = [];
  let reached = 0;
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!(el instanceof HTMLElement) || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { ring, what: el.outerHTML.slice(0, 100) };
    });
    if (!focused) continue;
    reached++;
    if (!focused.ring) bare.push(focused.what);
  }
  console.log(`[a11y] ${screen}: ${reached} focus stops, ${bare.length} without a visible ring`);
  expect(reached, `Tab reaches elements on ${screen}`).toBeGreaterThan(0);
  expect.soft(bare, `focus stops without a visible ring on ${screen}`).toEqual([]);
}
