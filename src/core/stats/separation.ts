// Separation beyond whole levels: a linear program finds every direction b along which the log-likelihood keeps
// rising (x_c·b ≤ 0 on cells that never refuse, ≥ 0 on cells that always refuse, = 0 on mixed cells), after Konis
// (2007). Written by hand: the programs are small (≤ ~50 unknowns) and run only when Newton's method cannot converge.

const EPS = 1e-9;

/**
 * max h·z subject to A z ≤ 0 and −1 ≤ z_i ≤ 1, solved as its dual, min Σu + Σv s.t. Aᵀy + u − v = h, y, u, v ≥ 0,
 * with a dense tableau simplex and Bland's rule (no cycling). `rows` are the rows of A, each of length q = h.length.
 * Returns the maximiser z (the dual's simplex multipliers) and the optimum h·z ≥ 0.
 */
export function maxInCone(rows: readonly Float64Array[], h: Float64Array): { z: Float64Array; value: number } {
  const q = h.length;
  const m = rows.length;
  const width = m + 2 * q;
  // tableau rows: B⁻¹ [Aᵀ | I | −I], rhs B⁻¹ h; the starting basis is u_i or v_i, whichever makes rhs_i ≥ 0
  const t = new Float64Array(q * width);
  const rhs = new Float64Array(q);
  const basis = new Int32Array(q);
  for (let i = 0; i < q; i++) {
    const sign = h[i] >= 0 ? 1 : -1;
    for (let r = 0; r < m; r++) t[i * width + r] = sign * rows[r][i];
    t[i * width + m + i] = sign;
    t[i * width + m + q + i] = -sign;
    rhs[i] = sign * h[i];
    basis[i] = sign > 0 ? m + i : m + q + i;
  }
  const cost = (j: number) => (j < m ? 0 : 1);
  // reduced costs c_j − c_Bᵀ B⁻¹ M_j
  const reduced = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    let s = cost(j);
    for (let i = 0; i < q; i++) s -= cost(basis[i]) * t[i * width + j];
    reduced[j] = s;
  }
  for (let pivots = 0; pivots < 50_000; pivots++) {
    let enter = -1;
    for (let j = 0; j < width; j++) {
      if (reduced[j] < -EPS) {
        enter = j;
        break;
      }
    }
    if (enter < 0) break;
    let leave = -1;
    let best = Infinity;
    for (let i = 0; i < q; i++) {
      const a = t[i * width + enter];
      if (a <= EPS) continue;
      const ratio = rhs[i] / a;
      if (ratio < best - EPS || (Math.abs(ratio - best) <= EPS && basis[i] < basis[leave])) {
        best = ratio;
        leave = i;
      }
    }
    if (leave < 0) break; // unbounded dual: cannot happen, z = 0 is feasible
    const pivot = t[leave * width + enter];
    for (let j = 0; j < width; j++) t[leave * width + j] /= pivot;
    rhs[leave] /= pivot;
    for (let i = 0; i < q; i++) {
      if (i === leave) continue;
      const f = t[i * width + enter];
      if (f === 0) continue;
      for (let j = 0; j < width; j++) t[i * width + j] -= f * t[leave * width + j];
      rhs[i] -= f * rhs[leave];
    }
    const f = reduced[enter];
    for (let j = 0; j < width; j++) reduced[j] -= f * t[leave * width + j];
    basis[leave] = enter;
  }
  // simplex multipliers: for the column of u_i (= e_i, cost 1), reduced cost = 1 − π_i
  const z = new Float64Array(q);
  let value = 0;
  for (let i = 0; i < q; i++) {
    z[i] = Math.max(-1, Math.min(1, 1 - reduced[m + i]));
    value += h[i] * z[i];
  }
  return { z, value };
}

/** Eigen-decomposition of a symmetric p x p matrix by cyclic Jacobi rotations: values and column eigenvectors. */
export function symmetricEigen(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const s = Float64Array.from(a);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += s[i * p + j] ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = s[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (s[j * p + j] - s[i * p + i]) / (2 * aij);
        const tan = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tan * tan + 1);
        const sn = tan * c;
        for (let k = 0; k < p; k++) {
          const ski = s[k * p + i];
          const skj = s[k * p + j];
          s[k * p + i] = c * ski - sn * skj;
          s[k * p + j] = sn * ski + c * skj;
        }
        for (let k = 0; k < p; k++) {
          const sik = s[i * p + k];
          const sjk = s[j * p + k];
          s[i * p + k] = c * sik - sn * sjk;
          s[j * p + k] = sn * sik + c * sjk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i];
          const vkj = v[k * p + j];
          v[k * p + i] = c * vki - sn * vkj;
          v[k * p + j] = sn * vki + c * vkj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = s[i * p + i];
  return { values, vectors: v };
}

export interface SeparationSearch {
  /** Cells that the separating directions send to a fitted probability of 0 or 1. */
  separated: boolean[];
  /** Sum of the separating directions found (one entry per column). */
  direction: Float64Array;
}

/**
 * Finds every cell that some separating direction sends to 0 or 1, by repeated linear programs.
 * rows: the 0/1 design rows of the cells (length p each); n, k: their counts.
 */
export function separatedCells(rows: readonly Float64Array[], n: ArrayLike<number>, k: ArrayLike<number>): SeparationSearch {
  const p = rows[0]?.length ?? 0;
  const separated = rows.map(() => false);
  const direction = new Float64Array(p);
  for (let round = 0; round < rows.length; round++) {
    const constraints: Float64Array[] = [];
    const h = new Float64Array(p);
    rows.forEach((x, c) => {
      if (separated[c] || n[c] === 0) return;
      const never = k[c] === 0;
      const always = k[c] === n[c];
      if (!always) constraints.push(x); // x·b ≤ 0
      if (!never) constraints.push(x.map((v) => -v)); // x·b ≥ 0
      if (never || always) for (let j = 0; j < p; j++) h[j] += never ? -x[j] : x[j];
    });
    const { z, value } = maxInCone(constraints, h);
    if (!(value > 1e-7)) break;
    let fresh = 0;
    rows.forEach((x, c) => {
      if (separated[c] || n[c] === 0) return;
      let eta = 0;
      for (let j = 0; j < p; j++) eta += x[j] * z[j];
      if (Math.abs(eta) > 1e-7) {
        separated[c] = true;
        fresh++;
      }
    });
    if (fresh === 0) break;
    for (let j = 0; j < p; j++) direction[j] += z[j];
  }
  return { separated, direction };
}
