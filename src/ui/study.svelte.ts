// The study being set up on the Study page: an editable configuration, its validation by field, and the plan preview.
import { validateConfig } from '../core/config.ts';
import { DEFAULT_LABELS, TASKS, type StudyConfig, type TaskConfig, type TaskId } from '../core/types.ts';
import type { KeyValueStorage } from './models.svelte.ts';

export interface FieldError {
  path: string;
  message: string;
}

const DRAFT_KEY = 'prl.study-draft';

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
