// Figure 5: the Wasserstein sensitivity index per factor, with the no-effect reference ι_null.
import type { AnalysisResult, Factor } from '../../core/stats/result.ts';
import { FACTORS } from '../../core/stats/result.ts';
import type { PaperResults } from '../../core/paper.ts';
import { num } from '../format.ts';
import type { ChartData, ChartTable } from './shared.ts';

export interface SensitivityBar {
  factor: Factor;
  iota: number | null;
  iotaNull: number | null;
  levels: number;
  /** ι above ι_null: more sensitivity than noise alone would give. */
  beyondNoise: boolean | null;
  /** 1-based rank in the paper's Figure 5, if it ranks this factor. */
  paperRank: number | null;
  label: string;
}

export interface SensitivityData extends ChartData {
  bars: SensitivityBar[];
}

export function sensitivityData(result: Pick<AnalysisResult, 'iota'>, paper: PaperResults | null): SensitivityData {
  const order = paper?.wasserstein_sensitivity_ranking.order_high_to_low ?? [];
  const bars = FACTORS.map((factor): SensitivityBar => {
    const s = result.iota[factor];
    const beyondNoise = s.iota === null || s.iotaNull === null ? null : s.iota > s.iotaNull;
    const rank = order.indexOf(factor);
    return {
      factor, iota: s.iota, iotaNull: s.iotaNull, levels: s.perLevel.length, beyondNoise, paperRank: rank < 0 ? null : rank + 1,
      label: s.iota === null
        ? `${factor}: ι undefined (every response refused, or none did)`
        : `${factor}: ι = ${num(s.iota, 3)}, no-effect reference ι_null = ${num(s.iotaNull, 3)}, ${beyondNoise ? 'beyond noise' : 'within noise'}${rank < 0 ? '' : `; paper rank ${rank + 1} of ${order.length}`}`,
    };
  });
  bars.sort((a, b) => (b.iota ?? -1) - (a.iota ?? -1));
  const table: ChartTable = {
    columns: ['factor', 'levels', 'iota', 'xi', 'iota_null', 'beyond_noise', 'paper_rank'],
    rows: bars.map((b) => ({
      factor: b.factor, levels: b.levels, iota: b.iota, xi: result.iota[b.factor].xi, iota_null: b.iotaNull,
      beyond_noise: b.beyondNoise === null ? null : b.beyondNoise ? 'yes' : 'no', paper_rank: b.paperRank,
    })),
  };
  // Every factor has a bar (undefined ι is drawn as such), so there is always something to show.
  return { bars, table, empty: null };
}
