// Number formats shared by the pages.
const integer = new Intl.NumberFormat('en');

export function count(n: number): string {
  return integer.format(n);
}

export function percent(rate: number | null, digits = 1): string {
  return rate === null || !Number.isFinite(rate) ? '–' : `${(rate * 100).toFixed(digits)}%`;
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function rate(perSecond: number, digits = 1): string {
  return Number.isFinite(perSecond) ? perSecond.toFixed(digits) : '–';
}

/** True for model names the simulator produced ("simulated:Llama2-13B"). */
export function isSimulatedModel(model: string): boolean {
  return model.startsWith('simulated:');
}
