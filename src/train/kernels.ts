// The two dense loops every head spends its time in: a block of dot products against one input row,
// and the matching rank-1 gradient update. Float64 accumulators; four weight rows per pass over x.

/**
 * out[r] = W[wOffset + r*dim ..] · X[xOffset ..], for r in [0, rows): dot products of one input row
 * (length dim, from a packed Float32 matrix) with `rows` consecutive weight rows.
 */
export function rowDots(X: Float32Array, xOffset: number, dim: number, rows: number, W: Float64Array, wOffset: number, out: Float64Array): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = wOffset + r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < dim; d++) {
      const x = X[xOffset + d]!;
      s0 += x * W[o0 + d]!;
      s1 += x * W[o1 + d]!;
      s2 += x * W[o2 + d]!;
      s3 += x * W[o3 + d]!;
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < rows; r++) {
    const o = wOffset + r * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += X[xOffset + d]! * W[o + d]!;
    out[r] = s;
  }
}

/** G[gOffset + r*dim + d] += coefficients[r] * X[xOffset + d]: the gradient of {@link rowDots}'s weights. */
export function addOuterRows(X: Float32Array, xOffset: number, dim: number, rows: number, coefficients: Float64Array, G: Float64Array, gOffset: number): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = gOffset + r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    const c0 = coefficients[r]!;
    const c1 = coefficients[r + 1]!;
    const c2 = coefficients[r + 2]!;
    const c3 = coefficients[r + 3]!;
    for (let d = 0; d < dim; d++) {
      const x = X[xOffset + d]!;
      G[o0 + d] = G[o0 + d]! + c0 * x;
      G[o1 + d] = G[o1 + d]! + c1 * x;
      G[o2 + d] = G[o2 + d]! + c2 * x;
      G[o3 + d] = G[o3 + d]! + c3 * x;
    }
  }
  for (; r < rows; r++) {
    const o = gOffset + r * dim;
    const c = coefficients[r]!;
    if (c === 0) continue;
    for (let d = 0; d < dim; d++) G[o + d] = G[o + d]! + c * X[xOffset + d]!;
  }
}

/** Numerically stable log(sum(exp(z[0..count)))). */
export function logSumExp(z: Float64Array, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < count; c++) if (z[c]! > max) max = z[c]!;
  let sum = 0;
  for (let c = 0; c < count; c++) sum += Math.exp(z[c]! - max);
  return max + Math.log(sum);
}

/**
 * {@link rowDots} for four input rows at once (X rows at x0..x3): out[s*rows + r] = W row r · X row s.
 * Each dot product is summed in the same order as rowDots, so the values are bit-identical; a weight
 * row is read once for four inputs instead of four times (the logistic head's cost at 250 labels).
 */
export function rowDots4(X: Float32Array, x0: number, x1: number, x2: number, x3: number, dim: number, rows: number, W: Float64Array, wOffset: number, out: Float64Array): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const o0 = wOffset + r * dim;
    const o1 = o0 + dim;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let c0 = 0;
    let c1 = 0;
    let e0 = 0;
    let e1 = 0;
    for (let d = 0; d < dim; d++) {
      const w0 = W[o0 + d]!;
      const w1 = W[o1 + d]!;
      const p = X[x0 + d]!;
      const q = X[x1 + d]!;
      const s = X[x2 + d]!;
      const t = X[x3 + d]!;
      a0 += p * w0;
      a1 += p * w1;
      b0 += q * w0;
      b1 += q * w1;
      c0 += s * w0;
      c1 += s * w1;
      e0 += t * w0;
      e1 += t * w1;
    }
    out[r] = a0;
    out[r + 1] = a1;
    out[rows + r] = b0;
    out[rows + r + 1] = b1;
    out[2 * rows + r] = c0;
    out[2 * rows + r + 1] = c1;
    out[3 * rows + r] = e0;
    out[3 * rows + r + 1] = e1;
  }
  for (; r < rows; r++) {
    const o = wOffset + r * dim;
    let a = 0;
    let b = 0;
    let c = 0;
    let e = 0;
    for (let d = 0; d < dim; d++) {
      const w = W[o + d]!;
      a += X[x0 + d]! * w;
      b += X[x1 + d]! * w;
      c += X[x2 + d]! * w;
      e += X[x3 + d]! * w;
    }
    out[r] = a;
    out[rows + r] = b;
    out[2 * rows + r] = c;
    out[3 * rows + r] = e;
  }
}

/**
 * {@link addOuterRows} for four input rows in order: G row r += c[r]·X0, then += c[rows + r]·X1, ...
 * The additions to each element happen in the same order as four addOuterRows calls (bit-identical).
 */
export function addOuterRows4(X: Float32Array, x0: number, x1: number, x2: number, x3: number, dim: number, rows: number, coefficients: Float64Array, G: Float64Array, gOffset: number): void {
  for (let r = 0; r < rows; r++) {
    const o = gOffset + r * dim;
    const c0 = coefficients[r]!;
    const c1 = coefficients[rows + r]!;
    const c2 = coefficients[2 * rows + r]!;
    const c3 = coefficients[3 * rows + r]!;
    for (let d = 0; d < dim; d++) G[o + d] = G[o + d]! + c0 * X[x0 + d]! + c1 * X[x1 + d]! + c2 * X[x2 + d]! + c3 * X[x3 + d]!;
  }
}
