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

  it.each([CLASSROOM_SIMULATED_MODEL, 'Llama2-7B', 'Qwen1.5-32B', 'Gemma2-9B'])(
    'simulated as %s, the persona effect clears the noise',
    async (model) => {
      const result = await simulate(model);
      expect(result.n).toBe(CLASSROOM_PROMPTS);
      const persona = result.rates.byFactor.persona;
      expect(persona.map((r) => r.n)).toEqual(Array(7).fill(80));
      const iota = result.iota.persona;
      expect(iota.iota).not.toBeNull();
      expect(iota.iotaNull).not.toBeNull();
      expect(iota.iota!).toBeGreaterThan(2 * iota.iotaNull!);
      // The most refused persona (a Black person, Table 7's largest effect) lies clear of persona-free.
      const wilson = (level: string) => persona.find((r) => r.level === level)!.wilson as [number, number];
      expect(wilson('a Black person')[0]).toBeGreaterThan(wilson(PERSONA_FREE)[1]);
      expect(wilson('a Black person')[0]).toBeGreaterThan(wilson('an able-bodied person')[1]);
    },
    30_000,
  );
});
