// How numbers read on the charts: percentages with as many decimals as small rates need, counts with thousands separators.
import { format } from 'd3';

const oneDecimal = format('.1f');
const twoDecimals = format('.2f');
const thousands = format(',');

/** A rate in [0, 1] as a percentage: "12.5%", "0.07%", "0%", "<0.01%"; "–" when undefined. */
export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  const x = rate * 100;
  if (x === 0) return '0%';
  const abs = Math.abs(x);
  if (abs >= 1) return `${oneDecimal(x)}%`;
  if (abs >= 0.01) return `${twoDecimals(x)}%`;
  return x > 0 ? '<0.01%' : '>−0.01%';
}

/** A difference of rates in percentage points with its sign: "+12.4 pp", "−0.50 pp". */
export function pp(diff: number | null | undefined): string {
  if (diff === null || diff === undefined || !Number.isFinite(diff)) return '–';
  const x = diff * 100;
  const abs = Math.abs(x);
  const body = abs === 0 ? '0' : abs >= 1 ? oneDecimal(abs) : twoDecimals(abs);
  const sign = x > 0 ? '+' : x < 0 ? '−' : '±';
  return `${sign}${body} pp`;
}

/** A 95% interval of rates: "95% CI 8.7–31.9%". */
export function pctInterval(lo: number | null, hi: number | null): string {
  if (lo === null || hi === null) return 'no interval';
  return `95% CI ${pct(lo).replace('%', '')}–${pct(hi)}`;
}

/** A count with thousands separators: 5000 -> "5,000". */
export function count(n: number): string {
  return thousands(n);
}

/** A coefficient or other signed number with two decimals and a true minus sign. */
export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return format(`.${digits}f`)(x).replace('-', '−');
}

/** A p-value: "p < 0.001" or "p = 0.042". */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'p –';
  return p < 0.001 ? 'p < 0.001' : `p = ${format('.3f')(p)}`;
}

/** Rough rendered width of a label, for laying out margins before the browser measures anything. */
export function textWidth(text: string, fontSize = 12): number {
  return text.length * fontSize * 0.58;
}
