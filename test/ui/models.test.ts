import { describe, expect, it } from 'vitest';
import { ModelChoice, type KeyValueStorage } from '../../src/ui/models.svelte.ts';

class MemoryStorage implements KeyValueStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('ModelChoice', () => {
  it('defaults to the simulator, stored under a simulated: name', () => {
    const m = new ModelChoice(null, null);
    expect(m.spec).toEqual({ ok: true, spec: { backend: 'simulator', model: 'Llama2-13B' } });
    expect(m.recordName).toBe('simulated:Llama2-13B');
    expect(m.simulated).toBe(true);
  });

  it.each([
    ['webllm', {}, 'Pick a model from the catalogue'],
    ['openai', { baseUrl: '' }, 'Enter the endpoint base URL'],
    ['openai', { model: '' }, 'Choose the endpoint model'],
  ] as const)('%s with %o says what is missing', (backend, endpoint, message) => {
    const m = new ModelChoice(null, null);
    m.backend = backend;
    m.endpoint = { ...m.endpoint, ...endpoint };
    const spec = m.spec;
    expect(spec.ok).toBe(false);
    if (!spec.ok) expect(spec.message).toContain(message);
  });

  it.each([
    { budget: null, expected: { backend: 'webllm', model: 'Qwen2.5-7B-Instruct-q4f32_1-MLC' } },
    { budget: 12_288, expected: { backend: 'webllm', model: 'Qwen2.5-7B-Instruct-q4f32_1-MLC', budgetMB: 12_288 } },
  ])('a web-llm run carries the GPU memory budget set on the Models page ($budget MB) and keeps it across reloads', ({ budget, expected }) => {
    const local = new MemoryStorage();
    const m = new ModelChoice(local, null);
    m.backend = 'webllm';
    m.webllmModel = 'Qwen2.5-7B-Instruct-q4f32_1-MLC';
    m.webllmBudgetMB = budget;
    m.save();
    expect(m.spec).toEqual({ ok: true, spec: expected });
    expect(new ModelChoice(local, null).spec).toEqual({ ok: true, spec: expected });
  });

  it('keeps the choice across reloads but the API key only in session storage', () => {
    const local = new MemoryStorage();
    const session = new MemoryStorage();
    const m = new ModelChoice(local, session);
    m.backend = 'openai';
    m.endpoint = { baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama3.2:1b', concurrency: 8, timeoutMs: 30_000 };
    m.apiKey = 'sk-secret';
    m.save();
    expect([...local.map.values()].join('')).not.toContain('sk-secret');
    expect(session.map.get('prl.api-key')).toBe('sk-secret');

    const again = new ModelChoice(local, session);
    expect(again.backend).toBe('openai');
    expect(again.spec).toEqual({
      ok: true,
      spec: { backend: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama3.2:1b', apiKey: 'sk-secret', concurrency: 8, timeoutMs: 30_000 },
    });
    expect(again.recordName).toBe('llama3.2:1b');

    again.apiKey = '';
    expect(session.map.has('prl.api-key')).toBe(false);
  });

  it('ignores a damaged saved choice', () => {
    const local = new MemoryStorage();
    local.setItem('prl.model-choice', '{not json');
    expect(new ModelChoice(local, null).backend).toBe('simulator');
    local.setItem('prl.model-choice', JSON.stringify({ backend: 'gpt-9' }));
    expect(new ModelChoice(local, null).backend).toBe('simulator');
  });
});
