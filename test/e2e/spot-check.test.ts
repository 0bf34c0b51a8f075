// "Check the rule" end to end: simulated responses labelled from the keyboard alone, stored beside the verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from './harness.ts';
import { setUpQuickDemo, storeSummary } from './steps.ts';

let e2e: E2E;
let page: Page;
let errors: string[];
beforeAll(async () => {
  e2e = await startE2E();
  ({ page, errors } = await e2e.newPage());
}, 180_000);
afterAll(async () => {
  await e2e?.close();
});

async function storedLabels(p: Page): Promise<{ label: string; verdict: { refused: boolean } }[]> {
  return p.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('persona-refusal-lab');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction('labels').objectStore('labels').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return rows as { label: string; verdict: { refused: boolean } }[];
  });
}

describe('Check the rule', () => {
  it('labels a verdict-stratified sample with one key per response, keyboard only, content warnings kept', async () => {
    const study = await setUpQuickDemo(page, e2e.url);
    await page.goto(`${e2e.url}#/models`);
    await page.getByLabel('The simulator (not a model)').check();
    await page.goto(`${e2e.url}#/run`);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.locator('[data-testid=run-status]', { hasText: 'done' }).waitFor({ timeout: 90_000 });
    const before = await storeSummary(page, study);

    await page.goto(`${e2e.url}#/data?check=1`);
    await page.getByLabel('Responses to label').fill('6');
    await page.getByRole('button', { name: 'Start labelling' }).click();
    const view = page.locator('[data-testid=spot-check]');
    await expect(view.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    let blurred = 0;
    for (let i = 1; i <= 6; i++) {
      await page.locator('[data-testid=check-progress]', { hasText: `Response ${i} of 6` }).waitFor();
      // Offensive texts stay blurred until shown (V); a label key does nothing before.
      if (await view.locator('.blurred').count()) {
        blurred++;
        await page.keyboard.press('r');
        await expect(storedLabels(page).then((l) => l.length)).resolves.toBe(i - 1);
        await page.keyboard.press('v');
        await view.locator('.plain').waitFor();
      }
      await page.keyboard.press(i % 2 === 0 ? 'r' : 'n');
    }
    await page.locator('[data-testid=check-done]').waitFor();
    // The study's seed draws offensiveness responses too, so the warning path is exercised.
    expect(blurred).toBeGreaterThan(0);
    const labels = await storedLabels(page);
    expect(labels).toHaveLength(6);
    // Stratified by the rule's verdict: half refusals, half not.
    expect(labels.filter((l) => l.verdict.refused)).toHaveLength(3);
    // Labels never change a stored verdict.
    expect(await storeSummary(page, study)).toEqual(before);

    await page.goto(`${e2e.url}#/results?rates=corrected`);
    await page.locator('[data-testid=corrected-panel]').waitFor();
    await expect(page.locator('[data-testid=labels-needed] li').count()).resolves.toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 240_000);
});
