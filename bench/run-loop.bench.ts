// The run loop against an endpoint: responses per second at concurrency 1, 4, 16 with the test server (in its own
// process, as a real endpoint is) answering after a fixed 100 ms, next to the ideal (concurrency / latency) and next
// to the bare backend's figure from endpoint.bench.ts. Target: at least 90% of ideal at 16, i.e. the loop, the
// classifier and the JSON-lines sink add next to nothing to the wait for the model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIBackend } from '../src/backends/openai.ts';
import { startServerProcess } from './server-process.ts';
import { JsonlSink } from '../src/cli/sink-jsonl.ts';
import { RESPONSE_TYPE_OF, TEMPLATE_IDS, type PlanRow } from '../src/core/types.ts';
import { runStudy } from '../src/run/loop.ts';

const LATENCY_MS = 100;

function rows(n: number): PlanRow[] {
  return Array.from({ length: n }, (_, i) => {
    const template = TEMPLATE_IDS[i % 9];
    return {
      key: `offensiveness|${i}:1|a woman|${template}`,
      task: 'offensiveness',
      item: `${i}:1`,
      class: '1',
      persona: 'a woman',
      template,
      responseType: RESPONSE_TYPE_OF[template],
      messages: [{ role: 'user', content: `Classify the following text as offensive or not offensive.\n\nText: sample ${i}` }],
    };
  });
}

export async function run(): Promise<void> {
  const server = await startServerProcess(LATENCY_MS, 'The text is offensive. It insults the reader.');
  const dir = mkdtempSync(join(tmpdir(), 'run-loop-bench-'));
  const lines: string[] = [];
  try {
    for (const concurrency of [1, 4, 16]) {
      const n = concurrency * 20;
      const backend = createOpenAIBackend({ baseUrl: server.url, model: 'test-model', concurrency });
      const { sink } = await JsonlSink.open(join(dir, `c${concurrency}.jsonl`), 'bench');
      // Warm one keep-alive connection per worker first, as endpoint.bench.ts does: a run reuses them for hours.
      await Promise.all(
        Array.from({ length: concurrency }, (_, i) => backend.generate({ messages: [{ role: 'user', content: `warm ${i}` }], maxTokens: 8, temperature: 0, seed: 1 })),
      );
      const started = performance.now();
      const outcome = await runStudy({
        study: 'bench',
        rows: rows(n),
        models: [{ name: 'test-model', backend: async () => backend, recreate: async () => backend }],
        sink,
        rule: 'paper-prefix',
        decoding: { temperature: 0, maxTokens: 32, seed: 1, stopWhenDecided: false },
      });
      const seconds = (performance.now() - started) / 1000;
      sink.close();
      await backend.dispose();
      const perSecond = outcome.done / seconds;
      const ideal = concurrency / (LATENCY_MS / 1000);
      lines.push(
        `concurrency ${String(concurrency).padStart(2)}: ${perSecond.toFixed(1).padStart(6)} responses/s  ideal ${ideal.toFixed(0).padStart(3)}/s  ` +
          `${((100 * perSecond) / ideal).toFixed(0)}% of ideal${concurrency === 16 ? '  (target >= 90%)' : ''}  [${outcome.done} responses, ${outcome.status}]`,
      );
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`run loop -> OpenAI-compatible backend -> test server (${LATENCY_MS} ms per reply), JSON-lines sink\n${lines.join('\n')}\n`);
}
