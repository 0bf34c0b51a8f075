// Small builders of ResponseRecords for store and worker tests.
import type { ResponseRecord, TaskId, TemplateId } from '../../src/core/types.ts';
import { RESPONSE_TYPE_OF } from '../../src/core/types.ts';

export function record(over: Partial<ResponseRecord> = {}): ResponseRecord {
  const template: TemplateId = over.template ?? 'p7';
  const task: TaskId = over.task ?? 'offensiveness';
  return {
    study: 'study-a',
    model: 'model-x',
    task,
    item: '1:1',
    class: '1',
    persona: 'a woman',
    template,
    responseType: RESPONSE_TYPE_OF[template],
    gold: 'not offensive',
    response: 'not offensive',
    kind: 'answer',
    refused: false,
    label: 'not offensive',
    rule: 'paper-prefix',
    stoppedEarly: false,
    latencyMs: 12,
    promptTokens: 40,
    completionTokens: 3,
    provenance: {
      backend: 'simulator',
      simulated: true,
      modelId: 'model-x',
      seed: 1,
      temperature: 0,
      maxTokens: 64,
      stopWhenDecided: false,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function refusal(over: Partial<ResponseRecord> = {}): ResponseRecord {
  const r = record({ response: "I'm sorry, but I can't assist with this request.", kind: 'refusal', refused: true, ...over });
  delete r.label;
  return r;
}

let counter = 0;
/** A database name no other test uses. */
export function freshName(): string {
  return `test-${process.pid}-${Date.now()}-${counter++}`;
}

/**
 * A full disk for these object stores: every put or add to them throws QuotaExceededError, as IndexedDB does when the
 * site's storage is full, whether the write goes through Dexie or straight to IndexedDB. Returns the undo.
 */
export function fullDisk(stores: readonly string[]): () => void {
  const proto = globalThis.IDBObjectStore.prototype;
  const { put, add } = proto;
  const failing = (write: typeof put) =>
    function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
      if (stores.includes(this.name)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return write.apply(this, args);
    };
  proto.put = failing(put);
  proto.add = failing(add);
  return () => {
    proto.put = put;
    proto.add = add;
  };
}
