// Heavy page-side work, run in a worker (compute.worker.ts) so the page stays responsive: building the plan for the
// preview and analysing the stored cells. The same functions run in-thread in tests.
import { buildPlan } from '../../core/plan.ts';
import { loadStudyData } from '../../core/load.ts';
import type { StudyData } from '../../core/datasets.ts';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../core/stats/index.ts';
import { TEMPLATE_IDS, type Cell, type ChatMessage, type StudyConfig, type TaskId } from '../../core/types.ts';
import { crossTable, type CrossTable } from './plan-tables.ts';

export interface PlanPreview {
  /** Rows for one model. */
  rows: number;
  itemsByTask: Partial<Record<TaskId, number>>;
  byResponseType: Record<string, number>;
  personaByTask: CrossTable;
  templateByTask: CrossTable;
  /** The first rows, to show what the model will be asked. */
  examples: { key: string; task: TaskId; persona: string; template: string; messages: ChatMessage[] }[];
}

export type AnalysisOptions = AnalyzeOptions;

export interface Compute {
  planPreview(config: StudyConfig): Promise<PlanPreview>;
  analyzeCells(cells: Cell[], options?: AnalysisOptions): Promise<AnalysisResult>;
}

/** Reads a static-data file from the built site (relative URL: works from any sub-path). */
export function fetchStaticData(name: string): Promise<string> {
  return fetch(new URL(`../../../static-data/${name}`, import.meta.url)).then((response) => {
    if (!response.ok) throw new Error(`Could not load ${name} (HTTP ${response.status}). Reload the page.`);
    return response.text();
  });
}

export function createCompute(readText: (name: string) => Promise<string> = fetchStaticData): Compute {
  let data: Promise<StudyData> | null = null;
  return {
    async planPreview(config) {
      data ??= loadStudyData(readText);
      const plan = buildPlan(config, await data);
      const items = new Map<TaskId, Set<string>>();
      const byResponseType: Record<string, number> = {};
      for (const row of plan) {
        let set = items.get(row.task);
        if (!set) items.set(row.task, (set = new Set()));
        set.add(row.item);
        byResponseType[row.responseType] = (byResponseType[row.responseType] ?? 0) + 1;
      }
      return {
        rows: plan.length,
        itemsByTask: Object.fromEntries([...items].map(([task, set]) => [task, set.size])),
        byResponseType,
        personaByTask: crossTable(plan, (r) => r.persona),
        templateByTask: crossTable(plan, (r) => r.template, TEMPLATE_IDS.filter((t) => plan.some((r) => r.template === t))),
        examples: plan.slice(0, 3).map((r) => ({ key: r.key, task: r.task, persona: r.persona, template: r.template, messages: r.messages })),
      };
    },
    async analyzeCells(cells, options = {}) {
      return analyze(cells, options);
    },
  };
}
