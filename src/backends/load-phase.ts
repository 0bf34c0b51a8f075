// The phases of loading a web-llm model, named for the progress bar (small: the page imports it, web-llm stays in the worker).
import type { LoadPhase } from './types.ts';

/** What the progress bar calls each phase. */
export const LOAD_PHASE_NAMES: Record<LoadPhase, string> = {
  download: 'Downloading',
  upload: 'Uploading to the GPU',
  compile: 'Compiling shaders',
  ready: 'Ready',
};

/** The phase of a web-llm init-progress report, from its text (web-llm 0.2.86 reports no phase of its own). */
export function loadPhaseOf(text: string): LoadPhase | undefined {
  if (/^(Start to fetch params|Fetching param cache)/i.test(text)) return 'download';
  if (/^Loading model from cache/i.test(text)) return 'upload';
  if (/^Loading GPU shader modules/i.test(text)) return 'compile';
  if (/^Finish loading/i.test(text)) return 'ready';
  return undefined;
}
