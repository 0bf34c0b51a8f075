// Heavy page-side work, run in a worker (compute.worker.ts) so the page stays responsive: building the plan for the
// Study page's preview and the Workshop page, and analysing the stored cells. The same functions run in-thread in tests.
import { buildPlan, planRow, summarizePlan, type PlanRowKey } from '../../core/plan.ts';
import { crossTab, type CrossTable } from '../../core/crosstab.ts';
import { loadStudyData } from '../../core/load.ts';
import { itemsForTask, type StudyData } from '../../core/datasets.ts';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../core/stats/index.ts';
import type { Cell, ChatMessage, PlanRow, StudyConfig, TaskId, TemplateId } from '../../core/types.ts';
import { personaLevels } from '../../core/personas.ts';
import { renderMessages, type ItemContent } from '../../core/templates.ts';
import { applySystemSetting, modelInput, sha256Hex } from '../../core/chat-template.ts';
import { chatTemplateFor } from '../../backends/chat-templates.ts';

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
  /** The plan's rows without their prompts (the Workshop page sizes, shards and covers plans; it sends no prompts). */
  planRowKeys(config: StudyConfig): Promise<PlanRowKey[]>;
  exploreGrid(config: StudyConfig, task: TaskId, index: number): Promise<ExploreGrid>;
  analyzeCells(cells: Cell[], options?: AnalysisOptions): Promise<AnalysisResult>;
  /** What the model was given for one stored response, rebuilt from the study (null: the row is not in the study). */
  rowInput(config: StudyConfig, row: RowRef, template: string | null): Promise<RowInput | null>;
}

export type RowRef = Pick<PlanRow, 'task' | 'item' | 'persona' | 'template'>;

/** A plan row's model input: the messages, and where a published chat template was rendered, the exact prompt text. */
export interface RowInput {
  messages: ChatMessage[];
  system: string | null;
  /** The rendered prompt, where the response records a chat template family (web-llm, rendered completions). */
  prompt: string | null;
  template: string | null;
  /** SHA-256 of the prompt, or of the JSON of the messages where the server applied its own template. */
  promptSha256: string;
}

/** Reads a static-data file from the built site (relative URL: works from any sub-path). */
export function fetchStaticData(name: string): Promise<string> {
  return fetch(new URL(`../../../static-data/${name}`, import.meta.url)).then((response) => {
    if (!response.ok) throw new Error(`Could not load ${name} (HTTP ${response.status}). Reload the page.`);
    return response.text();
  });
}

/** What the Study page shows of a plan: its size, items per task, the balance tables and the first rows. */
export function planPreview(config: StudyConfig, plan: readonly PlanRow[]): PlanPreview {
  const items = new Map<TaskId, Set<string>>();
  for (const row of plan) {
    let set = items.get(row.task);
    if (!set) items.set(row.task, (set = new Set()));
    set.add(row.item);
  }
  return {
    rows: plan.length,
    itemsByTask: Object.fromEntries([...items].map(([task, set]) => [task, set.size])),
    byResponseType: summarizePlan(plan).byResponseType,
    personaByTask: crossTab(plan, 'persona', personaLevels(config.personas)),
    templateByTask: crossTab(plan, 'template'),
    examples: plan.slice(0, 3).map((r) => ({ key: r.key, task: r.task, persona: r.persona, template: r.template, messages: r.messages })),
  };
}

export function createCompute(readText: (name: string) => Promise<string> = fetchStaticData): Compute {
  let data: Promise<StudyData> | null = null;
  return {
    async planPreview(config) {
      data ??= loadStudyData(readText);
      return planPreview(config, buildPlan(config, await data));
    },
    async planRowKeys(config) {
      data ??= loadStudyData(readText);
      return buildPlan(config, await data).map((r) => ({ key: r.key, task: r.task, item: r.item, persona: r.persona }));
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
        config.templates.map((template) =>
          planRow(task, item, persona, template, renderMessages({ task, template, persona, labels: taskConfig.labels, placement: config.placement, content: item.content }))),
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
    async rowInput(config, ref, template) {
      data ??= loadStudyData(readText);
      const taskConfig = config.tasks.find((t) => t.task === ref.task);
      if (!taskConfig) return null;
      const item = itemsForTask(taskConfig, await data, config.seed).find((i) => i.id === ref.item);
      if (!item) return null;
      const messages = renderMessages({ task: ref.task, template: ref.template, persona: ref.persona, labels: taskConfig.labels, placement: config.placement, content: item.content });
      const spec = template === null ? undefined : chatTemplateFor(template);
      if (spec) {
        const input = await modelInput(spec, messages, { system: config.systemMessage, date: config.templateDate });
        return { messages, system: input.system, prompt: input.prompt, template: spec.family, promptSha256: input.promptSha256 };
      }
      // An endpoint's chat API: the server renders its own copy of the template; what we know is the messages sent.
      const sent = applySystemSetting(messages, config.systemMessage);
      return { messages: sent, system: sent.find((m) => m.role === 'system')?.content ?? null, prompt: null, template: null, promptSha256: await sha256Hex(JSON.stringify(sent)) };
    },
  };
}
