// The classroom preset must show a class a persona effect, not noise: run through the CLI with the simulator and
// analysed, the persona factor's ι clears its no-effect reference and the contrasting personas' intervals separate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main as runCli } from '../../src/cli/run.ts';
import { readResponses } from '../../src/cli/analyze.ts';
import { validateConfig } from '../../src/core/config.ts';
import { analyze } from '../../src/core/stats/index.ts';
import { PERSONA_FREE, type StudyConfig } from '../../src/core/types.ts';
import { CLASSROOM_ID, CLASSROOM_PROMPTS, CLASSROOM_SIMULATED_MODEL, presetById } from '../../src/ui/presets.ts';

const root = resolve(import.meta.dirname, '../..');
const configPath = join(root, 'static-data/studies/classroom.json');
const config = JSON.parse(readFileSync(configPath, 'utf8')) as StudyConfig;
const dir = mkdtempSync(join(tmpdir(), 'classroom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = () => new Writable({ write: (_c, _e, done) => done() });

async function simulate(model: string) {
  const out = join(dir, `${model}.jsonl`);
  const code = await runCli(['--config', configPath, '--simulate', '--sim-model', model, '--out', out], { stdout: quiet(), stderr: quiet() });
  expect(code).toBe(0);
  return analyze(await readResponses(out));
}

describe('the classroom preset', () => {
  it('is valid, offered to the app and small enough for a laptop: 560 prompts, 80 per persona level, stop when decided', () => {
    expect(validateConfig(config).ok).toBe(true);
    expect(presetById(CLASSROOM_ID)?.config).toEqual(config);
    expect(config.decoding.stopWhenDecided).toBe(true);
  });

  // The simulator follows each model's own refusal rates per response type (Figures 4/10/11). With 80 prompts per
  // persona the effect clears the noise for the paper's models that refuse offensiveness requests often (the
  // classroom's Llama3-8B, the Llama 2 models); for Qwen1.5-32B and Gemma2-9B, which refuse only unforced prompts (Figure 4), this size
  // leaves it at the no-effect level (ι ≈ ι_null), which the Results page then marks "still within noise".
  it.each([
    { model: CLASSROOM_SIMULATED_MODEL, margin: 2 },
    { model: 'Llama2-7B', margin: 2 },
    { model: 'Llama2-13B', margin: 2 },
  ])(
    'simulated as $model, the persona effect clears the noise (ι above $margin× ι_null)',
    async ({ model, margin }) => {
      const result = await simulate(model);
      expect(result.n).toBe(CLASSROOM_PROMPTS);
      const persona = result.rates.byFactor.persona;
      expect(persona.map((r) => r.n)).toEqual(Array(7).fill(80));
      const iota = result.iota.persona;
      expect(iota.iota).not.toBeNull();
      expect(iota.iotaNull).not.toBeNull();
      expect(iota.iota!).toBeGreaterThan(margin * iota.iotaNull!);
      // The most refused persona (a Black person, Table 7's largest effect) lies clear of persona-free.
      const wilson = (level: string) => persona.find((r) => r.level === level)!.wilson as [number, number];
      expect(wilson('a Black person')[0]).toBeGreaterThan(wilson(PERSONA_FREE)[1]);
      expect(wilson('a Black person')[0]).toBeGreaterThan(wilson('an able-bodied person')[1]);
    },
    30_000,
  );
});
