// The built site from a sub-path: every page opens from a deep link and reopens on reload; relative URLs only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

describe('the built site', () => {
  it('opens every page from a deep link under a sub-path, and a reload reopens the same page', async () => {
    const { page, errors } = await e2e.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    for (const route of ['study', 'models', 'run', 'results', 'explore', 'data', 'about', 'workshop']) {
      await page.goto(`${e2e.url}#/${route}`);
      await page.locator(`main[data-route=${route}] h2`).first().waitFor();
      await page.reload();
      await page.locator(`main[data-route=${route}] h2`).first().waitFor();
      await expect(page.locator('nav a[aria-current=page]').getAttribute('href')).resolves.toBe(`#/${route}`);
    }
    const origin = new URL(e2e.url).origin;
    const local = requested.filter((u) => u.startsWith(origin));
    expect(local.length).toBeGreaterThan(0);
    // Everything the site loads comes from under its own sub-path (it would 404 otherwise on GitHub Pages).
    expect(local.filter((u) => !u.startsWith(e2e.url))).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
