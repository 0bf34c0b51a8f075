// The classroom path end to end in Chromium: the landing page's starts reach a first chart in at most two clicks, the
// presentation view on a 1366×768 projector shows one large chart and steps with the arrow keys, and charts keep
// their text at 11 px or more on a phone (scrolling sideways in their own box) while using the column on a desktop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, startE2E, type E2E } from './harness.ts';
import { unfocusableScrollBoxes } from './steps.ts';
import { startTestServer, type TestServer } from '../support/openai-test-server.ts';
import { CHARTS } from '../../src/charts/registry.ts';

let e2e: E2E;
let server: TestServer;

beforeAll(async () => {
  [e2e, server] = await Promise.all([startE2E(), startTestServer({ cors: true, latencyMs: 5, models: ['test-model'], lifetimeMs: 170_000 })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([e2e?.close(), server?.close()]);
});

/** Clicks made through `click`, so a test can say how many it took. */
function counter(page: Page) {
  let clicks = 0;
  return {
    click: async (name: string) => {
      clicks++;
      await page.getByRole('button', { name, exact: true }).click();
    },
    get clicks() {
      return clicks;
    },
  };
}

/** The smallest text of the shown charts in CSS pixels as drawn on screen (font size × the SVG's scale). */
function smallestChartText(page: Page, scope: string): Promise<number> {
  return page.evaluate((selector) => {
    let smallest = Infinity;
    for (const text of document.querySelectorAll<SVGTextElement>(`${selector} .chart-box > svg text`)) {
      const box = text.getBoundingClientRect();
      if (box.width === 0) continue;
      const svg = text.closest('.chart-box > svg') as SVGSVGElement;
      const view = svg.viewBox.baseVal;
      const rect = svg.getBoundingClientRect();
      const scale = Math.min(rect.width / view.width, rect.height / view.height);
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
    return smallest;
  }, scope);
}

const chartShown = (page: Page) => page.locator('.stage .chart-box > svg').first().waitFor({ timeout: 30_000 });

describe('the landing page', () => {
  it('says what the lab is and offers three starts and the Study form', async () => {
    const { page, errors } = await e2e.newPage();
    await page.goto(e2e.url);
    await page.getByRole('heading', { name: 'Do language models refuse some people more than others?' }).waitFor();
    for (const name of ['See it now', 'Run a model on this computer', 'Use a server']) {
      await expect(page.getByRole('heading', { name, exact: false }).count()).resolves.toBeGreaterThan(0);
    }
    await expect(page.getByText('Simulated — not a model').count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'set up your own study' }).getAttribute('href')).resolves.toBe('#/study');
    await screenshot(page, 'landing');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'landing-phone');
    expect(errors).toEqual([]);
  });

  it('"See it now" runs the classroom study in the simulator and shows the persona effect after one click', async () => {
    const { page, errors } = await e2e.newPage();
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(e2e.url);
    const ui = counter(page);
    await ui.click('See it now');
    await chartShown(page);
    expect(ui.clicks).toBe(1);
    expect(page.url()).toContain('#/present');
    await expect(page.locator('section.present').getAttribute('data-chart')).resolves.toBe('persona-rates');
    // The run finishes and the persona effect clears the noise.
    await expect.poll(() => page.locator('[data-testid=present-facts]').textContent(), { timeout: 60_000 }).toMatch(/^\s*560 responses of 560/);
    await expect(page.locator('[data-testid=present-facts]').textContent()).resolves.toContain('persona effect beyond noise');
    await expect(page.getByText('Simulated — not a model').count()).resolves.toBeGreaterThan(0);

    // The projector: one chart, the screen's width, text readable from the back of the room.
    await expect(page.locator('.stage .chart-box > svg').count()).resolves.toBe(1);
    const width = await page.locator('.stage .chart-box > svg').evaluate((svg) => svg.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(1300);
    await expect(smallestChartText(page, '.stage')).resolves.toBeGreaterThanOrEqual(16);
    const title = await page.locator('.stage .chart-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(title).toBeGreaterThanOrEqual(28);
    // The chart and the bar fit the 768 px screen without scrolling.
    await expect(page.evaluate(() => document.documentElement.scrollHeight)).resolves.toBeLessThanOrEqual(768);
    await screenshot(page, 'present-projector');

    // Arrow keys step through the registry, in its order, and wrap.
    const at = () => page.locator('section.present').getAttribute('data-chart');
    const start = CHARTS.findIndex((c) => c.id === 'persona-rates');
    await page.keyboard.press('ArrowRight');
    await expect.poll(at).toBe(CHARTS[start + 1].id);
    await expect(page.locator('[data-testid=present-position]').textContent()).resolves.toBe(`${start + 2} / ${CHARTS.length}`);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(at).toBe(CHARTS[start - 1].id);
    expect(page.url()).toContain(`chart=${CHARTS[start - 1].id}`);

    // Its own link: a teacher opens a chart directly.
    await page.goto(`${e2e.url}#/present?chart=sensitivity`);
    await chartShown(page);
    await expect(at()).resolves.toBe('sensitivity');

    // Phone width: the chart still draws, and its text does not shrink below 11 px.
    await page.goto(`${e2e.url}#/present`);
    await page.setViewportSize({ width: 390, height: 844 });
    await chartShown(page);
    await expect.poll(() => smallestChartText(page, '.stage')).toBeGreaterThanOrEqual(11);
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'present-phone');

    // The Results page: contents, rows so far, noise marks; charts use the column on a desktop.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${e2e.url}#/results`);
    await page.locator('[data-testid=results-rows]', { hasText: '560 responses so far, of 560 planned' }).waitFor({ timeout: 30_000 });
    await expect(page.getByRole('navigation', { name: 'Charts on this page' }).getByRole('link').count()).resolves.toBe(CHARTS.length);
    await expect(page.locator('[data-testid=noise-marks] [data-factor=persona]').textContent()).resolves.toContain('beyond noise');
    await expect(page.locator('[data-testid=noise-personas]').textContent()).resolves.toMatch(/clear of it \(.*a Black person above/);
    const heatmap = page.locator('#chart-rate-heatmap .chart-box > svg');
    const [shown, natural] = await heatmap.evaluate((svg) => [svg.getBoundingClientRect().width, Number(svg.getAttribute('width'))]);
    expect(shown).toBeGreaterThan(natural * 1.3);
    await expect(smallestChartText(page, '#page')).resolves.toBeGreaterThanOrEqual(11);
    await page.getByRole('link', { name: CHARTS[5].title }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`chart-${CHARTS[5].id}`);
    expect(page.url()).toContain('#/results');

    // On a phone the chart text stays at 11 px or more; wide charts scroll sideways in a box the keyboard can reach.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => smallestChartText(page, '#page')).toBeGreaterThanOrEqual(11);
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await expect(unfocusableScrollBoxes(page)).resolves.toEqual([]);
    expect(errors).toEqual([]);
  }, 150_000);

  it('"Use a server" takes the endpoint and runs the classroom study on it: a chart after two clicks', async () => {
    const { page, errors } = await e2e.newPage();
    await page.goto(e2e.url);
    const ui = counter(page);
    await ui.click('Enter the server');
    await page.locator('input[name=endpoint-url]').fill(server.url);
    await page.locator('input[name=endpoint-model]').fill('test-model');
    await ui.click('Run the classroom study on this server');
    await chartShown(page);
    expect(ui.clicks).toBe(2);
    await expect(page.locator('section.present').getAttribute('data-chart')).resolves.toBe('persona-rates');
    await expect(page.getByText('Simulated — not a model').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('"Run a model on this computer" checks WebGPU in place: the model, its size and the expected time, or why not', async () => {
    const { page, errors } = await e2e.newPage();
    await page.goto(e2e.url);
    await page.getByRole('button', { name: 'Check this computer' }).click();
    const check = page.locator('[data-testid=gpu-check]');
    await check.filter({ hasNotText: 'Checking WebGPU…' }).waitFor();
    const text = (await check.textContent()) ?? '';
    // Headless Chromium may or may not find an adapter; either way the start says what happens next.
    if (text.includes('cannot run models')) expect(text).toMatch(/other starts/);
    else {
      expect(text).toMatch(/Llama 3\.2 1B.*MB to download/s);
      await expect(page.locator('[data-testid=gpu-estimate]').textContent()).resolves.toMatch(/^about \d+ minutes?$/);
      await expect(page.getByRole('button', { name: 'Download and run' }).count()).resolves.toBe(1);
    }
    const { page: bare } = await e2e.newPage({ noWebGPU: true });
    await bare.goto(e2e.url);
    await bare.getByRole('button', { name: 'Check this computer' }).click();
    await bare.locator('[data-testid=gpu-check]', { hasText: 'This browser cannot run models' }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});
