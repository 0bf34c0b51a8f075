// The page's worker owner (ui/runner.svelte.ts) around the scripted-engine worker, for test/worker/chromium-gpu.test.ts.
// `window.gpuLab.start(study, spec, scripts)`: worker n is named scripts[n] (then 'ok'), which scripts its engine.
import * as Comlink from 'comlink';
import { studyId, validateConfig } from '../../../src/core/config.ts';
import { db } from '../../../src/store/db.ts';
import { responsesOf, studyCells } from '../../../src/store/responses.ts';
import { saveStudy } from '../../../src/store/studies.ts';
import type { LabWorkerApi } from '../../../src/run/api.ts';
import type { ModelSpec } from '../../../src/run/types.ts';
import { Runner } from '../../../src/ui/runner.svelte.ts';
import { measuredRate } from '../../../src/ui/measured-rate.ts';
import demo from '../../../static-data/studies/quick-demo.json';

function runner(scripts: string[]): { runner: Runner; workers: string[] } {
  const workers: string[] = [];
  const made = new Runner(async () => {
    const name = scripts[workers.length] ?? 'ok';
    workers.push(name);
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name });
    return { api: Comlink.wrap<LabWorkerApi>(worker) as unknown as LabWorkerApi, proxy: (f) => Comlink.proxy(f), terminate: () => worker.terminate() };
  });
  return { runner: made, workers };
}

const gpuLab = {
  async setup(): Promise<string> {
    const checked = validateConfig(demo);
    if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('; '));
    const id = studyId(checked.config);
    await saveStudy(db, { id, name: checked.config.name, config: checked.config, planSize: 240 });
    return id;
  },
  async start(study: string, spec: ModelSpec, scripts: string[]) {
    const { runner: r, workers } = runner(scripts);
    const result = await r.start(study, [spec]);
    const out = { result, status: r.status, message: r.message, workers, recycled: r.workersRecycled };
    r.destroy();
    return out;
  },
  async selfTest(spec: ModelSpec) {
    const { runner: r } = runner([]);
    const result = await r.selfTest(spec, () => undefined);
    r.destroy();
    return { result, rate: result.ok ? await measuredRate(result.value.model) : null };
  },
  /** Loads a model in a runner that stays alive (its worker keeps the model, and the GPU claim). */
  async load(spec: ModelSpec) {
    const { runner: r } = runner([]);
    (gpuLab as { kept?: Runner }).kept = r;
    return r.loadModel(spec);
  },
  async stored(study: string) {
    const keys = await responsesOf(db, study).primaryKeys();
    const cells = await studyCells(db, study);
    return { responses: keys.length, distinct: new Set(keys.map(String)).size, cellTotal: cells.reduce((n, c) => n + c.n, 0), run: (await db.runs.get(study))?.status };
  },
};

declare global {
  interface Window {
    gpuLab: typeof gpuLab;
  }
}
window.gpuLab = gpuLab;
document.body.dataset.ready = 'true';
