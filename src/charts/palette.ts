// Colour and shape: colour-blind-safe scales, and a shape per series so nothing depends on colour alone.
import { interpolateCividis, lab, scaleSequentialSqrt, symbol, symbolCircle, symbolDiamond, symbolSquare, symbolTriangle } from 'd3';
import type { SymbolType } from 'd3';

/** Okabe & Ito (2008) categorical palette; d3-scale-chromatic does not ship it. */
export const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'] as const;

/** Rates in [0, 1] to cividis; square-root so the small rates most models show stay distinguishable. */
export function rateColor(): (rate: number) => string {
  return scaleSequentialSqrt(interpolateCividis).domain([0, 1]);
}

/** Black or white text, whichever reads on the given fill. */
export function textOn(fill: string): string {
  return lab(fill).l > 58 ? '#000' : '#fff';
}

export interface SeriesStyle {
  color: string;
  shape: SymbolType;
}

const TASK_STYLE: Record<string, SeriesStyle> = {
  nli: { color: OKABE_ITO[4], shape: symbolCircle },
  politeness: { color: OKABE_ITO[0], shape: symbolSquare },
  offensiveness: { color: OKABE_ITO[6], shape: symbolDiamond },
};
const OTHER_SHAPES = [symbolCircle, symbolSquare, symbolDiamond, symbolTriangle];

/** Colour and shape of a series, fixed for the three tasks and cycling otherwise. */
export function seriesStyle(name: string, index: number): SeriesStyle {
  return TASK_STYLE[name] ?? { color: OKABE_ITO[index % OKABE_ITO.length], shape: OTHER_SHAPES[index % OTHER_SHAPES.length] };
}

/** SVG path of a marker of the given area in px², centred on 0,0. */
export function markerPath(shape: SymbolType, area = 64): string {
  return symbol(shape, area)() ?? '';
}

/** The grey of reference marks (ι_null, paper values, zero lines). */
export const REFERENCE_GREY = '#767676';
