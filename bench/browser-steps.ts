// Steps the browser benches share (bench/browser-run.ts, bench/browser-big.ts): each drives the built site as a user would.
import type { Page } from 'playwright-core';

/** Sets up the paper's design on the Study page and saves it; returns the study's id. */
export async function setUpPaperStudy(page: Page, url: string): Promise<string> {
  await page.goto(`${url}#/study`);
  await page.getByRole('button', { name: "The paper's design" }).click();
  await page.locator('[data-testid=plan-rows]').waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Use this study' }).click();
  const saved = page.getByText(/Saved as study/);
  await saved.waitFor({ timeout: 120_000 });
  return (await saved.locator('code').textContent()) ?? '';
}
