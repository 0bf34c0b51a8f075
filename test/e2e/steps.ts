// Steps and store checks shared by the e2e tests.
import type { Page } from 'playwright-core';

/** Opens the Study page, loads the quick-demo preset, waits for the plan and saves it; returns the study id. */
export async function setUpQuickDemo(page: Page, url: string): Promise<string> {
  await page.goto(`${url}#/study`);
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.locator('[data-testid=plan-rows]').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Use this study' }).click();
  const saved = page.getByText(/Saved as study/);
  await saved.waitFor();
  return (await saved.locator('code').textContent()) ?? '';
}

export interface StoreSummary {
  responses: number;
  refusals: number;
  distinctKeys: number;
  rules: string[];
  byTask: Record<string, { n: number; refusals: number }>;
  cells: { n: number; refusals: number };
}

/** Counts straight from IndexedDB (not through the app), to check what the pages show. */
export async function storeSummary(page: Page, study: string): Promise<StoreSummary> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('persona-refusal-lab');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    type R = { study: string; model: string; task: string; item: string; persona: string; template: string; refused: boolean; rule: string };
    // Responses are stored in blocks, one per study x model x task x item (src/store/db.ts, StoredBlock).
    type B = { study: string; model: string; task: string; item: string; rows: Omit<R, 'study' | 'model' | 'task' | 'item'>[] };
    const responses = (await all<B>('blocks'))
      .filter((b) => b.study === id)
      .flatMap((b) => b.rows.map((row): R => ({ ...row, study: b.study, model: b.model, task: b.task, item: b.item })));
    const cells = (await all<{ study: string; n: number; refusals: number }>('cells')).filter((c) => c.study === id);
    db.close();
    const byTask: Record<string, { n: number; refusals: number }> = {};
    for (const r of responses) {
      byTask[r.task] ??= { n: 0, refusals: 0 };
      byTask[r.task].n++;
      if (r.refused) byTask[r.task].refusals++;
    }
    return {
      responses: responses.length,
      refusals: responses.filter((r) => r.refused).length,
      distinctKeys: new Set(responses.map((r) => `${r.model}|${r.task}|${r.item}|${r.persona}|${r.template}`)).size,
      rules: [...new Set(responses.map((r) => r.rule))].sort(),
      byTask,
      cells: { n: cells.reduce((a, c) => a + c.n, 0), refusals: cells.reduce((a, c) => a + c.refusals, 0) },
    };
  }, study);
}

/** Boxes on the page that scroll but cannot take focus (keyboard users could not scroll them), by tag and class. */
export async function unfocusableScrollBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('main *')]
      .filter((el) => {
        const style = getComputedStyle(el);
        const scrolls = [style.overflowX, style.overflowY].some((o) => o === 'auto' || o === 'scroll');
        return scrolls && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) && el.tabIndex < 0;
      })
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`),
  );
}

/** WCAG contrast ratio of two computed CSS colours (`rgb(…)`/`rgba(…)`; alpha is blended over white). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl, alpha = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
    const channel = (v: number) => {
      const c = (v * alpha + 255 * (1 - alpha)) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(bl);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
