import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe('the built site', () => {
  it('opens from a sub-path', async () => {
    const { page, errors } = await e2e.newPage();
    await page.goto(e2e.url);
    await expect(page.locator('h1').first().textContent()).resolves.toContain('Persona Refusal Lab');
    expect(errors).toEqual([]);
  });
});
