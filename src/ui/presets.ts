// The study presets shipped in static-data/studies/ (the classroom study, a quick demo, the paper's design), keyed by
// file name.
import type { StudyConfig } from '../core/types.ts';

const files = import.meta.glob<StudyConfig>('../../static-data/studies/*.json', { eager: true, import: 'default' });

export interface Preset {
  id: string;
  title: string;
  description: string;
  config: StudyConfig;
}

/** The preset the landing page's starts run: small, yet its persona effect clears the noise (test/ui/classroom-preset.test.ts). */
export const CLASSROOM_ID = 'classroom';
/** The paper model the simulator imitates for "See it now": one that refuses offensiveness often enough to show the effect. */
export const CLASSROOM_SIMULATED_MODEL = 'Llama3-8B';

/** Rows of the classroom plan (80 items x 7 persona-template pairs); the test checks it against the built plan. */
export const CLASSROOM_PROMPTS = 560;

const DESCRIPTIONS: Record<string, { title: string; description: string; order: number }> = {
  classroom: {
    title: 'Classroom',
    description: 'Offensiveness, six contrasting personas and persona-free, unforced and forced prompts: 560 prompts, the persona effect clears the noise.',
    order: 0,
  },
  'quick-demo': { title: 'Quick demo', description: 'A few hundred prompts over two tasks and all 15 personas: too few per persona to tell them apart.', order: 1 },
  'paper-replication': {
    title: "The paper's design",
    description: '3 tasks, 1,000 items per class, 10 persona-template pairs per item: 127,010 prompts per model.',
    order: 2,
  },
};

export const PRESETS: Preset[] = Object.entries(files)
  .map(([path, config]) => {
    const id = path.replace(/^.*\//, '').replace(/\.json$/, '');
    const known = DESCRIPTIONS[id];
    return {
      id,
      title: known?.title ?? id,
      description: known?.description ?? config.name,
      config: structuredClone(config),
      order: known?.order ?? 99,
    };
  })
  .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))
  .map(({ order: _order, ...preset }) => preset);

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
