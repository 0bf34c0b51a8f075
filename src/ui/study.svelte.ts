// The study being set up on the Study page: an editable configuration, its validation by field, and the plan preview.
import { validateConfig } from '../core/config.ts';
import { PERSONA_SET_IDS, PERSONA_SETS, personaKey, type PersonaInfo } from '../core/personas.ts';
import { DEFAULT_LABELS, TASKS, type StudyConfig, type TaskConfig, type TaskId } from '../core/types.ts';
import type { KeyValueStorage } from './models.svelte.ts';

export interface FieldError {
  path: string;
  message: string;
}

/** Where the Study page keeps its draft (localStorage); the Run page reads it to flag unsaved edits. */
export const DRAFT_KEY = 'prl.study-draft';

/** A config someone can edit: every task present or not, custom personas as text lines. */
export class StudyDraft {
  #storage: KeyValueStorage | null;
  config = $state<StudyConfig>() as StudyConfig;
  #validation = $derived.by(() => validateConfig($state.snapshot(this.config)));

  constructor(initial: StudyConfig, storage: KeyValueStorage | null = null) {
    this.#storage = storage;
    const saved = storage?.getItem(DRAFT_KEY);
    let start = initial;
    if (saved) {
      try {
        start = JSON.parse(saved) as StudyConfig;
      } catch {
        start = initial;
      }
    }
    this.config = structuredClone(start);
  }

  get valid(): boolean {
    return this.#validation.ok;
  }

  /** The validated config, or null while the draft has errors. */
  get validConfig(): StudyConfig | null {
    return this.#validation.ok ? this.#validation.config : null;
  }

  get errors(): FieldError[] {
    return this.#validation.ok ? [] : this.#validation.errors;
  }

  /** Errors of a field and everything under it (`tasks[1]` covers `tasks[1].samplesPerClass`). */
  errorsFor(path: string): string[] {
    return this.errors
      .filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`))
      .map((e) => e.message);
  }

  load(config: StudyConfig): void {
    this.config = structuredClone(config);
    this.persist();
  }

  hasTask(task: TaskId): boolean {
    return this.config.tasks.some((t) => t.task === task);
  }

  taskConfig(task: TaskId): TaskConfig | undefined {
    return this.config.tasks.find((t) => t.task === task);
  }

  /** Adds or removes a task, keeping the tasks in their canonical order. */
  setTask(task: TaskId, on: boolean): void {
    if (on === this.hasTask(task)) return;
    if (!on) {
      this.config.tasks = this.config.tasks.filter((t) => t.task !== task);
    } else {
      const samplesPerClass = this.config.tasks[0]?.samplesPerClass ?? 10;
      const added: TaskConfig = { task, samplesPerClass, labels: [...DEFAULT_LABELS[task]] };
      if (task === 'offensiveness') added.sampling = 'annotation-rows';
      this.config.tasks = TASKS.filter((t) => t === task || this.hasTask(t)).map(
        (t) => (t === task ? added : this.taskConfig(t)!),
      );
    }
    this.persist();
  }

  /** The personas of the chosen sets, each once (the first set that has it), in set order. */
  get setPersonas(): PersonaInfo[] {
    const seen = new Set<string>();
    const out: PersonaInfo[] = [];
    for (const set of PERSONA_SET_IDS) {
      if (!this.config.personas.sets.includes(set)) continue;
      for (const p of PERSONA_SETS[set]) {
        const key = personaKey(p.persona);
        if (!seen.has(key)) (seen.add(key), out.push(p));
      }
    }
    return out;
  }

  /** Whether a persona of the chosen sets is used (all are, unless `only` narrows them). */
  isChosen(persona: string): boolean {
    const only = this.config.personas.only;
    return !only || only.some((p) => personaKey(p) === personaKey(persona));
  }

  /** Uses or leaves out personas of the sets; choosing all of them clears `only`. */
  choose(personas: readonly string[], on: boolean): void {
    const keys = new Set(personas.map(personaKey));
    const all = this.setPersonas;
    const chosen = all.filter((p) => (keys.has(personaKey(p.persona)) ? on : this.isChosen(p.persona))).map((p) => p.persona);
    if (chosen.length === all.length) delete this.config.personas.only;
    else this.config.personas.only = chosen;
  }

  /** Custom personas, one per line. */
  get customText(): string {
    return this.config.personas.custom.join('\n');
  }

  set customText(text: string) {
    this.config.personas.custom = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  }

  persist(): void {
    this.#storage?.setItem(DRAFT_KEY, JSON.stringify($state.snapshot(this.config)));
  }
}
