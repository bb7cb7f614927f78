// Per-feature standardisation (z-scores) of embeddings before the head is fitted, folded back into
// the head's first layer afterwards, so a trained head still takes raw embeddings and stays linear.
// Frozen-backbone features share a large common component; centring and scaling them lets one
// regularisation strength suit every backbone (measured: +6 points on clothing with centernet).
import type { Head } from './types.js';

export interface Standardizer {
  mean: Float64Array;
  /** 1 / standard deviation, with a floor so that constant features stay finite. */
  invStd: Float64Array;
}

const MIN_STD = 1e-6;

export function fitStandardizer(X: readonly Float32Array[]): Standardizer {
  const dim = X[0]?.length ?? 0;
  const mean = new Float64Array(dim);
  const invStd = new Float64Array(dim);
  for (const row of X) for (let d = 0; d < dim; d++) mean[d]! += row[d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= X.length;
  for (const row of X) {
    for (let d = 0; d < dim; d++) {
      const delta = row[d]! - mean[d]!;
      invStd[d]! += delta * delta;
    }
  }
  for (let d = 0; d < dim; d++) invStd[d] = 1 / Math.max(MIN_STD, Math.sqrt(invStd[d]! / X.length));
  return { mean, invStd };
}

export function standardize(row: Float32Array, s: Standardizer): Float32Array {
  const out = new Float32Array(row.length);
  for (let d = 0; d < row.length; d++) out[d] = (row[d]! - s.mean[d]!) * s.invStd[d]!;
  return out;
}

/**
 * Rewrites a head trained on standardised inputs into one that takes raw inputs:
 * W·((x − m)·s) + b = (W·s)·x + (b − (W·s)·m).
 */
export function foldStandardizer(head: Head, s: Standardizer): Head {
  const fold = (weights: Float32Array, bias: Float32Array, rows: number, dim: number): [Float32Array, Float32Array] => {
    const w = new Float32Array(weights.length);
    const b = new Float32Array(bias.length);
    for (let r = 0; r < rows; r++) {
      let shift = 0;
      for (let d = 0; d < dim; d++) {
        const scaled = weights[r * dim + d]! * s.invStd[d]!;
        w[r * dim + d] = scaled;
        shift += scaled * s.mean[d]!;
      }
      b[r] = bias[r]! - shift;
    }
    return [w, b];
  };
  if (head.kind === 'logistic') {
    const [weights, bias] = fold(head.weights, head.bias, head.numClasses, head.dim);
    return { ...head, weights, bias };
  }
  const [w1, b1] = fold(head.w1, head.b1, head.hidden, head.dim);
  return { ...head, w1, b1 };
}
