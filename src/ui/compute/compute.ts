// Heavy page-side work, run in a worker (compute.worker.ts) so the page stays responsive: building the plan for the
// preview and analysing the stored cells. The same functions run in-thread in tests.
import { buildPlan } from '../../core/plan.ts';
import { loadStudyData } from '../../core/load.ts';
import type { StudyData } from '../../core/datasets.ts';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../core/stats/index.ts';
import { TEMPLATE_IDS, type Cell, type ChatMessage, type StudyConfig, type TaskId } from '../../core/types.ts';
import { crossTable, type CrossTable } from './plan-tables.ts';
import { itemsForTask } from '../../core/datasets.ts';
import { personaLevels } from '../../core/personas.ts';
import { renderMessages, type ItemContent } from '../../core/templates.ts';
import { planKey } from '../../core/plan.ts';
import { RESPONSE_TYPE_OF, type PlanRow, type TemplateId } from '../../core/types.ts';

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

/** One text of a task, rendered for every persona level x template of a study (the Explore page). */
export interface ExploreGrid {
  task: TaskId;
  item: string;
  class: string;
  gold?: string;
  content: ItemContent;
  labels: string[];
  personas: string[];
  templates: TemplateId[];
  /** rows[persona][template], in the order of `personas` and `templates`. */
  rows: PlanRow[][];
  /** Items the task offers; `index` wraps around it. */
  itemCount: number;
  index: number;
}

export interface Compute {
  planPreview(config: StudyConfig): Promise<PlanPreview>;
  exploreGrid(config: StudyConfig, task: TaskId, index: number): Promise<ExploreGrid>;
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
        personaByTask: crossTable(plan, (r) => r.persona, personaLevels(config.personas)),
        templateByTask: crossTable(plan, (r) => r.template, TEMPLATE_IDS.filter((t) => plan.some((r) => r.template === t))),
        examples: plan.slice(0, 3).map((r) => ({ key: r.key, task: r.task, persona: r.persona, template: r.template, messages: r.messages })),
      };
    },
    async exploreGrid(config, task, index) {
      data ??= loadStudyData(readText);
      const taskConfig = config.tasks.find((t) => t.task === task);
      if (!taskConfig) throw new Error(`The study has no ${task} task: add it on the Study page.`);
      const items = itemsForTask(taskConfig, await data, config.seed);
      if (items.length === 0) throw new Error(`The ${task} task has no items.`);
      const at = ((index % items.length) + items.length) % items.length;
      const item = items[at];
      const personas = personaLevels(config.personas);
      const rows = personas.map((persona) =>
        config.templates.map((template): PlanRow => ({
          key: planKey(task, item.id, persona, template),
          task,
          item: item.id,
          class: item.class,
          persona,
          template,
          responseType: RESPONSE_TYPE_OF[template],
          messages: renderMessages({ task, template, persona, labels: taskConfig.labels, placement: config.placement, content: item.content }),
          ...(item.gold !== undefined ? { gold: item.gold } : {}),
        })),
      );
      return {
        task, item: item.id, class: item.class, content: item.content, labels: [...taskConfig.labels],
        personas, templates: [...config.templates], rows, itemCount: items.length, index: at,
        ...(item.gold !== undefined ? { gold: item.gold } : {}),
      };
    },
    async analyzeCells(cells, options = {}) {
      return analyze(cells, options);
    },
  };
}
