// Endpoint throughput: requests per second through the OpenAI-compatible backend at concurrency 1, 4 and 16,
// against the local test server (in its own process) with a fixed 100 ms latency. Ideal = concurrency / latency; target >= 90% at 16.
import { createOpenAIBackend } from '../src/backends/openai.ts';
import { startServerProcess } from './server-process.ts';
import type { GenerateRequest } from '../src/backends/types.ts';

const LATENCY_MS = 100;
const LEVELS = [1, 4, 16];
const TARGET_AT_16 = 0.9;

/** Runs `total` requests with at most `concurrency` in flight (a bounded worker pool). */
async function pool(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function run(): Promise<void> {
  const server = await startServerProcess(LATENCY_MS, 'The text is polite. It thanks the reader.');
  try {
    console.log(`latency ${LATENCY_MS} ms per request (fixed), streamed replies of 8 tokens`);
    console.log('concurrency  requests  seconds  req/s    ideal req/s  of ideal  target');
    for (const concurrency of LEVELS) {
      const backend = createOpenAIBackend({ baseUrl: server.url, model: 'test-model', concurrency });
      const total = concurrency * 20;
      const request = (i: number): GenerateRequest => ({
        messages: [{ role: 'user', content: `Is text ${i} polite?` }],
        maxTokens: 64,
        temperature: 0,
        seed: 1,
      });
      // Warm one keep-alive connection per worker first: a run reuses its connections for hours.
      await Promise.all(Array.from({ length: concurrency }, (_, i) => backend.generate(request(-1 - i))));
      const started = performance.now();
      await pool(total, concurrency, (i) => backend.generate(request(i)));
      const seconds = (performance.now() - started) / 1000;
      const rate = total / seconds;
      const ideal = concurrency / (LATENCY_MS / 1000);
      const share = rate / ideal;
      const target = concurrency === 16 ? `>= ${TARGET_AT_16 * 100}% ${share >= TARGET_AT_16 ? 'met' : 'MISSED'}` : '';
      console.log(
        `${String(concurrency).padStart(11)}  ${String(total).padStart(8)}  ${seconds.toFixed(2).padStart(7)}  ` +
          `${rate.toFixed(1).padStart(6)}  ${ideal.toFixed(1).padStart(11)}  ${(share * 100).toFixed(1).padStart(7)}%  ${target}`,
      );
      await backend.dispose();
    }
  } finally {
    await server.close();
  }
}
