// Figure 3: refusal rate by persona x model, pooled over the tasks in the cells (the paper pools politeness and
// offensiveness). Personas in their groups' order, persona-free last; models in the paper's order.
import { poolCells } from '../../core/stats/pool.ts';
import { heatCell, heatTable, type HeatmapData } from './heat.ts';
import { groupPersonas, hi, keep, lo, orderModels, taskOrder, type ChartData, type ChartFilter } from './shared.ts';

/** The counts Figure 3 needs from a cell (the store's Cell and the statistics' CellCounts both have them). */
export interface PersonaCell {
  model: string;
  task: string;
  persona: string;
  n: number;
  refusals: number;
}

export interface ModelPersonaData extends HeatmapData, ChartData {
  /** The tasks pooled, in the paper's order. */
  tasks: string[];
}

/** Whether a cell passes the filter's tasks, models and personas. */
export function keepCell(c: PersonaCell, filter: ChartFilter): boolean {
  return keep(filter.tasks, c.task) && keep(filter.models, c.model) && keep(filter.personas, c.persona);
}

export function modelPersonaData(cells: readonly PersonaCell[], filter: ChartFilter = {}): ModelPersonaData {
  const tasks = new Set<string>();
  const pooled = poolCells(cells, (c) => {
    if (!keepCell(c, filter)) return null;
    tasks.add(c.task);
    return [c.persona, c.model];
  });
  const all = [...pooled].flatMap(([persona, byModel]) => [...byModel].map(([model, s]) => ({ persona, model, ...s })));
  const heatCells = all.filter((s) => s.n > 0).map((s) => heatCell({
    row: s.persona, col: s.model, n: s.n, k: s.k, rate: s.rate, lo: lo(s.wilson), hi: hi(s.wilson), paper: null,
  }));
  return {
    rows: groupPersonas([...pooled.keys()]).rows,
    cols: orderModels(all.map((s) => s.model)),
    cells: heatCells,
    tasks: taskOrder(tasks),
    table: heatTable('persona', 'model', heatCells),
    empty: heatCells.length === 0 ? 'No responses yet.' : null,
  };
}
