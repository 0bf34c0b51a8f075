// Logistic regression refused ~ persona + task + prompt + model on cell counts (STATS.md "Logistic regression"):
// maximum likelihood with separation handling, and L2-penalised fits with an unpenalised intercept.
import { cholesky, choleskySolve, inverseDiagonal } from './linalg.ts';
import { separatedCells, symmetricEigen } from './separation.ts';
import { rateStat, Z95 } from './intervals.ts';
import { twoSidedNormalP } from './newcombe.ts';
import { FACTORS, type Coefficient, type Factor, type L2Fit, type LogitResult, type MleFit, type SeparatedCoefficient, type SeparatedLevel } from './result.ts';

/** Cells with each factor's level given as its position in `levels` (0 = the reference). */
export interface LogitInput {
  levels: Record<Factor, readonly string[]>;
  cells: readonly { at: readonly number[]; n: number; k: number }[];
}

/** The paper's treatment of separated models (STATS.md): λ = 1e-4. */
export const DEFAULT_LAMBDA = 1e-4;

const TOLERANCE = 1e-10;
const MAX_ITERATIONS = 200;

/**
 * A design in compact form: for each cell, the columns whose entry is 1 (intercept first; -1 = none);
 * or, when `dense` is set, full rows (cells x p), used for reparametrised fits.
 */
interface Design {
  p: number;
  slots: number;
  cols: Int32Array;
  dense?: Float64Array;
  n: Float64Array;
  k: Float64Array;
}

export interface NewtonResult {
  converged: boolean;
  beta: Float64Array;
  /** sqrt of the diagonal of the inverse (penalised) information; null when it is singular. */
  se: Float64Array | null;
  loglik: number;
  iterations: number;
}

function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

function linearPredictor(d: Design, beta: Float64Array, c: number): number {
  let eta = 0;
  if (d.dense) {
    for (let j = 0; j < d.p; j++) eta += d.dense[c * d.p + j] * beta[j];
    return eta;
  }
  for (let s = 0; s < d.slots; s++) {
    const j = d.cols[c * d.slots + s];
    if (j >= 0) eta += beta[j];
  }
  return eta;
}

/** ℓ(β) = Σ_cells k η − n log(1 + e^η), summed over responses. */
function loglik(d: Design, beta: Float64Array): number {
  let l = 0;
  for (let c = 0; c < d.n.length; c++) {
    const eta = linearPredictor(d, beta, c);
    l += d.k[c] * eta - d.n[c] * softplus(eta);
  }
  return l;
}

function penalty(beta: Float64Array, lambda: number): number {
  let s = 0;
  for (let j = 1; j < beta.length; j++) s += beta[j] * beta[j];
  return (lambda / 2) * s;
}

/** Gradient and information (negative Hessian) of the penalised log-likelihood. */
function derivatives(d: Design, beta: Float64Array, lambda: number): { g: Float64Array; h: Float64Array } {
  const { p, slots, cols } = d;
  const g = new Float64Array(p);
  const h = new Float64Array(p * p);
  for (let c = 0; c < d.n.length; c++) {
    const eta = linearPredictor(d, beta, c);
    const e = Math.exp(-Math.abs(eta));
    const mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    const w = (d.n[c] * e) / ((1 + e) * (1 + e));
    const r = d.k[c] - d.n[c] * mu;
    if (d.dense) {
      const x = d.dense.subarray(c * p, c * p + p);
      for (let a = 0; a < p; a++) {
        if (x[a] === 0) continue;
        g[a] += r * x[a];
        for (let b = 0; b <= a; b++) h[a * p + b] += w * x[a] * x[b];
      }
      continue;
    }
    const base = c * slots;
    for (let s = 0; s < slots; s++) {
      const a = cols[base + s];
      if (a < 0) continue;
      g[a] += r;
      for (let t = 0; t < slots; t++) {
        const b = cols[base + t];
        if (b >= 0 && b <= a) h[a * p + b] += w;
      }
    }
  }
  for (let j = 1; j < p; j++) {
    g[j] -= lambda * beta[j];
    h[j * p + j] += lambda;
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) h[b * p + a] = h[a * p + b];
  return { g, h };
}

/**
 * Newton–Raphson on ℓ(β) − (λ/2) Σ_{j≥1} β_j², halving the step while the objective drops,
 * until the largest Newton step is below 1e-10. Start: intercept = logit(p), others 0 (or `start`).
 */
export function newton(d: Design, lambda: number, start?: Float64Array): NewtonResult {
  let beta = new Float64Array(d.p);
  if (start && start.length === d.p) beta.set(start);
  else {
    let N = 0;
    let K = 0;
    for (let c = 0; c < d.n.length; c++) {
      N += d.n[c];
      K += d.k[c];
    }
    beta[0] = Math.log(K / (N - K));
  }
  let objective = loglik(d, beta) - penalty(beta, lambda);
  let iterations = 0;
  let converged = false;
  let stalled = 0;
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const { g, h } = derivatives(d, beta, lambda);
    const l = cholesky(h, d.p);
    if (!l) break;
    const step = choleskySolve(l, d.p, g);
    let largest = 0;
    for (const s of step) largest = Math.max(largest, Math.abs(s));
    if (!Number.isFinite(largest)) break;
    // accept rounding-level drops near the optimum, where ℓ is flat to machine precision
    const slack = 1e-12 * (1 + Math.abs(objective));
    let t = 1;
    let next = beta;
    let nextObjective = -Infinity;
    for (let halvings = 0; halvings < 60; halvings++, t /= 2) {
      next = beta.map((b, j) => b + t * step[j]);
      nextObjective = loglik(d, next) - penalty(next, lambda);
      if (nextObjective >= objective - slack) break;
    }
    const gain = nextObjective - objective;
    beta = next;
    objective = nextObjective;
    if (largest < TOLERANCE) {
      converged = true;
      break;
    }
    // An ill-conditioned information (a tiny λ on separated levels) leaves rounding noise in the step far above
    // 1e-10: accept the point once the objective no longer moves and the steps are small.
    stalled = gain <= slack && largest < 1e-5 ? stalled + 1 : 0;
    if (stalled >= 3) {
      converged = true;
      break;
    }
  }
  const { h } = derivatives(d, beta, lambda);
  const l = cholesky(h, d.p);
  const se = l ? inverseDiagonal(l, d.p).map(Math.sqrt) : null;
  return { converged: converged && se !== null, beta, se, loglik: loglik(d, beta), iterations };
}

interface Column {
  name: string;
  factor: Factor | null;
  level: string | null;
  /** Factor slot and level position for a factor column. */
  slot: number;
  position: number;
}

export function coefficientName(factor: Factor, level: string): string {
  return `${factor}[T.${level}]`;
}

function columnsOf(levels: Record<Factor, readonly string[]>, excluded: (slot: number, position: number) => boolean): Column[] {
  const columns: Column[] = [{ name: 'Intercept', factor: null, level: null, slot: -1, position: -1 }];
  FACTORS.forEach((factor, slot) => {
    levels[factor].forEach((level, position) => {
      if (!excluded(slot, position)) columns.push({ name: coefficientName(factor, level), factor, level, slot, position });
    });
  });
  return columns;
}

function designOf(columns: readonly Column[], cells: LogitInput['cells']): Design {
  const slots = FACTORS.length + 1;
  const colAt = FACTORS.map(() => new Map<number, number>());
  columns.forEach((c, j) => {
    if (c.slot >= 0) colAt[c.slot].set(c.position, j);
  });
  const cols = new Int32Array(cells.length * slots).fill(-1);
  const n = new Float64Array(cells.length);
  const k = new Float64Array(cells.length);
  cells.forEach((cell, c) => {
    cols[c * slots] = 0;
    for (let s = 0; s < FACTORS.length; s++) cols[c * slots + 1 + s] = colAt[s].get(cell.at[s]) ?? -1;
    n[c] = cell.n;
    k[c] = cell.k;
  });
  return { p: columns.length, slots, cols, n, k };
}

function coefficientsOf(columns: readonly Column[], fit: NewtonResult): Coefficient[] {
  return columns.map((c, j) => {
    const estimate = fit.beta[j];
    const se = fit.se ? fit.se[j] : null;
    const ok = se !== null && Number.isFinite(se) && se > 0;
    const z = ok ? estimate / se : null;
    return {
      name: c.name,
      factor: c.factor,
      level: c.level,
      estimate: Number.isFinite(estimate) ? estimate : null,
      se: ok ? se : null,
      z,
      pValue: z === null ? null : twoSidedNormalP(z),
      ciLow: ok ? estimate - Z95 * se : null,
      ciHigh: ok ? estimate + Z95 * se : null,
    };
  });
}

/** A level of a factor, as a slot and a position in that factor's ordered levels. */
interface LevelRef {
  slot: number;
  position: number;
  limit: '-inf' | '+inf';
}

/**
 * Levels whose responses are all refusals or all non-refusals, found repeatedly: once a separated level's cells are
 * set aside, another level may be all 0 or all 1 among the cells left (its MLE runs off as well).
 * This finds every separation made of whole levels, cheaply; combinations of levels are left to the linear program
 * (separation.ts), run when Newton's method cannot converge on what remains.
 */
export function separatedLevels(input: LogitInput): { levels: LevelRef[]; active: boolean[] } {
  const active = input.cells.map((c) => c.n > 0);
  const found: LevelRef[] = [];
  const done = FACTORS.map((f) => new Array<boolean>(input.levels[f].length).fill(false));
  for (;;) {
    const fresh: LevelRef[] = [];
    FACTORS.forEach((factor, slot) => {
      const n = new Float64Array(input.levels[factor].length);
      const k = new Float64Array(n.length);
      input.cells.forEach((cell, c) => {
        if (!active[c]) return;
        n[cell.at[slot]] += cell.n;
        k[cell.at[slot]] += cell.k;
      });
      n.forEach((nl, position) => {
        if (done[slot][position] || nl === 0) return;
        if (k[position] === 0) fresh.push({ slot, position, limit: '-inf' });
        else if (k[position] === nl) fresh.push({ slot, position, limit: '+inf' });
      });
    });
    if (fresh.length === 0) break;
    for (const s of fresh) {
      done[s.slot][s.position] = true;
      found.push(s);
    }
    input.cells.forEach((cell, c) => {
      if (active[c] && fresh.some((s) => cell.at[s.slot] === s.position)) active[c] = false;
    });
  }
  return { levels: found, active };
}

function failedMle(message: string, separated: SeparatedCoefficient[] = [], levels: SeparatedLevel[] = []): MleFit {
  return { status: 'failed', separated, separatedLevels: levels, coefficients: [], loglik: null, pseudoR2: null, iterations: 0, message };
}

function totals(cells: LogitInput['cells']): { N: number; K: number } {
  let N = 0;
  let K = 0;
  for (const c of cells) {
    N += c.n;
    K += c.k;
  }
  return { N, K };
}

/**
 * The MLE when a combination of levels (not a whole level) separates the data: cells sent to 0 or 1 by a separating
 * direction are set aside, the rest are fitted on the row space of their design, and every coefficient that the
 * remaining cells do not determine is reported as separated, with the sign of the separating direction.
 * Null when no separating direction exists (the failure has another cause).
 */
function fitBeyondLevels(columns: readonly Column[], cells: LogitInput['cells'], loglik0: number): (MleFit & { message: string }) | null {
  const design = designOf(columns, cells);
  const p = design.p;
  // the dense simplex tableau has p rows and about two columns per cell: keep it within ~100 MB
  if (p * (2 * cells.length + 2 * p) > 12_000_000) return null;
  const rows = cells.map((_, c) => {
    const x = new Float64Array(p);
    for (let s = 0; s < design.slots; s++) {
      const j = design.cols[c * design.slots + s];
      if (j >= 0) x[j] = 1;
    }
    return x;
  });
  const search = separatedCells(rows, design.n, design.k);
  const setAside = search.separated.filter(Boolean).length;
  if (setAside === 0) return null;
  const keep = rows.map((_, c) => !search.separated[c]);
  const kept = rows.filter((_, c) => keep[c]);
  // orthonormal basis Z of the row space of the remaining cells' design
  const gram = new Float64Array(p * p);
  for (const x of kept) for (let a = 0; a < p; a++) if (x[a]) for (let b = 0; b < p; b++) gram[a * p + b] += x[b];
  const { values, vectors } = symmetricEigen(gram, p);
  const top = values.reduce((m, v) => Math.max(m, v), 0);
  const basis = [...values.keys()].filter((i) => values[i] > 1e-9 * top);
  const q = basis.length;
  const z = (j: number, i: number) => vectors[j * p + basis[i]];
  const n = Float64Array.from(design.n.filter((_, c) => keep[c]));
  const k = Float64Array.from(design.k.filter((_, c) => keep[c]));
  let N = 0;
  let K = 0;
  n.forEach((v, c) => {
    N += v;
    K += k[c];
  });
  const message = `A combination of levels separates refusals from non-refusals: ${setAside} of ${cells.length} cells have a fitted probability of 0 or 1 in the limit; the coefficients listed as separated have no finite estimate, the others are fitted on the remaining cells.`;
  const separated: SeparatedCoefficient[] = [];
  const estimable = columns.map((_, j) => {
    let norm = 0;
    for (let i = 0; i < q; i++) norm += z(j, i) ** 2;
    return norm > 1 - 1e-6;
  });
  columns.forEach((c, j) => {
    if (!estimable[j]) separated.push({ name: c.name, limit: search.direction[j] > 0 ? '+inf' : '-inf' });
  });
  const base = { status: 'separated' as const, separated, separatedLevels: [], message };
  if (q === 0 || K === 0 || K === N) return { ...base, coefficients: [], loglik: 0, pseudoR2: 1, iterations: 0 };
  const dense = new Float64Array(kept.length * q);
  kept.forEach((x, c) => {
    for (let i = 0; i < q; i++) {
      let v = 0;
      for (let j = 0; j < p; j++) if (x[j]) v += z(j, i);
      dense[c * q + i] = v;
    }
  });
  const reduced: Design = { p: q, slots: 0, cols: new Int32Array(0), dense, n, k };
  // start at β = (logit p, 0, ...), projected on the row space
  const start = new Float64Array(q);
  for (let i = 0; i < q; i++) start[i] = z(0, i) * Math.log(K / (N - K));
  const fit = newton(reduced, 0, start);
  if (!fit.converged) return null;
  const { h } = derivatives(reduced, fit.beta, 0);
  const l = cholesky(h, q);
  if (!l) return null;
  // β = Z ẑ and Var β_j = (Z I⁻¹ Zᵀ)_jj, exact for every estimable coefficient
  const inverse = new Float64Array(q * q);
  for (let i = 0; i < q; i++) {
    const e = new Float64Array(q);
    e[i] = 1;
    inverse.set(choleskySolve(l, q, e), i * q);
  }
  const beta = new Float64Array(p);
  const se = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let b = 0;
    let v = 0;
    for (let i = 0; i < q; i++) {
      b += z(j, i) * fit.beta[i];
      for (let t = 0; t < q; t++) v += z(j, i) * inverse[i * q + t] * z(j, t);
    }
    beta[j] = b;
    se[j] = Math.sqrt(v);
  }
  const all = coefficientsOf(columns, { converged: true, beta, se, loglik: fit.loglik, iterations: fit.iterations });
  return {
    ...base,
    coefficients: all.filter((_, j) => estimable[j]),
    loglik: fit.loglik,
    pseudoR2: 1 - fit.loglik / loglik0,
    iterations: fit.iterations,
  };
}

/** Maximum likelihood, with separated levels reported by direction and rate and the rest fitted without their cells. */
export function fitMle(input: LogitInput): MleFit {
  const { N, K } = totals(input.cells);
  if (N === 0) return failedMle('No responses to fit.');
  if (K === 0 || K === N) return failedMle(`Every response is ${K === 0 ? 'a non-refusal' : 'a refusal'}: the regression is undefined.`);
  const loglik0 = K * Math.log(K / N) + (N - K) * Math.log((N - K) / N);

  const sep = separatedLevels(input);
  const isSeparated = FACTORS.map((f) => new Array<boolean>(input.levels[f].length).fill(false));
  for (const s of sep.levels) isSeparated[s.slot][s.position] = true;

  const separated: SeparatedCoefficient[] = [];
  const levels: SeparatedLevel[] = [];
  const flip = (limit: '-inf' | '+inf') => (limit === '-inf' ? '+inf' : '-inf');
  // A separated reference level leaves its factor's contrasts (and the intercept) without a finite MLE:
  // the remaining levels of that factor get an internal reference and are reported as running the other way.
  const internalReference = FACTORS.map((f, slot) => {
    const first = isSeparated[slot].findIndex((s) => !s);
    return first < 0 ? 0 : first;
  });
  const hiddenFactor = FACTORS.map((_, slot) => isSeparated[slot][0]);
  const messages: string[] = [];
  for (const s of sep.levels) {
    const factor = FACTORS[s.slot];
    const level = input.levels[factor][s.position];
    let n = 0;
    let k = 0;
    input.cells.forEach((cell) => {
      if (cell.at[s.slot] === s.position) {
        n += cell.n;
        k += cell.k;
      }
    });
    levels.push({ factor, level, limit: s.limit, ...rateStat(k, n) });
    if (s.position === 0) {
      if (!separated.some((x) => x.name === 'Intercept')) separated.push({ name: 'Intercept', limit: s.limit });
      input.levels[factor].forEach((other, position) => {
        if (position > 0 && !isSeparated[s.slot][position]) separated.push({ name: coefficientName(factor, other), limit: flip(s.limit) });
      });
      messages.push(
        `The reference level "${level}" of ${factor} ${s.limit === '-inf' ? 'never' : 'always'} refuses, so the intercept and the other ${factor} coefficients have no finite estimate; choose another reference to see them.`,
      );
    } else {
      separated.push({ name: coefficientName(factor, level), limit: s.limit });
    }
  }

  const activeCells = input.cells.filter((_, c) => sep.active[c]);
  if (activeCells.length === 0 || internalReference.some((r, slot) => isSeparated[slot][r])) {
    return failedMle('Every cell belongs to a level that never or always refuses; only the L2 fit is defined.', separated, levels);
  }
  const columns = columnsOf(input.levels, (slot, position) => isSeparated[slot][position] || position === internalReference[slot]);
  const design = designOf(columns, activeCells);
  const rest = totals(activeCells);
  if (rest.K === 0 || rest.K === rest.N) return failedMle('The cells left after setting aside separated levels have no variation in refusal.', separated, levels);
  const fit = newton(design, 0);
  if (!fit.converged) {
    // a combination of levels may separate the data: find it by linear programming and fit what remains
    const general = fitBeyondLevels(columns, activeCells, loglik0);
    if (general) {
      const hidden = new Set(separated.map((x) => x.name));
      return {
        ...general,
        separated: [...separated, ...general.separated.filter((x) => !hidden.has(x.name))],
        separatedLevels: levels,
        coefficients: general.coefficients.filter((c) => !(hiddenFactor.some((h) => h) && (c.factor === null || hiddenFactor[FACTORS.indexOf(c.factor)]))),
        message: [...messages, general.message].join(' '),
      };
    }
    return {
      ...failedMle(
        fit.se === null
          ? 'The design is not identifiable (some levels only occur together); use the L2 fit.'
          : `Newton–Raphson did not converge in ${fit.iterations} iterations; use the L2 fit.`,
        separated,
        levels,
      ),
      iterations: fit.iterations,
    };
  }
  const shown = coefficientsOf(columns, fit).filter((c, j) => !(hiddenFactor.some((h) => h) && (j === 0 || hiddenFactor[columns[j].slot])));
  const status = sep.levels.length > 0 ? 'separated' : 'converged';
  return {
    status,
    separated,
    separatedLevels: levels,
    coefficients: shown,
    loglik: fit.loglik,
    pseudoR2: 1 - fit.loglik / loglik0,
    iterations: fit.iterations,
    ...(messages.length > 0 ? { message: messages.join(' ') } : {}),
  };
}

/** L2-penalised fit on every cell: maximises ℓ(β) − (λ/2) Σ_{j≥1} β_j²; se from the inverse penalised information. */
export function fitL2(input: LogitInput, lambda: number, start?: Float64Array): L2Fit & { beta: Float64Array | null } {
  const { N, K } = totals(input.cells);
  const columns = columnsOf(input.levels, (_, position) => position === 0);
  if (N === 0 || K === 0 || K === N) {
    return {
      lambda,
      status: 'failed',
      coefficients: [],
      loglik: null,
      iterations: 0,
      message: N === 0 ? 'No responses to fit.' : 'Every response has the same outcome: the unpenalised intercept has no finite estimate.',
      beta: null,
    };
  }
  if (!(lambda > 0)) throw new RangeError(`The L2 penalty must be a positive number, got ${lambda}.`);
  const design = designOf(columns, input.cells.filter((c) => c.n > 0));
  const fit = newton(design, lambda, start);
  if (!fit.converged) {
    return { lambda, status: 'failed', coefficients: [], loglik: null, iterations: fit.iterations, message: `The penalised fit did not converge in ${fit.iterations} iterations.`, beta: null };
  }
  return { lambda, status: 'converged', coefficients: coefficientsOf(columns, fit), loglik: fit.loglik, iterations: fit.iterations, beta: fit.beta };
}

/**
 * MLE and one L2 fit per λ. With `previous` (an earlier result on nearly the same counts), each L2 fit starts from
 * the earlier estimates when the coefficients are the same, which saves most Newton steps during live updates.
 */
export function fitLogit(input: LogitInput, lambdas: readonly number[] = [DEFAULT_LAMBDA], previous?: LogitResult): LogitResult {
  const names = columnsOf(input.levels, (_, position) => position === 0).map((c) => c.name);
  return {
    nCells: input.cells.filter((c) => c.n > 0).length,
    mle: fitMle(input),
    l2: lambdas.map((lambda) => {
      const before = previous?.l2.find((f) => f.lambda === lambda && f.status === 'converged');
      const start =
        before && before.coefficients.length === names.length && before.coefficients.every((c, j) => c.name === names[j] && c.estimate !== null)
          ? Float64Array.from(before.coefficients, (c) => c.estimate!)
          : undefined;
      const { beta: _beta, ...fit } = fitL2(input, lambda, start);
      return fit;
    }),
  };
}
