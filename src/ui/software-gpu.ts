// Whether a WebGPU adapter is a software fallback (SwiftShader, llvmpipe, lavapipe, WARP): it works, but a model
// generates at a few tokens a minute, so the Models page says so instead of listing models as fitting.
import type { AvailableGpu } from '../backends/gpu.ts';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b|software/i;

/** True for an adapter flagged as a fallback, or one that names a software rasteriser (Chromium often does not flag SwiftShader). */
export function isSoftwareAdapter(gpu: Pick<AvailableGpu, 'fallback' | 'adapter'>): boolean {
  if (gpu.fallback) return true;
  const { vendor, architecture, description } = gpu.adapter;
  return [vendor, architecture, description].some((text) => text !== undefined && SOFTWARE.test(text));
}
