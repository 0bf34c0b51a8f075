import { describe, expect, it } from 'vitest';
import { assignShards, coverage, itemShards, planForShard, readShardSetting, shardRows, splitPlan, shardSettingKey, shardSizes, validateShardSpec, InvalidShardError } from '../../src/core/shard.ts';
import { RESPONSE_TYPE_OF, TASKS, TEMPLATE_IDS, type PlanRow, type TaskId } from '../../src/core/types.ts';

/** A plan-shaped list: `items[t]` items per task, K rows per item; `interleave` mixes tasks and items like a shuffled plan. */
function fakePlan(items: Partial<Record<TaskId, number>>, k: number, interleave = false): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const task of TASKS) {
    for (let i = 0; i < (items[task] ?? 0); i++) {
      for (let v = 0; v < k; v++) {
        const template = TEMPLATE_IDS[v % TEMPLATE_IDS.length];
        const persona = `persona ${(i + v) % 7}`;
        const item = `${task}-${i}`;
        rows.push({ key: `${task}|${item}|${persona}|${template}`, task, item, class: String(i % 3), persona, template, responseType: RESPONSE_TYPE_OF[template], messages: [] });
      }
    }
  }
  if (!interleave) return rows;
  // A fixed, deterministic scramble (stride through the list) so rows of one item are not adjacent.
  const out: PlanRow[] = [];
  const stride = 7;
  for (let start = 0; start < stride; start++) for (let i = start; i < rows.length; i += stride) out.push(rows[i]);
  return out;
}

const designs = [
  { name: 'one task, 10 items x 3', plan: fakePlan({ nli: 10 }, 3) },
  { name: 'three tasks, uneven, interleaved', plan: fakePlan({ nli: 13, politeness: 7, offensiveness: 21 }, 4, true) },
  { name: 'paper-like K=10', plan: fakePlan({ nli: 30, politeness: 50, offensiveness: 47 }, 10, true) },
  { name: 'fewer items than shards', plan: fakePlan({ offensiveness: 3 }, 2) },
];
const ns = [1, 2, 3, 5, 8, 30];

describe('shards of a plan', () => {
  describe.each(designs)('$name', ({ plan }) => {
    it.each(ns)('n = %i: every row in exactly one shard, union = plan', (n) => {
      const parts = Array.from({ length: n }, (_, i) => shardRows(plan, { k: i + 1, n }));
      const keys = parts.flat().map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length); // no overlaps
      expect(keys.length).toBe(plan.length);
      expect(new Set(keys)).toEqual(new Set(plan.map((r) => r.key))); // covers exactly
    });

    it.each(ns)('n = %i: splitPlan gives the same shards in one pass', (n) => {
      expect(splitPlan(plan, n)).toEqual(Array.from({ length: n }, (_, i) => shardRows(plan, { k: i + 1, n })));
    });

    it.each(ns)('n = %i: shards differ by at most one item, overall and within each task', (n) => {
      const perItem = new Map<string, number>();
      for (const row of plan) perItem.set(`${row.task}|${row.item}`, (perItem.get(`${row.task}|${row.item}`) ?? 0) + 1);
      const k = Math.max(...perItem.values());
      const sizes = shardSizes(plan, n);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(k);
      const shards = itemShards(plan, n);
      for (const task of TASKS) {
        const counts = new Array<number>(n).fill(0);
        for (const [key, s] of shards) if (key.startsWith(`${task}|`)) counts[s - 1]++;
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
    });

    it('keeps every item whole on one shard', () => {
      const assigned = assignShards(plan, 4);
      const shardOfItem = new Map<string, number>();
      plan.forEach((row, i) => {
        const key = `${row.task}|${row.item}`;
        expect(shardOfItem.get(key) ?? assigned[i]).toBe(assigned[i]);
        shardOfItem.set(key, assigned[i]);
      });
    });
  });

  it('keeps plan order inside a shard and does not touch the plan', () => {
    const plan = fakePlan({ nli: 5, politeness: 5 }, 3, true);
    const copy = structuredClone(plan);
    const rows = shardRows(plan, { k: 2, n: 3 });
    const positions = rows.map((r) => plan.indexOf(r));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(plan).toEqual(copy);
  });

  it('is the same split for the same plan every time', () => {
    const plan = fakePlan({ nli: 11, offensiveness: 9 }, 3, true);
    expect(assignShards(plan, 4)).toEqual(assignShards(structuredClone(plan), 4));
  });

  it.each([
    { spec: { n: 0 }, message: 'n must be a whole number from 1 to 1000, got 0' },
    { spec: { n: 2.5 }, message: 'n must be a whole number from 1 to 1000, got 2.5' },
    { spec: { n: 4, k: 5 }, message: 'k must be a whole number from 1 to 4, got 5' },
    { spec: { n: 4, k: 0 }, message: 'k must be a whole number from 1 to 4, got 0' },
    { spec: { n: 4, k: 4 }, message: null },
    { spec: { n: 4 }, message: null },
  ])('validates $spec', ({ spec, message }) => {
    expect(validateShardSpec(spec)).toBe(message);
  });

  it('refuses an impossible shard with a message that says what to pick', () => {
    expect(() => shardRows(fakePlan({ nli: 3 }, 1), { k: 3, n: 2 })).toThrow(InvalidShardError);
    expect(() => shardRows(fakePlan({ nli: 3 }, 1), { k: 3, n: 2 })).toThrow(/between 1 and the number of shards/);
  });
});

describe('coverage', () => {
  const plan = fakePlan({ nli: 4, politeness: 2 }, 2);
  const n = 3;

  it('counts done/total per shard and model, each model x plan key once', () => {
    const shard1 = shardRows(plan, { k: 1, n });
    const shard2 = shardRows(plan, { k: 2, n });
    const records = [
      ...shard1.map((r) => ({ ...r, model: 'A' })),
      ...shard1.map((r) => ({ ...r, model: 'A' })), // duplicates count once
      ...shard2.slice(0, 1).map((r) => ({ ...r, model: 'A' })),
      ...shard2.map((r) => ({ ...r, model: 'B' })),
      { model: 'A', task: 'nli' as const, item: 'not-in-plan', persona: 'x', template: 'p1' as const },
    ];
    const c = coverage(plan, n, records);
    expect(c.models).toEqual(['A', 'B']);
    expect(c.shards.map((s) => s.total)).toEqual(shardSizes(plan, n));
    expect(c.shards[0].done).toEqual({ A: shard1.length, B: 0 });
    expect(c.shards[1].done).toEqual({ A: 1, B: shard2.length });
    expect(c.shards[2].done).toEqual({ A: 0, B: 0 });
    expect(c.overall).toEqual({ A: { done: shard1.length + 1, total: plan.length }, B: { done: shard2.length, total: plan.length } });
    expect(c.outsidePlan).toBe(1);
  });

  it('is empty but sized when nothing is stored', () => {
    const c = coverage(plan, n, []);
    expect(c.models).toEqual([]);
    expect(c.shards.reduce((a, s) => a + s.total, 0)).toBe(plan.length);
  });
});

describe('the shard setting a browser keeps', () => {
  const plan = fakePlan({ nli: 6 }, 2);
  it.each([
    { value: { k: 2, n: 3 }, rows: 4 },
    { value: undefined, rows: 12 },
    { value: null, rows: 12 },
    { value: { k: 4, n: 3 }, rows: 12 },
    { value: 'shard 2', rows: 12 },
  ])('planForShard($value) runs $rows rows', ({ value, rows }) => {
    expect(planForShard(plan, value).length).toBe(rows);
  });

  it('has one key per study', () => {
    expect(shardSettingKey('abc')).toBe('workshop.shard.abc');
    expect(readShardSetting({ k: 1, n: 1 })).toEqual({ k: 1, n: 1 });
  });
});
