// The web-llm models the app offers, from catalogue.json (built by catalogue-build.ts from web-llm's prebuilt list,
// checked against the installed web-llm by test/backends/catalogue.test.ts). Importing this never loads web-llm.
import catalogueJson from './catalogue.json';
import type { CatalogueModel } from './catalogue-build.ts';

export type { CatalogueModel } from './catalogue-build.ts';

export const CATALOGUE: readonly CatalogueModel[] = catalogueJson as CatalogueModel[];

export function catalogueModel(id: string): CatalogueModel | undefined {
  return CATALOGUE.find((m) => m.id === id);
}

/** The same model and context length in another quantisation (e.g. the q4f32_1 build of a q4f16_1 model). */
export function siblingVariant(model: CatalogueModel, quantization: string): CatalogueModel | undefined {
  const id = model.id.replace(model.quantization, quantization);
  return id === model.id ? model : catalogueModel(id);
}
