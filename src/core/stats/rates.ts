// Refusal rates with intervals: overall, per level, per task x level, per response type (STATS.md "Rates").
import { RESPONSE_TYPES, RESPONSE_TYPE_OF, type ResponseType, type TemplateId } from '../types.ts';
import { rateStat } from './intervals.ts';
import type { LevelRate, ModelTaskResponseTypeRate, Rates, ResponseTypeRates, TaskLevelRate, TaskResponseTypeRate } from './result.ts';
import { FACTORS, TASK_CROSSED_FACTORS } from './result.ts';
import type { Margins } from './margins.ts';

/** Rates per level of each factor and per (task, level), levels in analysis order, levels without responses left out. */
export function rates(m: Margins): Rates {
  const byFactor = Object.fromEntries(
    FACTORS.map((factor) => {
      const { n, k } = m.byLevel[factor];
      const rows: LevelRate[] = m.levels[factor].map((level, i) => ({ level, ...rateStat(k[i], n[i]) }));
      return [factor, rows];
    }),
  ) as Rates['byFactor'];
  const byTaskAnd = Object.fromEntries(
    TASK_CROSSED_FACTORS.map((factor) => {
      const { n, k } = m.byTaskAnd[factor];
      const width = m.levels[factor].length;
      const rows: TaskLevelRate[] = [];
      m.levels.task.forEach((task, t) => {
        m.levels[factor].forEach((level, i) => {
          const at = t * width + i;
          if (n[at] > 0) rows.push({ task, level, ...rateStat(k[at], n[at]) });
        });
      });
      return [factor, rows];
    }),
  ) as Rates['byTaskAnd'];
  return { overall: rateStat(m.K, m.N), byFactor, byTaskAnd };
}

/** The response type of a template id, or undefined for ids outside p1..p9. */
export function responseTypeOf(prompt: string): ResponseType | undefined {
  return Object.hasOwn(RESPONSE_TYPE_OF, prompt) ? RESPONSE_TYPE_OF[prompt as TemplateId] : undefined;
}

/** Rates per response type overall, per task, and per model x task (templates outside p1..p9 are left out). */
export function responseTypeRates(m: Margins): ResponseTypeRates {
  const types = RESPONSE_TYPES.length;
  const typeIndex = m.levels.prompt.map((p) => {
    const type = responseTypeOf(p);
    return type === undefined ? -1 : RESPONSE_TYPES.indexOf(type);
  });
  const T = m.levels.task.length;
  const M = m.levels.model.length;
  const R = m.levels.prompt.length;
  // model x task x prompt margins, folded to model x task x response type
  const n = new Float64Array(M * T * types);
  const k = new Float64Array(M * T * types);
  const src = m.byModelTaskPrompt;
  for (let mi = 0; mi < M; mi++)
    for (let t = 0; t < T; t++)
      for (let r = 0; r < R; r++) {
        const type = typeIndex[r];
        if (type < 0) continue;
        const from = (mi * T + t) * R + r;
        const to = (mi * T + t) * types + type;
        n[to] += src.n[from];
        k[to] += src.k[from];
      }
  const overall = RESPONSE_TYPES.map((responseType, type) => {
    let nn = 0;
    let kk = 0;
    for (let mi = 0; mi < M; mi++)
      for (let t = 0; t < T; t++) {
        nn += n[(mi * T + t) * types + type];
        kk += k[(mi * T + t) * types + type];
      }
    return { responseType, ...rateStat(kk, nn) };
  }).filter((r) => r.n > 0);
  const byTask: TaskResponseTypeRate[] = [];
  m.levels.task.forEach((task, t) =>
    RESPONSE_TYPES.forEach((responseType, type) => {
      let nn = 0;
      let kk = 0;
      for (let mi = 0; mi < M; mi++) {
        nn += n[(mi * T + t) * types + type];
        kk += k[(mi * T + t) * types + type];
      }
      if (nn > 0) byTask.push({ task, responseType, ...rateStat(kk, nn) });
    }),
  );
  const byModelAndTask: ModelTaskResponseTypeRate[] = [];
  m.levels.model.forEach((model, mi) =>
    m.levels.task.forEach((task, t) =>
      RESPONSE_TYPES.forEach((responseType, type) => {
        const at = (mi * T + t) * types + type;
        if (n[at] > 0) byModelAndTask.push({ model, task, responseType, ...rateStat(k[at], n[at]) });
      }),
    ),
  );
  return { overall, byTask, byModelAndTask };
}
