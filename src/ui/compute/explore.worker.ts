import * as Comlink from 'comlink';
import { defaultBudgetMB, detectGpu, type GpuLike } from '../../backends/gpu.ts';
import { createWebLLMBackend } from '../../backends/webllm.ts';
import { createExploreModel } from './explore-model.ts';

const nav = navigator as Navigator & { gpu?: GpuLike; deviceMemory?: number };

Comlink.expose(
  createExploreModel(async (modelId, onProgress, budgetMB) =>
    createWebLLMBackend({
      modelId,
      gpu: await detectGpu(nav.gpu),
      budgetMB: budgetMB ?? defaultBudgetMB(nav.deviceMemory),
      onProgress,
      browser: nav.userAgent,
    }),
  ),
);
