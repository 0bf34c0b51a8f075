// Explore on a projector (1366x768): all 16 persona rows x 9 templates of the quick demo on one screen, each row with
// its tally, a clicked cell's response in the side panel. Screenshots at projector and phone width for reviewers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startE2E, type E2E } from './harness.ts';
import { setUpQuickDemo } from './steps.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
}, 180_000);
afterAll(async () => {
  await e2e?.close();
});

describe('Explore for a projector', () => {
  it('shows all 16 persona rows at 1366x768 without scrolling, and a clicked cell in the side panel', async () => {
    const { page, errors } = await e2e.newPage();
    await setUpQuickDemo(page, e2e.url);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${e2e.url}#/explore`);
    await page.locator('[data-testid=explore-grid]').waitFor();
    await page.getByRole('button', { name: /^Ask / }).click();
    await expect.poll(async () => (await page.locator('[data-testid=persona-tally]').allTextContents()).every((t) => t.endsWith('/9')), { timeout: 30_000 }).toBe(true);
    const rows = page.locator('[data-testid=explore-row]');
    expect(await rows.count()).toBe(16);
    const cells = page.locator('[data-testid=explore-grid] button.cell');
    expect(await cells.count()).toBe(144);
    // Every row and every cell lies inside the 1366x768 screen: nothing to scroll to.
    await page.evaluate(() => window.scrollTo(0, 0));
    const boxes = await cells.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ bottom: r.bottom, right: r.right })));
    expect(Math.max(...boxes.map((b) => b.bottom))).toBeLessThanOrEqual(768);
    expect(Math.max(...boxes.map((b) => b.right))).toBeLessThanOrEqual(1366);
    await cells.nth(20).click();
    await expect.poll(() => page.locator('[data-testid=explore-response]').count()).toBe(1);
    await screenshot(page, 'explore-projector-1366x768');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'explore-phone-390');
    expect(errors).toEqual([]);
  }, 180_000);
});
