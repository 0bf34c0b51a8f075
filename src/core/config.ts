// Validation, normalisation and identity of a study configuration (a StudyConfig as JSON).
import { SAMPLINGS, defaultSampling } from './datasets.ts';
import type { NliSplit } from './datasets.ts';
import { PERSONA_SETS, PERSONA_SET_IDS, normalizePersona, personaKey, personaLevels } from './personas.ts';
import { LABEL_COUNT } from './templates.ts';
import { RULE_IDS, RUN_ORDERS, DEFAULT_LABELS, PERSONA_FREE, TASKS, TEMPLATE_IDS } from './types.ts';
import type { RuleId, RunOrder, PersonaSetId, Placement, StudyConfig, SystemMessageSetting, TaskConfig, TaskId, TemplateId } from './types.ts';
import { DEFAULT_TEMPLATE_DATE } from './types.ts';

export interface ConfigError {
  /** The field, e.g. `tasks[1].samplesPerClass`; '' for the whole document. */
  path: string;
  /** Names the field and what is allowed, e.g. `tasks[1].samplesPerClass: must be an integer from 1 to 100000, got -3`. */
  message: string;
}

export type ConfigResult = { ok: true; config: StudyConfig } | { ok: false; errors: ConfigError[] };

/** Allowed ranges of the numeric fields. */
export const CONFIG_LIMITS = {
  samplesPerClass: { min: 1, max: 100_000 },
  temperature: { min: 0, max: 2 },
  maxTokens: { min: 1, max: 8192 },
  seed: { min: 0, max: 4_294_967_295 },
  textLength: 200,
} as const;

const PLACEMENTS: readonly Placement[] = ['template', 'system'];
const NLI_SPLITS: readonly NliSplit[] = ['test', 'dev'];

type Json = Record<string, unknown>;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const quoteList = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

class Checker {
  readonly errors: ConfigError[] = [];

  fail(path: string, what: string, got?: unknown, showGot = true): void {
    const field = path || 'config';
    const message = !showGot ? `${field}: ${what}` : got === undefined ? `${field}: missing; ${what}` : `${field}: ${what}, got ${show(got)}`;
    this.errors.push({ path, message });
  }

  object(value: unknown, path: string, allowed: readonly string[]): value is Json {
    if (!isObject(value)) {
      this.fail(path, 'must be an object', value);
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(path ? `${path}.${key}` : key, `unknown field; allowed fields: ${allowed.join(', ')}`, undefined, false);
    }
    return true;
  }

  integer(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.fail(path, `must be an integer from ${min} to ${max}`, value);
    return undefined;
  }

  number(value: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    this.fail(path, `must be a number from ${min} to ${max}`, value);
    return undefined;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.fail(path, 'must be true or false', value);
    return undefined;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(path, `must be one of ${quoteList(allowed)}`, value);
    return undefined;
  }

  text(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || value.trim() === '' || value.trim().length > CONFIG_LIMITS.textLength) {
      this.fail(path, `must be a non-empty text of at most ${CONFIG_LIMITS.textLength} characters`, value);
      return undefined;
    }
    return value.trim();
  }

  array(value: unknown, path: string): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    this.fail(path, 'must be a list', value);
    return undefined;
  }

  /** A non-empty list of distinct allowed values, returned in the canonical order of `allowed`. */
  subset<T extends string>(value: unknown, path: string, allowed: readonly T[]): T[] | undefined {
    const list = this.array(value, path);
    if (!list) return undefined;
    const before = this.errors.length;
    const seen = new Set<T>();
    list.forEach((v, i) => {
      const id = this.oneOf(v, `${path}[${i}]`, allowed);
      if (id === undefined) return;
      if (seen.has(id)) this.fail(`${path}[${i}]`, `"${id}" is listed twice`, undefined, false);
      seen.add(id);
    });
    if (list.length === 0) this.fail(path, `must list at least one of ${quoteList(allowed)}`, value);
    if (this.errors.length > before) return undefined;
    return allowed.filter((id) => seen.has(id));
  }
}

function checkTask(c: Checker, value: unknown, path: string): TaskConfig | undefined {
  if (!c.object(value, path, ['task', 'samplesPerClass', 'sampling', 'labels', 'split'])) return undefined;
  const task = c.oneOf<TaskId>(value.task, `${path}.task`, TASKS);
  const samplesPerClass = c.integer(
    value.samplesPerClass,
    `${path}.samplesPerClass`,
    CONFIG_LIMITS.samplesPerClass.min,
    CONFIG_LIMITS.samplesPerClass.max,
  );
  if (task === undefined) return undefined;

  const sampling = value.sampling === undefined ? defaultSampling(task) : c.oneOf(value.sampling, `${path}.sampling`, SAMPLINGS[task]);

  let split: TaskConfig['split'];
  if (task === 'nli') split = value.split === undefined ? 'test' : c.oneOf(value.split, `${path}.split`, NLI_SPLITS);
  else if (value.split !== undefined) c.fail(`${path}.split`, 'applies to the NLI task only; remove it', value.split);

  let labels: string[] | undefined = [...DEFAULT_LABELS[task]];
  if (value.labels !== undefined) {
    const list = c.array(value.labels, `${path}.labels`);
    const count = LABEL_COUNT[task];
    if (list && list.length !== count) {
      c.fail(`${path}.labels`, `must list exactly ${count} label words for ${task} (e.g. ${show(DEFAULT_LABELS[task])})`, list);
      labels = undefined;
    } else if (list) {
      const words = list.map((v, i) => c.text(v, `${path}.labels[${i}]`));
      const keys = words.map((w) => w?.toLowerCase());
      words.forEach((w, i) => {
        if (w !== undefined && keys.indexOf(w.toLowerCase()) !== i) {
          c.fail(`${path}.labels[${i}]`, `"${w}" is listed twice; label words must differ`, undefined, false);
        }
      });
      labels = words.every((w): w is string => w !== undefined) ? words : undefined;
    } else labels = undefined;
  }

  if (samplesPerClass === undefined || sampling === undefined || labels === undefined) return undefined;
  if (task === 'nli' && split === undefined) return undefined;
  const out: TaskConfig = { task, samplesPerClass, sampling, labels };
  if (task === 'nli') out.split = split;
  return out;
}

function checkPersonas(c: Checker, value: unknown): StudyConfig['personas'] | undefined {
  const path = 'personas';
  if (!c.object(value, path, ['sets', 'only', 'custom', 'includePersonaFree'])) return undefined;
  const setList = c.array(value.sets, `${path}.sets`);
  let sets: PersonaSetId[] | undefined;
  // An empty list of sets is allowed: a study of custom personas, or persona-free only.
  if (setList) sets = setList.length === 0 ? [] : c.subset(value.sets, `${path}.sets`, PERSONA_SET_IDS);
  const includePersonaFree = c.boolean(value.includePersonaFree, `${path}.includePersonaFree`);

  let custom: string[] | undefined = [];
  if (value.custom !== undefined) {
    const list = c.array(value.custom, `${path}.custom`);
    const seen = new Set<string>();
    custom = list ? [] : undefined;
    list?.forEach((v, i) => {
      const p = `${path}.custom[${i}]`;
      if (typeof v !== 'string' || normalizePersona(v).length > CONFIG_LIMITS.textLength) {
        c.fail(p, `must be a text of at most ${CONFIG_LIMITS.textLength} characters`, v);
        return;
      }
      const persona = normalizePersona(v);
      if (persona === '') return; // blank lines of a persona list are dropped
      if (personaKey(persona) === PERSONA_FREE) {
        c.fail(p, `"${PERSONA_FREE}" is the persona-free level; set includePersonaFree instead`, undefined, false);
      } else if (/[|\n\r]/.test(persona)) {
        c.fail(p, 'must not contain "|" or line breaks (they separate plan keys)', v);
      } else if (!seen.has(personaKey(persona))) {
        seen.add(personaKey(persona));
        custom?.push(persona);
      }
    });
  }

  let only: string[] | undefined;
  if (value.only !== undefined && sets) {
    const list = c.array(value.only, `${path}.only`);
    const available = new Map(sets.flatMap((s) => PERSONA_SETS[s].map((p) => [personaKey(p.persona), p.persona] as const)));
    const chosen = new Set<string>();
    list?.forEach((v, i) => {
      const persona = typeof v === 'string' ? available.get(personaKey(v)) : undefined;
      if (persona === undefined) {
        const chosenSets = sets!.length ? sets!.join(', ') : 'none chosen';
        c.fail(`${path}.only[${i}]`, `must be a persona of the chosen sets (${chosenSets})`, v);
      } else chosen.add(persona);
    });
    only = [...chosen].sort();
  }

  if (!sets || includePersonaFree === undefined || !custom) return undefined;
  const personas: StudyConfig['personas'] = { sets, custom, includePersonaFree };
  if (only) personas.only = only;
  if (personaLevels(personas).length === 0) {
    c.fail(path, 'no persona levels: choose a persona set, add custom personas or include persona-free', undefined, false);
    return undefined;
  }
  return personas;
}

/**
 * Checks a study configuration and returns it normalised (tasks, sets and templates in canonical order,
 * personas trimmed and deduplicated, defaults filled in: labels, sampling, NLI split 'test', custom [],
 * placement 'template', rule 'paper-prefix', stopWhenDecided false), or every error found. The rule may be given
 * under its older name `classifier` (config files, share links and bundles made before the rename).
 */
export function validateConfig(json: unknown): ConfigResult {
  const c = new Checker();
  const fields = ['version', 'name', 'seed', 'tasks', 'variationsPerText', 'personas', 'templates', 'placement', 'decoding', 'rule', 'classifier', 'systemMessage', 'templateDate', 'order'];
  if (!c.object(json, '', fields)) return { ok: false, errors: c.errors };

  if (json.version !== 1) c.fail('version', 'must be 1', json.version);
  const name = c.text(json.name, 'name');
  const seed = c.integer(json.seed, 'seed', CONFIG_LIMITS.seed.min, CONFIG_LIMITS.seed.max);

  let tasks: TaskConfig[] | undefined;
  const taskList = c.array(json.tasks, 'tasks');
  if (taskList) {
    if (taskList.length === 0) c.fail('tasks', `must list at least one task of ${quoteList(TASKS)}`, taskList);
    const checked = taskList.map((t, i) => checkTask(c, t, `tasks[${i}]`));
    const seen = new Map<unknown, number>();
    taskList.forEach((t, i) => {
      const id = isObject(t) ? t.task : undefined;
      if (!(TASKS as readonly unknown[]).includes(id)) return;
      if (seen.has(id)) c.fail(`tasks[${i}].task`, `"${id}" is already configured in tasks[${seen.get(id)}]; list each task once`, undefined, false);
      else seen.set(id, i);
    });
    if (taskList.length > 0 && checked.every((t) => t !== undefined) && seen.size === checked.length) {
      tasks = TASKS.flatMap((id) => checked.filter((t) => t!.task === id) as TaskConfig[]);
    }
  }

  const personas = checkPersonas(c, json.personas);
  const templates = c.subset<TemplateId>(json.templates, 'templates', TEMPLATE_IDS);
  const placement = json.placement === undefined ? 'template' : c.oneOf(json.placement, 'placement', PLACEMENTS);
  let rule: RuleId | undefined;
  if (json.rule !== undefined && json.classifier !== undefined && json.rule !== json.classifier) {
    c.fail('rule', `${show(json.rule)} disagrees with its older name "classifier" (${show(json.classifier)}); give "rule" only`, undefined, false);
  } else {
    const given = json.rule !== undefined ? 'rule' : 'classifier';
    rule = json[given] === undefined ? 'paper-prefix' : c.oneOf<RuleId>(json[given], given, RULE_IDS);
  }

  let decoding: StudyConfig['decoding'] | undefined;
  if (c.object(json.decoding, 'decoding', ['temperature', 'maxTokens', 'seed', 'stopWhenDecided'])) {
    const d = json.decoding;
    const temperature = c.number(d.temperature, 'decoding.temperature', CONFIG_LIMITS.temperature.min, CONFIG_LIMITS.temperature.max);
    const maxTokens = c.integer(d.maxTokens, 'decoding.maxTokens', CONFIG_LIMITS.maxTokens.min, CONFIG_LIMITS.maxTokens.max);
    const dSeed = c.integer(d.seed, 'decoding.seed', CONFIG_LIMITS.seed.min, CONFIG_LIMITS.seed.max);
    const stopWhenDecided = d.stopWhenDecided === undefined ? false : c.boolean(d.stopWhenDecided, 'decoding.stopWhenDecided');
    if (temperature !== undefined && maxTokens !== undefined && dSeed !== undefined && stopWhenDecided !== undefined) {
      decoding = { temperature, maxTokens, seed: dSeed, stopWhenDecided };
    }
  }

  const systemMessage = checkSystemMessage(c, json.systemMessage);
  const templateDate = checkTemplateDate(c, json.templateDate);
  const order = json.order === undefined ? undefined : c.oneOf<RunOrder>(json.order, 'order', RUN_ORDERS);

  let variationsPerText: number | undefined;
  if (personas && templates) {
    const levels = personaLevels(personas).length;
    const max = levels * templates.length;
    const v = json.variationsPerText;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max) variationsPerText = v;
    else {
      const why = `${levels} persona levels x ${templates.length} templates, as each text gets distinct persona-template pairs`;
      c.fail('variationsPerText', `must be an integer from 1 to ${max} (${why})`, v);
    }
  } else if (!(typeof json.variationsPerText === 'number' && Number.isInteger(json.variationsPerText) && json.variationsPerText >= 1)) {
    c.fail('variationsPerText', 'must be a positive integer', json.variationsPerText);
  }

  if (
    c.errors.length > 0 ||
    name === undefined ||
    seed === undefined ||
    !tasks ||
    variationsPerText === undefined ||
    !personas ||
    !templates ||
    placement === undefined ||
    !decoding ||
    rule === undefined
  ) {
    return { ok: false, errors: c.errors };
  }
  const config: StudyConfig = { version: 1, name, seed, tasks, variationsPerText, personas, templates, placement, decoding, rule };
  // The defaults stay absent, so a config written before these fields existed keeps its study id.
  if (systemMessage && systemMessage.kind !== 'model-default') config.systemMessage = systemMessage;
  if (templateDate !== undefined && templateDate !== DEFAULT_TEMPLATE_DATE) config.templateDate = templateDate;
  if (order !== undefined) config.order = order;
  return { ok: true, config };
}

const SYSTEM_KINDS: readonly SystemMessageSetting['kind'][] = ['model-default', 'none', 'custom'];
const SYSTEM_TEXT_MAX = 2000;

function checkSystemMessage(c: Checker, value: unknown): SystemMessageSetting | undefined {
  if (value === undefined) return undefined;
  const path = 'systemMessage';
  if (!c.object(value, path, ['kind', 'text'])) return undefined;
  const kind = c.oneOf(value.kind, `${path}.kind`, SYSTEM_KINDS);
  if (kind !== 'custom') {
    if (value.text !== undefined) c.fail(`${path}.text`, 'applies to kind "custom" only; remove it', value.text);
    return kind === undefined ? undefined : { kind };
  }
  if (typeof value.text !== 'string' || value.text.trim() === '' || value.text.length > SYSTEM_TEXT_MAX) {
    c.fail(`${path}.text`, `must be a non-empty text of at most ${SYSTEM_TEXT_MAX} characters (or choose kind "none")`, value.text);
    return undefined;
  }
  return { kind, text: value.text };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Llama 3.1/3.2 "Today Date" as the templates print it (strftime "%d %b %Y"), e.g. "05 Mar 2026". */
export function templateDateOf(date: Date): string {
  return `${String(date.getUTCDate()).padStart(2, '0')} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function checkTemplateDate(c: Checker, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === 'string' ? /^(\d{2}) ([A-Z][a-z]{2}) (\d{4})$/.exec(value) : null;
  const month = m ? MONTHS.indexOf(m[2]) : -1;
  const day = m ? Number(m[1]) : 0;
  if (!m || month < 0 || day < 1 || day > new Date(Date.UTC(Number(m[3]), month + 1, 0)).getUTCDate()) {
    c.fail('templateDate', `must be a date written like the templates write it, e.g. "${DEFAULT_TEMPLATE_DATE}"`, value);
    return undefined;
  }
  return value as string;
}

/** Maximum variations per text for a config: persona levels x templates (pairs must be distinct per text). */
export function maxVariationsPerText(config: Pick<StudyConfig, 'personas' | 'templates'>): number {
  return personaLevels(config.personas).length * config.templates.length;
}

/** JSON with object keys sorted by code point at every depth; `undefined` properties are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** cyrb53: a 53-bit string hash, written out because it is a dozen lines and must never change. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A short stable id of what a study measures: 14 hex digits of cyrb53 over the canonical JSON of the
 * normalised config without its `name` and `order` (renaming a study keeps its id and its stored responses).
 * The same config gives the same id on every machine.
 */
export function studyId(config: StudyConfig): string {
  const checked = validateConfig(config);
  // The run order changes when rows run, not what is measured: switching it keeps the study's id and responses.
  const { name: _name, order: _order, rule, classifier, ...measured }: StudyConfig & { classifier?: RuleId } = checked.ok ? checked.config : config;
  // The hash input keeps the rule's first name, `classifier`: renaming the field must not change any study's id.
  return cyrb53(canonicalJson({ ...measured, classifier: rule ?? classifier })).toString(16).padStart(14, '0');
}
