// `npx tsx bench/browser-idb.ts [N]`: the IndexedDB floor under issue 16's run figure. Bare `put`s of N records
// shaped like stored responses (default 127,010, the paper's design), 128 per transaction, one secondary index, on a
// fresh on-disk profile, nothing else running: put/s over the first and last 10% and their ratio, with ids in the
// plan's order and in key order. A run cannot hold its rate better than this without writing fewer records.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPersistent, serveStatic } from '../test/e2e/harness.ts';

const N = Number(process.argv[2] ?? 127_010);
const site = mkdtempSync(join(tmpdir(), 'idb-site-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><title>IndexedDB floor</title>');
const server = await serveStatic(site);
try {
  for (const order of ['plan order', 'key order'] as const) {
    const { context } = await launchPersistent({ webgpu: false });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(server.url);
      const r = await page.evaluate(async ({ N, sorted }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('floor', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('r', { keyPath: 'id' }).createIndex('byTime', ['study', 'createdAt']);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        // Ids as the plan makes them (study|model|task|item|persona|template), items in sampled, not sorted, order.
        const ids = Array.from({ length: N }, (_, i) => `study-abc|Llama2-7B|nli|item-${String((i * 7919) % N).padStart(6, '0')}|persona ${i % 97}|t${i % 9}`);
        if (sorted) ids.sort();
        const text = 'x'.repeat(300);
        const t0 = performance.now();
        const marks: number[] = [];
        for (let i = 0; i < N; i += 128) {
          await new Promise<void>((resolve, reject) => {
            const tx = db.transaction('r', 'readwrite', { durability: 'relaxed' });
            const store = tx.objectStore('r');
            for (let j = i; j < Math.min(N, i + 128); j++) {
              store.put({ id: ids[j], study: 'study-abc', createdAt: t0 + j, response: text + j, model: 'Llama2-7B', task: 'nli', persona: 'p', template: 't', refused: false, kind: 'answer', provenance: { backend: 'simulator', seed: j, temperature: 0 } });
            }
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          });
          marks.push(performance.now());
        }
        const tenth = Math.max(1, Math.floor(marks.length / 10));
        const first = ((tenth * 128) / (marks[tenth - 1] - t0)) * 1000;
        const last = ((tenth * 128) / (marks[marks.length - 1] - marks[marks.length - 1 - tenth])) * 1000;
        return { seconds: (performance.now() - t0) / 1000, first, last };
      }, { N, sorted: order === 'key order' });
      console.log(
        `bare IndexedDB puts, ids in ${order}: ${N.toLocaleString('en-US')} in ${r.seconds.toFixed(1)} s; first 10% ${Math.round(r.first).toLocaleString('en-US')}/s, ` +
          `last 10% ${Math.round(r.last).toLocaleString('en-US')}/s, last/first ${(r.last / r.first).toFixed(2)}`,
      );
    } finally {
      await context.close();
    }
  }
} finally {
  await server.close();
  rmSync(site, { recursive: true, force: true });
}
