// How long a study takes, before it runs: prompts ÷ responses per second. For WebGPU the rate is a measured figure when
// this browser's GPU self-test stored one for the model, else a documented estimate by model size (below).

/**
 * Responses per second on a laptop GPU (integrated or entry-level discrete) with stop-when-decided, by model size:
 * decoding stops after a few tokens, so prompt processing and model size set the pace. Rough on purpose: a teacher
 * needs "about three minutes" or "about half an hour", not seconds.
 */
export const WEBGPU_RESPONSES_PER_SECOND: readonly { maxParamsB: number; responsesPerSecond: number }[] = [
  { maxParamsB: 1.5, responsesPerSecond: 3 },
  { maxParamsB: 3.5, responsesPerSecond: 1.5 },
  { maxParamsB: 8.5, responsesPerSecond: 0.6 },
  { maxParamsB: Infinity, responsesPerSecond: 0.25 },
];

/** Full generation (no stop-when-decided) writes up to maxTokens per response: this much slower, roughly. */
export const FULL_GENERATION_SLOWDOWN = 4;

export type RateSource = 'measured' | 'estimate';

export interface TimeEstimate {
  seconds: number;
  responsesPerSecond: number;
  source: RateSource;
}

/** The documented responses/s for a model of `paramsB` billion parameters. */
export function webgpuRate(paramsB: number, stopWhenDecided: boolean): number {
  const row = WEBGPU_RESPONSES_PER_SECOND.find((r) => paramsB <= r.maxParamsB)!;
  return stopWhenDecided ? row.responsesPerSecond : row.responsesPerSecond / FULL_GENERATION_SLOWDOWN;
}

/** The expected time of `prompts` rows; a measured responses/s (from the GPU self-test), when given, wins. */
export function estimateWebGpu(prompts: number, paramsB: number, stopWhenDecided: boolean, measured: number | null = null): TimeEstimate {
  const usable = measured !== null && Number.isFinite(measured) && measured > 0;
  const responsesPerSecond = usable ? measured : webgpuRate(paramsB, stopWhenDecided);
  return { seconds: prompts / responsesPerSecond, responsesPerSecond, source: usable ? 'measured' : 'estimate' };
}

/** "about 3 minutes", "under a minute", "about 2 hours": the precision a plan needs. */
export function roughDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(seconds / 360) / 10;
  if (hours < 48) return `about ${hours} hours`;
  return `about ${Math.round(hours / 24)} days`;
}
