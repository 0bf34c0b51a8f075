// Small dense symmetric positive-definite algebra for the regression (~50 parameters): written plainly,
// since a Cholesky factor, a solve and the diagonal of an inverse are all the fit needs.

/** Lower Cholesky factor of a p x p row-major SPD matrix, or null when it is not positive definite. */
export function cholesky(a: Float64Array, p: number): Float64Array | null {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let t = 0; t < j; t++) s -= l[i * p + t] * l[j * p + t];
      if (i === j) {
        // relative pivot test: a pivot lost to rounding means a column is a combination of the others
        if (!(s > 1e-13 * Math.abs(a[i * p + i])) || !Number.isFinite(s)) return null;
        l[i * p + i] = Math.sqrt(s);
      } else {
        l[i * p + j] = s / l[j * p + j];
      }
    }
  }
  return l;
}

/** Solves (L Lᵀ) x = b. */
export function choleskySolve(l: Float64Array, p: number, b: Float64Array): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let t = 0; t < i; t++) s -= l[i * p + t] * y[t];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let t = i + 1; t < p; t++) s -= l[t * p + i] * x[t];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** The diagonal of (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹: column sums of squares of L⁻¹. */
export function inverseDiagonal(l: Float64Array, p: number): Float64Array {
  const diag = new Float64Array(p);
  const col = new Float64Array(p);
  // column j of L⁻¹ solves L x = e_j (zero above j)
  for (let j = 0; j < p; j++) {
    col.fill(0);
    col[j] = 1 / l[j * p + j];
    diag[j] += col[j] * col[j];
    for (let i = j + 1; i < p; i++) {
      let s = 0;
      for (let t = j; t < i; t++) s -= l[i * p + t] * col[t];
      col[i] = s / l[i * p + i];
    }
    for (let i = j + 1; i < p; i++) diag[j] += col[i] * col[i];
  }
  return diag;
}
