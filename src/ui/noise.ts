// Which estimates on the Results page are still within noise: a factor whose ι does not clear ι_null, a persona whose
// refusal-rate interval overlaps persona-free's. Pure, so the page and the presentation view say the same.
import { FACTORS, type AnalysisResult, type Factor } from '../core/stats/result.ts';
import { PERSONA_FREE } from '../core/types.ts';

export type FactorNoise =
  | { factor: Factor; kind: 'beyond-noise' | 'within-noise'; iota: number; iotaNull: number }
  /** One level only, no refusals, only refusals or one response: nothing to tell apart. */
  | { factor: Factor; kind: 'undefined' };

export interface PersonaNoise {
  persona: string;
  /** 'above' / 'below': the Wilson intervals of the persona and persona-free do not overlap. */
  kind: 'above' | 'below' | 'within-noise';
}

export interface NoiseSummary {
  factors: FactorNoise[];
  /** Each persona against persona-free, pooled over tasks and models; null without persona-free responses. */
  personas: PersonaNoise[] | null;
}

export function noiseSummary(result: Pick<AnalysisResult, 'iota' | 'rates'>): NoiseSummary {
  const factors = FACTORS.filter((f) => result.rates.byFactor[f].length > 1).map((factor): FactorNoise => {
    const { iota, iotaNull } = result.iota[factor];
    if (iota === null || iotaNull === null) return { factor, kind: 'undefined' };
    return { factor, kind: iota > iotaNull ? 'beyond-noise' : 'within-noise', iota, iotaNull };
  });
  const levels = result.rates.byFactor.persona;
  const free = levels.find((l) => l.level === PERSONA_FREE && l.n > 0);
  const personas = free
    ? levels.filter((l) => l.level !== PERSONA_FREE && l.n > 0).map((l): PersonaNoise => ({
        persona: l.level,
        kind: (l.wilson[0] ?? 0) > (free.wilson[1] ?? 1) ? 'above' : (l.wilson[1] ?? 1) < (free.wilson[0] ?? 0) ? 'below' : 'within-noise',
      }))
    : null;
  return { factors, personas };
}
