// A bare page around the real run worker, for test/worker/chromium.test.ts: the test drives `window.lab`.
import * as Comlink from 'comlink';
import { studyId, validateConfig } from '../../../src/core/config.ts';
import { RESPONSE_TYPE_OF, type PlanRow, type StudyConfig } from '../../../src/core/types.ts';
import { db } from '../../../src/store/db.ts';
import { responsesOf, studyCells } from '../../../src/store/responses.ts';
import { saveStudy } from '../../../src/store/studies.ts';
import type { ExploreEvent, LabWorkerApi } from '../../../src/run/api.ts';
import { planKey } from '../../../src/core/plan.ts';
import type { ApiResult, ModelSpec, RunEvent, RunOutcome } from '../../../src/run/types.ts';
import demo from '../../../static-data/studies/quick-demo.json';

const api = Comlink.wrap<LabWorkerApi>(new Worker(new URL('../../../src/worker/worker.ts', import.meta.url), { type: 'module' }));

function demoConfig(): StudyConfig {
  const checked = validateConfig(demo);
  if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('; '));
  return checked.config;
}

const lab = {
  /** Store the quick demo study; returns its id and plan size. */
  async setup(): Promise<string> {
    const config = demoConfig();
    const id = studyId(config);
    await saveStudy(db, { id, name: config.name, config, planSize: 240 });
    return id;
  },
  responses: 0,
  lastEvent: null as RunEvent | null,
  start(study: string, spec: ModelSpec): Promise<ApiResult<RunOutcome>> {
    return api.startRun({ study, models: [spec] }, Comlink.proxy((e: RunEvent) => lab.onEvent(e)));
  },
  resume(study: string, apiKey?: string): Promise<ApiResult<RunOutcome>> {
    return api.resumeRun(study, apiKey ? { apiKey } : {}, Comlink.proxy((e: RunEvent) => lab.onEvent(e)));
  },
  /** Ask two handmade rows on the Explore path; returns the outcome and the events, in order. */
  async explore(study: string, spec: ModelSpec): Promise<{ result: ApiResult<RunOutcome>; events: ExploreEvent[] }> {
    const events: ExploreEvent[] = [];
    const rows = (['p1', 'p4'] as const).map((template): PlanRow => ({
      key: planKey('offensiveness', 'explore:1', 'a woman', template),
      task: 'offensiveness',
      item: 'explore:1',
      class: '1',
      persona: 'a woman',
      template,
      responseType: RESPONSE_TYPE_OF[template],
      messages: [{ role: 'user', content: 'Classify the following text as offensive or not offensive.\n\nText: hello' }],
    }));
    const result = await api.explore({ study, model: spec, rows }, Comlink.proxy((e: ExploreEvent) => void events.push(e)));
    // Events come through the callback's own port and may land after the result: wait (briefly) for every row's.
    for (let waited = 0; events.filter((e) => e.type === 'answer' || e.type === 'row-error').length < rows.length && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { result, events };
  },
  onEvent(e: RunEvent): void {
    lab.lastEvent = e;
    if (e.type === 'response') lab.responses++;
  },
  async stored(study: string): Promise<{ responses: number; distinct: number; cellTotal: number; run: string | undefined }> {
    const keys = await responsesOf(db, study).primaryKeys();
    const cells = await studyCells(db, study);
    return {
      responses: keys.length,
      distinct: new Set(keys.map(String)).size,
      cellTotal: cells.reduce((n, c) => n + c.n, 0),
      run: (await db.runs.get(study))?.status,
    };
  },
};

declare global {
  interface Window {
    lab: typeof lab;
  }
}
window.lab = lab;
document.body.dataset.ready = 'true';
