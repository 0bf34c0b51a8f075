// WebGPU capability detection and model fit, pure given a `navigator.gpu`-like object (tests pass fakes).
import { CATALOGUE, siblingVariant } from './catalogue.ts';
import type { CatalogueModel } from './catalogue.ts';
import { ModelDoesNotFitError } from './errors.ts';

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  /** Chrome 136+ reports a software adapter here (the adapter's own flag is deprecated). */
  isFallbackAdapter?: boolean;
}

export interface GpuAdapterLike {
  features: { has(feature: string): boolean } & Iterable<string>;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  /** Chrome 114+ exposes `info`; older builds only `requestAdapterInfo()`. */
  info?: GpuAdapterInfoLike;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
  isFallbackAdapter?: boolean;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

export type GpuCapability =
  /** `insecureContext`: the page is served over plain http (not localhost), where browsers hide WebGPU. */
  | { kind: 'unavailable'; reason: string; insecureContext?: boolean }
  | {
      kind: 'available';
      adapter: { vendor?: string; architecture?: string; description?: string };
      features: string[];
      shaderF16: boolean;
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      /** A software adapter (e.g. SwiftShader): works, but far too slow for a study. */
      fallback: boolean;
    };
export type AvailableGpu = Extract<GpuCapability, { kind: 'available' }>;

const MB = 2 ** 20;
/** web-llm asks for a 1 GB storage-buffer binding and falls back to 128 MB, which only low-resource builds run with. */
const FULL_BINDING = 2 ** 30;
/** web-llm cannot start below a 256 MB maxBufferSize. */
const MIN_BUFFER = 2 ** 28;

/**
 * What this browser's WebGPU offers. `secureContext` is `isSecureContext` (default: the global's): browsers expose
 * `navigator.gpu` only on https pages and localhost, so a page opened over plain http on a LAN lacks it for that reason.
 */
export async function detectGpu(gpu: GpuLike | undefined | null, secureContext: boolean | undefined = (globalThis as { isSecureContext?: boolean }).isSecureContext): Promise<GpuCapability> {
  if (!gpu && secureContext === false) {
    return {
      kind: 'unavailable',
      insecureContext: true,
      reason: 'WebGPU needs a secure context: this page was opened over plain http, and browsers offer WebGPU only on https pages or on localhost',
    };
  }
  if (!gpu) return { kind: 'unavailable', reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { kind: 'unavailable', reason: `requesting a GPU adapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!adapter) return { kind: 'unavailable', reason: 'no GPU adapter was found (WebGPU may be disabled or the GPU blocklisted)' };
  let info: GpuAdapterInfoLike = adapter.info ?? {};
  if (!adapter.info && adapter.requestAdapterInfo) info = await adapter.requestAdapterInfo().catch(() => ({}));
  const features = [...adapter.features].sort();
  return {
    kind: 'available',
    adapter: {
      vendor: info.vendor || undefined,
      architecture: info.architecture || undefined,
      description: info.description || info.device || undefined,
    },
    features,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    fallback: adapter.isFallbackAdapter === true || info.isFallbackAdapter === true,
  };
}

/** Browsers round navigator.deviceMemory down to a power of two and report at most this many GB. */
export const DEVICE_MEMORY_CAP_GB = 8;

/**
 * GPU memory the app lets a model use, MB. WebGPU does not tell how much memory a GPU has, so this is a heuristic
 * the user can override: 60% of the device memory the browser reports (navigator.deviceMemory, itself capped at 8 GB),
 * else 4 GB.
 */
export function defaultBudgetMB(deviceMemoryGB?: number): number {
  return deviceMemoryGB && deviceMemoryGB > 0 ? Math.round(deviceMemoryGB * 1024 * 0.6) : 4096;
}

export type Fit = { kind: 'fits' } | { kind: 'does-not-fit'; reason: string };

/** Whether a model can run on this GPU within the memory budget. */
export function checkFit(model: CatalogueModel, gpu: AvailableGpu, budgetMB: number): Fit {
  if (gpu.maxBufferSize < MIN_BUFFER) {
    return { kind: 'does-not-fit', reason: `the GPU allows buffers of only ${Math.round(gpu.maxBufferSize / MB)} MB (web-llm needs 256 MB)` };
  }
  if (model.shaderF16 && !gpu.shaderF16) {
    return { kind: 'does-not-fit', reason: 'this f16 build needs the WebGPU feature shader-f16, which this GPU or browser lacks' };
  }
  if (!model.lowResource && gpu.maxStorageBufferBindingSize < FULL_BINDING) {
    return {
      kind: 'does-not-fit',
      reason: `it needs 1 GB storage-buffer bindings and this GPU allows ${Math.round(gpu.maxStorageBufferBindingSize / MB)} MB`,
    };
  }
  // buffer_size_required_bytes is bound as one storage buffer, so maxStorageBufferBindingSize is the limit that applies.
  if (model.bufferSizeRequiredBytes !== null && model.bufferSizeRequiredBytes > gpu.maxStorageBufferBindingSize) {
    return {
      kind: 'does-not-fit',
      reason:
        `it needs a ${Math.round(model.bufferSizeRequiredBytes / MB)} MB storage-buffer binding and this GPU allows ` +
        `${Math.round(gpu.maxStorageBufferBindingSize / MB)} MB`,
    };
  }
  if (model.vramMB > budgetMB) {
    return { kind: 'does-not-fit', reason: `it needs about ${model.vramMB} MB of GPU memory and the budget is ${budgetMB} MB` };
  }
  return { kind: 'fits' };
}

/** The q4f32 build where shader-f16 is missing (f16 Llama/Qwen builds need it though web-llm does not list it). */
export function preferredVariant(model: CatalogueModel, gpu: AvailableGpu): CatalogueModel {
  if (model.shaderF16 && !gpu.shaderF16) return siblingVariant(model, 'q4f32_1') ?? model;
  return model;
}

/** A model that fits: the largest fitting one of the same family, else the largest fitting one of any family. */
export function suggestModel(
  like: CatalogueModel | undefined,
  gpu: AvailableGpu,
  budgetMB: number,
  catalogue: readonly CatalogueModel[] = CATALOGUE,
): CatalogueModel | null {
  const fitting = catalogue.filter((m) => checkFit(m, gpu, budgetMB).kind === 'fits');
  const largest = (ms: CatalogueModel[]) =>
    ms.reduce<CatalogueModel | null>((best, m) => (best === null || m.paramsB > best.paramsB || (m.paramsB === best.paramsB && m.vramMB < best.vramMB) ? m : best), null);
  return largest(fitting.filter((m) => m.family === like?.family)) ?? largest(fitting);
}

/**
 * The build to load for a requested model on this GPU: the q4f32 sibling when shader-f16 is missing, refused with a
 * ModelDoesNotFitError naming a model that would fit.
 */
export function resolveModel(model: CatalogueModel, gpu: AvailableGpu, budgetMB: number): CatalogueModel {
  const chosen = preferredVariant(model, gpu);
  const fit = checkFit(chosen, gpu, budgetMB);
  if (fit.kind === 'fits') return chosen;
  const suggestion = suggestModel(chosen, gpu, budgetMB);
  throw new ModelDoesNotFitError(chosen.id, fit.reason, suggestion?.id ?? null);
}
