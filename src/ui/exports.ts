// Exports of stored responses: CSV (one row per response, with a `simulated` column) and JSON lines of ResponseRecord
// (the `cli run --out` format, which `cli analyze` and the Data page import read back).
import { formatCsv } from '../core/csv.ts';
import type { ResponseRecord } from '../core/types.ts';

export const CSV_COLUMNS = [
  'study', 'model', 'simulated', 'backend', 'task', 'item', 'class', 'persona', 'template', 'prompt', 'responseType', 'gold',
  'kind', 'refused', 'label', 'rule', 'stoppedEarly', 'latencyMs', 'promptTokens', 'completionTokens', 'createdAt', 'response',
] as const;

/**
 * CSV with `prompt` (= template) and `refused` as 0/1, so `cli analyze` reads it directly. Model text and personas
 * that begin like a spreadsheet formula get a leading `'` (src/core/csv.ts).
 */
export function recordsToCsv(records: readonly ResponseRecord[]): string {
  return formatCsv(
    records.map((r) => ({
      study: r.study,
      model: r.model,
      simulated: r.provenance.simulated ? 'true' : 'false',
      backend: r.provenance.backend,
      task: r.task,
      item: r.item,
      class: r.class,
      persona: r.persona,
      template: r.template,
      prompt: r.template,
      responseType: r.responseType,
      gold: r.gold ?? '',
      kind: r.kind,
      refused: r.refused ? '1' : '0',
      label: r.label ?? '',
      rule: r.rule,
      stoppedEarly: r.stoppedEarly ? 'true' : 'false',
      latencyMs: String(r.latencyMs),
      promptTokens: r.promptTokens === null ? '' : String(r.promptTokens),
      completionTokens: r.completionTokens === null ? '' : String(r.completionTokens),
      createdAt: r.createdAt,
      response: r.response,
    })),
    CSV_COLUMNS,
  );
}

export function recordsToJsonl(records: readonly ResponseRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length > 0 ? '\n' : '');
}

/** `persona-refusal-lab_<study>_responses[_SIMULATED].csv`: simulated data says so in its very file name. */
export function exportFileName(study: string, what: string, extension: string, simulated: boolean): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `persona-refusal-lab_${safe(study)}_${safe(what)}${simulated ? '_SIMULATED' : ''}.${extension}`;
}

/** Saves text as a file through a temporary link (the browser's download). */
export function downloadText(fileName: string, text: string, type: string): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
