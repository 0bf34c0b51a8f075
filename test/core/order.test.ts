import { beforeAll, describe, expect, it } from 'vitest';
import paperPreset from '../../static-data/studies/paper-replication.json';
import demoPreset from '../../static-data/studies/quick-demo.json';
import { loadStudyData } from '../../src/cli/load-data.ts';
import { studyId, validateConfig } from '../../src/core/config.ts';
import { orderRows, runOrderOf } from '../../src/core/order.ts';
import { buildPlan } from '../../src/core/plan.ts';
import { planForShard } from '../../src/core/shard.ts';
import type { PlanRow, StudyConfig } from '../../src/core/types.ts';

const config = (change: Partial<StudyConfig>): StudyConfig => {
  const checked = validateConfig({ ...(paperPreset as StudyConfig), ...change });
  if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('; '));
  return checked.config;
};

let plan: PlanRow[];
beforeAll(async () => {
  plan = buildPlan(config({}), await loadStudyData());
});

describe('run order setting', () => {
  it.each([
    [{ order: undefined }, 'by-task'],
    [{ order: 'by-task' as const }, 'by-task'],
    [{ order: 'shuffled' as const }, 'shuffled'],
  ])('%j runs %s', (change, expected) => {
    expect(runOrderOf(config(change))).toBe(expected);
  });

  it('is refused when it is not one of the two orders, with what is allowed', () => {
    const checked = validateConfig({ ...demoPreset, order: 'random' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors).toEqual([{ path: 'order', message: 'order: must be one of "shuffled", "by-task", got "random"' }]);
  });

  // A fixed config written before the field existed, and its id from then: adding the field must not move it.
  it.each([
    ['no order (a study made before the setting)', {}],
    ['by task', { order: 'by-task' }],
    ['shuffled', { order: 'shuffled' }],
  ])('keeps the study id of the quick demo: %s', (_, change) => {
    const { order: _o, ...before } = demoPreset as StudyConfig;
    expect(studyId({ ...before, ...change } as StudyConfig)).toBe('11442ab934b1e1');
  });

  it('presets run shuffled', () => {
    expect([paperPreset, demoPreset].map((p) => runOrderOf(p as StudyConfig))).toEqual(['shuffled', 'shuffled']);
  });
});

describe('orderRows', () => {
  it('by task keeps the plan order', () => {
    expect(orderRows(plan, { seed: 2025, order: 'by-task' }).map((r) => r.key)).toEqual(plan.map((r) => r.key));
  });

  it('shuffled holds every row once and does not change its input', () => {
    const keys = plan.map((r) => r.key);
    const shuffled = orderRows(plan, { seed: 2025, order: 'shuffled' });
    expect(plan.map((r) => r.key)).toEqual(keys);
    expect(shuffled).toHaveLength(plan.length);
    expect(new Set(shuffled.map((r) => r.key)).size).toBe(plan.length);
    expect(shuffled.map((r) => r.key)).not.toEqual(keys);
  });

  it('shuffled puts every task, persona and template in the first 5% of the paper design', () => {
    const prefix = orderRows(plan, { seed: 2025, order: 'shuffled' }).slice(0, Math.ceil(plan.length * 0.05));
    expect(new Set(prefix.map((r) => r.task)).size).toBe(3);
    expect(new Set(prefix.map((r) => r.persona)).size).toBe(new Set(plan.map((r) => r.persona)).size);
    expect(new Set(prefix.map((r) => r.template)).size).toBe(9);
    // A random subsample: each task's share of the first 1,000 rows is near its share of the plan.
    const first = orderRows(plan, { seed: 2025, order: 'shuffled' }).slice(0, 1000);
    for (const task of ['nli', 'politeness', 'offensiveness'] as const) {
      const share = plan.filter((r) => r.task === task).length / plan.length;
      expect(Math.abs(first.filter((r) => r.task === task).length / 1000 - share)).toBeLessThan(0.05);
    }
  });

  it('is the same for a subset: a shard and the rows left on resume run in the plan order restricted to them', () => {
    const whole = orderRows(plan, { seed: 2025, order: 'shuffled' }).map((r) => r.key);
    const shard = planForShard(plan, { k: 2, n: 5 });
    const inShard = new Set(shard.map((r) => r.key));
    expect(orderRows(shard, { seed: 2025, order: 'shuffled' }).map((r) => r.key)).toEqual(whole.filter((k) => inShard.has(k)));
    const left = plan.filter((_, i) => i % 3 !== 0);
    const leftKeys = new Set(left.map((r) => r.key));
    expect(orderRows(left, { seed: 2025, order: 'shuffled' }).map((r) => r.key)).toEqual(whole.filter((k) => leftKeys.has(k)));
  });

  it('depends on the seed', () => {
    const a = orderRows(plan.slice(0, 500), { seed: 1, order: 'shuffled' }).map((r) => r.key);
    const b = orderRows(plan.slice(0, 500), { seed: 2, order: 'shuffled' }).map((r) => r.key);
    expect(a).not.toEqual(b);
  });
});
