// The backends' public surface: one Backend interface (types.ts), three implementations, their errors, and the one
// factory from a model choice (spec.ts).
// web-llm itself loads only when a web-llm engine or its cache is first used (see webllm.ts).
export type { Backend, GenerateRequest, GenerateResult, LoadProgress, RowContext } from './types.ts';
export * from './errors.ts';
export { CATALOGUE, catalogueModel, siblingVariant, type CatalogueModel } from './catalogue.ts';
export {
  checkFit, defaultBudgetMB, detectGpu, preferredVariant, resolveModel, suggestModel,
  type AvailableGpu, type Fit, type GpuCapability, type GpuLike,
} from './gpu.ts';
export {
  createOpenAIBackend, listModels, normaliseBaseUrl, testConnection,
  type ConnectionTest, type EndpointConnection, type OpenAIBackend, type OpenAIBackendOptions,
} from './openai.ts';
export {
  backendModelName, createBackend, recoverBackend, recordModelName, withoutApiKey,
  type BackendPlatform, type ModelSpec, type StoredModelSpec,
} from './spec.ts';
export { createSimulatorBackend, SIMULATED_MODELS, type SimulatorBackend, type SimulatorOptions } from './simulator.ts';
export {
  createWebLLMBackend, deleteModelFromCache, isModelCached,
  type EngineFactory, type WebLLMBackend, type WebLLMBackendOptions, type WebLLMEngineLike,
} from './webllm.ts';
