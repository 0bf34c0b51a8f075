// The study presets shipped in static-data/studies/ (the paper's design and a quick demo), keyed by file name.
import type { StudyConfig } from '../core/types.ts';

const files = import.meta.glob<StudyConfig>('../../static-data/studies/*.json', { eager: true, import: 'default' });

export interface Preset {
  id: string;
  title: string;
  description: string;
  config: StudyConfig;
}

const DESCRIPTIONS: Record<string, { title: string; description: string; order: number }> = {
  'quick-demo': { title: 'Quick demo', description: 'A few hundred prompts: minutes on a laptop GPU or the simulator.', order: 0 },
  'paper-replication': {
    title: "The paper's design",
    description: '3 tasks, 1,000 items per class, 10 persona-template pairs per item: 127,010 prompts per model.',
    order: 1,
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
