// Builds the web-llm model catalogue (catalogue.json) from web-llm's prebuilt model list.
// Pure: it takes the records, so the page never has to import web-llm to show the list. The test
// test/backends/catalogue.test.ts rebuilds it from the installed web-llm and fails when the JSON has drifted.
import { matchPaperModel } from '../core/paper.ts';

/** The fields of web-llm's ModelRecord that the catalogue reads. */
export interface ModelRecordLike {
  model: string;
  model_id: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  buffer_size_required_bytes?: number;
  required_features?: string[];
  overrides?: { context_window_size?: number };
}

export interface CatalogueModel {
  /** web-llm's model_id, e.g. "Llama-3.2-1B-Instruct-q4f16_1-MLC". */
  id: string;
  family: string;
  /** Readable name without the quantisation, e.g. "Llama 3.2 1B Instruct". */
  name: string;
  /** Parameters, billions (from the table below; web-llm's records do not say). */
  paramsB: number;
  /** MLC quantisation code: q4f16_1 (4-bit weights, f16 compute), q4f32_1 (4-bit weights, f32 compute). */
  quantization: string;
  /** Needs the WebGPU `shader-f16` feature: every f16 build, whether or not the record lists it. */
  shaderF16: boolean;
  /** web-llm's estimate of GPU memory needed. */
  vramMB: number;
  /** web-llm's flag: runs with the default 128 MB storage-buffer binding limit (e.g. phones, integrated GPUs). */
  lowResource: boolean;
  requiredFeatures: string[];
  /** Largest single GPU buffer the model allocates, where web-llm says. */
  bufferSizeRequiredBytes: number | null;
  contextWindow: number | null;
  /** Estimated download size, MB: parameters x bits per weight (see BITS_PER_WEIGHT). */
  downloadMB: number;
  /** False when the chat template has no system role (gemma): a system message is folded into the first user turn. */
  systemRole: boolean;
  /** True for models that think before answering unless told not to (Qwen3): the backend turns thinking off. */
  thinking: boolean;
  /** The paper's name for this model when the paper tested it (e.g. "Llama3.2-1B"), else null. */
  paperModel: string | null;
  /** Hugging Face repository of the weights. */
  weights: string;
}

interface FamilySpec {
  family: string;
  /** Matches model ids of the family; group 1 is the size as written in the id. */
  pattern: RegExp;
  name: (size: string) => string;
  /** Parameters in billions by size, embeddings included (model cards). */
  params: Record<string, number>;
  systemRole: boolean;
  thinking: boolean;
}

const Q = '-(q4f16_1|q4f32_1)-MLC(?:-1k)?$';

// Small instruction models, plus the paper's own models where web-llm builds them (Llama 2/3/3.1, Qwen2, Gemma 1/2).
const FAMILIES: FamilySpec[] = [
  { family: 'Llama-3.2', pattern: new RegExp(`^Llama-3\\.2-(1B|3B)-Instruct${Q}`), name: (s) => `Llama 3.2 ${s} Instruct`, params: { '1B': 1.24, '3B': 3.21 }, systemRole: true, thinking: false },
  { family: 'Llama-3.1', pattern: new RegExp(`^Llama-3\\.1-(8B)-Instruct${Q}`), name: (s) => `Llama 3.1 ${s} Instruct`, params: { '8B': 8.03 }, systemRole: true, thinking: false },
  { family: 'Llama-3', pattern: new RegExp(`^Llama-3-(8B)-Instruct${Q}`), name: (s) => `Llama 3 ${s} Instruct`, params: { '8B': 8.03 }, systemRole: true, thinking: false },
  { family: 'Llama-2', pattern: new RegExp(`^Llama-2-(7b|13b)-chat-hf${Q}`), name: (s) => `Llama 2 ${s.toUpperCase()} Chat`, params: { '7b': 6.74, '13b': 13.0 }, systemRole: true, thinking: false },
  { family: 'Qwen2.5', pattern: new RegExp(`^Qwen2\\.5-(0\\.5B|1\\.5B|3B|7B)-Instruct${Q}`), name: (s) => `Qwen2.5 ${s} Instruct`, params: { '0.5B': 0.49, '1.5B': 1.54, '3B': 3.09, '7B': 7.62 }, systemRole: true, thinking: false },
  { family: 'Qwen2', pattern: new RegExp(`^Qwen2-(7B)-Instruct${Q}`), name: (s) => `Qwen2 ${s} Instruct`, params: { '7B': 7.62 }, systemRole: true, thinking: false },
  { family: 'Qwen3', pattern: new RegExp(`^Qwen3-(0\\.6B|1\\.7B|4B|8B)${Q}`), name: (s) => `Qwen3 ${s}`, params: { '0.6B': 0.6, '1.7B': 2.03, '4B': 4.02, '8B': 8.19 }, systemRole: true, thinking: true },
  { family: 'gemma-2', pattern: new RegExp(`^gemma-2-(2b|9b)-it${Q}`), name: (s) => `Gemma 2 ${s.toUpperCase()} it`, params: { '2b': 2.61, '9b': 9.24 }, systemRole: false, thinking: false },
  { family: 'gemma', pattern: new RegExp(`^gemma-(2b)-it${Q}`), name: (s) => `Gemma ${s.toUpperCase()} it`, params: { '2b': 2.51 }, systemRole: false, thinking: false },
  { family: 'SmolLM2', pattern: new RegExp(`^SmolLM2-(360M|1\\.7B)-Instruct${Q}`), name: (s) => `SmolLM2 ${s} Instruct`, params: { '360M': 0.36, '1.7B': 1.71 }, systemRole: true, thinking: false },
];

/** Effective bits per weight: 4-bit weights plus one scale per group of 32 (f16: 0.5 bit, f32: 1 bit). */
export const BITS_PER_WEIGHT: Record<string, number> = { q4f16_1: 4.5, q4f32_1: 5 };

export function buildCatalogue(records: readonly ModelRecordLike[]): CatalogueModel[] {
  const out: CatalogueModel[] = [];
  for (const r of records) {
    for (const spec of FAMILIES) {
      const m = spec.pattern.exec(r.model_id);
      if (!m) continue;
      const [, size, quantization] = m;
      const paramsB = spec.params[size];
      const features = r.required_features ?? [];
      out.push({
        id: r.model_id,
        family: spec.family,
        name: spec.name(size) + (r.model_id.endsWith('-1k') ? ' (1k context)' : ''),
        paramsB,
        quantization,
        shaderF16: quantization.includes('f16') || features.includes('shader-f16'),
        vramMB: Math.round(r.vram_required_MB ?? 0),
        lowResource: r.low_resource_required ?? false,
        requiredFeatures: features,
        bufferSizeRequiredBytes: r.buffer_size_required_bytes ?? null,
        contextWindow: r.overrides?.context_window_size ?? null,
        downloadMB: Math.round((paramsB * 1e9 * BITS_PER_WEIGHT[quantization]) / 8 / 2 ** 20),
        systemRole: spec.systemRole,
        thinking: spec.thinking,
        paperModel: matchPaperModel(r.model_id),
        weights: r.model,
      });
      break;
    }
  }
  return out.sort((a, b) => a.family.localeCompare(b.family, 'en') || a.paramsB - b.paramsB || a.id.localeCompare(b.id, 'en'));
}
