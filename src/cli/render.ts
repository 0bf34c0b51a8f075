// `npm run cli -- render --config FILE --model ID --row N [--json]`: the exact text a catalogue model receives for
// row N of the study's plan, rendered by the same code the web-llm backend uses (core/chat-template.ts).
import { chatTemplateFor } from '../backends/chat-templates.ts';
import { CATALOGUE, catalogueModel } from '../backends/catalogue.ts';
import { modelInput } from '../core/chat-template.ts';
import { buildPlan } from '../core/plan.ts';
import { integerOption, parseCommandArgs, requireOption, usageFailure, UsageError } from './args.ts';
import { loadStudyData, readConfigOrReport } from './load-data.ts';

const USAGE = `usage: npm run cli -- render --config FILE --model ID --row N [--json]
  --config FILE   study config JSON (its systemMessage and templateDate apply)
  --model ID      a web-llm catalogue model id (e.g. Llama-3.2-1B-Instruct-q4f16_1-MLC) or a template family (e.g. Qwen2.5)
  --row N         the plan row, 1 = the first line of \`cli plan --out\`
  --json          print {key, model, template, source, system, promptSha256, stop, prompt} instead of the bare prompt
Prints the prompt exactly as the model's tokenizer receives it (no newline added).`;

export async function main(argv: string[]): Promise<number> {
  let configPath: string;
  let modelArg: string;
  let row: number;
  let json: boolean;
  try {
    const { values } = parseCommandArgs(argv, {
      config: { type: 'string' },
      model: { type: 'string' },
      row: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    configPath = requireOption(values.config, 'config');
    modelArg = requireOption(values.model, 'model');
    row = integerOption(requireOption(values.row, 'row'), 'row', 1, Number.MAX_SAFE_INTEGER)!;
    json = values.json ?? false;
  } catch (err) {
    return usageFailure(err, USAGE);
  }

  const model = catalogueModel(modelArg);
  const template = chatTemplateFor(model?.family ?? modelArg);
  if (!template) {
    const families = [...new Set(CATALOGUE.map((m) => m.family))].join(', ');
    return usageFailure(new UsageError(`--model "${modelArg}" is neither a catalogue model id nor a template family (${families}).`), USAGE);
  }
  const config = await readConfigOrReport(configPath, process.stderr);
  if (!config) return 2;
  const plan = buildPlan(config, await loadStudyData());
  const planRow = plan[row - 1];
  if (!planRow) {
    process.stderr.write(`--row ${row} is past the end: the plan of ${configPath} has ${plan.length} rows.\n`);
    return 2;
  }
  const input = await modelInput(template, planRow.messages, { system: config.systemMessage, date: config.templateDate });
  if (json) {
    const out = {
      key: planRow.key,
      model: model?.id ?? null,
      template: template.family,
      source: template.source,
      system: input.system,
      promptSha256: input.promptSha256,
      stop: template.stop,
      prompt: input.prompt,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(input.prompt);
  }
  return 0;
}
