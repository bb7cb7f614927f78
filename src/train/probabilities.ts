// Inference with a trained head: embedding in, softmax probabilities out (Float64 inside), raw logits,
// and a softmax per attribute group for group heads.

import { SkulensError } from '../errors.js';
import type { Head } from './types.js';

/**
 * Softmax class probabilities of `head` for one embedding `x` (length head.dim). They sum to 1.
 *
 * @example
 * const p = headProbabilities(head, embedding);
 * const best = p.indexOf(Math.max(...p));
 */
export function headProbabilities(head: Head, x: Float32Array): Float32Array {
  return softmax(headLogits(head, x));
}

/** The head's raw scores (before softmax or sigmoid) for one embedding, in Float64. */
export function headLogits(head: Head, x: Float32Array): Float64Array {
  if (x.length !== head.dim) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'embedding', detail: `length ${x.length}, the head expects ${head.dim}` });
  }
  const logits = new Float64Array(head.numClasses);
  if (head.kind === 'logistic') {
    affine(head.weights, head.bias, x, head.dim, logits);
  } else {
    const hidden = new Float64Array(head.hidden);
    affine(head.w1, head.b1, x, head.dim, hidden);
    for (let j = 0; j < hidden.length; j++) hidden[j] = Math.max(0, hidden[j]!);
    affine(head.w2, head.b2, hidden, head.hidden, logits);
  }
  return logits;
}

/**
 * Softmax within each segment of `sizes` (the values of each attribute group, one after another): every
 * group's probabilities sum to 1.
 */
export function groupedProbabilities(head: Head, x: Float32Array, sizes: readonly number[]): Float32Array {
  const logits = headLogits(head, x);
  const out = new Float32Array(logits.length);
  let offset = 0;
  for (const size of sizes) {
    out.set(softmax(logits.slice(offset, offset + size)), offset);
    offset += size;
  }
  if (offset !== logits.length) throw new SkulensError('ERR_ARTEFACT_CORRUPT', { path: 'head', detail: `its ${logits.length} outputs do not match groups of ${sizes.join('+')} values` });
  return out;
}

/** out = W · x + b for row-major W (out.length x dim). */
function affine(W: Float32Array, b: Float32Array, x: ArrayLike<number>, dim: number, out: Float64Array): void {
  for (let r = 0; r < out.length; r++) {
    let sum = b[r]!;
    const offset = r * dim;
    for (let d = 0; d < dim; d++) sum += W[offset + d]! * x[d]!;
    out[r] = sum;
  }
}

/** Softmax of one row of logits (computed in place in `logits`, which it overwrites). */
export function softmax(logits: Float64Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < logits.length; c++) if (logits[c]! > max) max = logits[c]!;
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    const e = Math.exp(logits[c]! - max);
    logits[c] = e;
    sum += e;
  }
  const probabilities = new Float32Array(logits.length);
  for (let c = 0; c < logits.length; c++) probabilities[c] = logits[c]! / sum;
  return probabilities;
}
