// Which web-llm builds the Models page lists: one row per model unless the reader asks for every build.
import { siblingVariant, type CatalogueModel } from '../backends/catalogue.ts';
import type { AvailableGpu } from '../backends/gpu.ts';

/**
 * One row per model: the build this GPU loads (q4f16 with shader-f16, else q4f32), or, without WebGPU, the q4f32 build
 * that any WebGPU can load. `everyBuild` lists every build (f16 and f32, the 1k-context variants) as the catalogue has them.
 */
export function catalogueRows(catalogue: readonly CatalogueModel[], gpu: AvailableGpu | null, everyBuild: boolean): CatalogueModel[] {
  if (everyBuild) return [...catalogue];
  const quantization = gpu?.shaderF16 ? 'q4f16_1' : 'q4f32_1';
  return catalogue.filter((m) => !m.id.endsWith('-1k') && (siblingVariant(m, quantization) ?? m).id === m.id);
}
