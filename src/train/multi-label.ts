// The multi-label head: one sigmoid per label over the embedding, trained jointly by full-batch L-BFGS on
// the sum of per-label binary cross-entropies plus ||W||^2 / (2C) (biases free). Stored as a logistic head
// (same bytes, same export); the label type in model.json says to read it through sigmoids.
import { SkulensError } from '../errors.js';
import { addOuterRows, rowDots } from './kernels.js';
import { minimizeLbfgs } from './lbfgs.js';
import { headLogits } from './probabilities.js';
import { fitStandardizer, foldStandardizer, standardize } from './standardize.js';
import type { Head, LogisticHead } from './types.js';

export interface MultiLabelOptions {
  /** L2 strength as sklearn's C. Default 0.1 (on standardised features). */
  C?: number;
  /** Fit on z-scores and fold them back. Default true. */
  standardize?: boolean;
  /** L-BFGS iteration cap. Default 150. */
  maxIterations?: number;
  /** Gradient tolerance per image. Default 1e-4. */
  tolerance?: number;
  signal?: AbortSignal;
  onProgress?: (step: number, total: number, loss: number) => void;
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Trains one sigmoid per label. `Y[i]` lists the label indexes image i carries (any number, maybe none).
 *
 * @example
 * const head = trainMultiLabelHead(X, [[0], [0, 2], [1]], 3);
 * sigmoidProbabilities(head, X[1]!); // high for labels 0 and 2
 */
export function trainMultiLabelHead(X: readonly Float32Array[], Y: readonly (readonly number[])[], numLabels: number, options: MultiLabelOptions = {}): LogisticHead {
  const invalid = (detail: string): SkulensError => new SkulensError('ERR_TRAINING_INVALID', { detail });
  const n = X.length;
  if (n === 0) throw invalid('the training set is empty');
  if (Y.length !== n) throw invalid(`${n} embeddings but ${Y.length} label sets`);
  if (!Number.isInteger(numLabels) || numLabels < 1) throw invalid(`numLabels must be a positive integer, got ${numLabels}`);
  const C = options.C ?? 0.1;
  if (!(C > 0) || !Number.isFinite(C)) throw invalid(`C must be a positive finite number, got ${C}`);
  for (const labels of Y) for (const k of labels) if (!Number.isInteger(k) || k < 0 || k >= numLabels) throw invalid(`label index ${k} is outside [0, ${numLabels})`);
  if (options.standardize ?? true) {
    const stats = fitStandardizer(X);
    const head = trainMultiLabelHead(X.map((row) => standardize(row, stats)), Y, numLabels, { ...options, standardize: false });
    return foldStandardizer(head, stats) as LogisticHead;
  }
  const dim = X[0]!.length;
  const K = numLabels;
  const packed = new Float32Array(n * dim);
  X.forEach((row, i) => {
    if (row.length !== dim) throw invalid(`embedding ${i} has length ${row.length}, expected ${dim}`);
    packed.set(row, i * dim);
  });
  const targets = new Uint8Array(n * K);
  Y.forEach((labels, i) => labels.forEach((k) => (targets[i * K + k] = 1)));
  const biasOffset = K * dim;
  const logits = new Float64Array(K);
  const residuals = new Float64Array(K);
  const objective = (params: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      rowDots(packed, i * dim, dim, K, params, 0, logits);
      for (let k = 0; k < K; k++) {
        const z = logits[k]! + params[biasOffset + k]!;
        const y = targets[i * K + k]!;
        loss += softplus(z) - y * z;
        residuals[k] = sigmoid(z) - y;
        gradient[biasOffset + k] = gradient[biasOffset + k]! + residuals[k]!;
      }
      addOuterRows(packed, i * dim, dim, K, residuals, gradient, 0);
    }
    let penalty = 0;
    for (let j = 0; j < biasOffset; j++) {
      penalty += params[j]! * params[j]!;
      gradient[j] = gradient[j]! + params[j]! / C;
    }
    // Divided by n (same minimiser) so the tolerance does not depend on the data set size.
    for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! / n;
    return (loss + (0.5 * penalty) / C) / n;
  };
  const total = options.maxIterations ?? 150;
  const result = minimizeLbfgs(objective, new Float64Array(K * dim + K), {
    maxIterations: total,
    gradientTolerance: options.tolerance ?? 1e-4,
    onIteration: (iteration, value) => {
      if (options.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'head' }, { cause: options.signal.reason });
      options.onProgress?.(iteration, total, value);
    },
  });
  return { kind: 'logistic', dim, numClasses: K, weights: Float32Array.from(result.x.subarray(0, biasOffset)), bias: Float32Array.from(result.x.subarray(biasOffset)) };
}

/** One independent sigmoid probability per label (they need not sum to 1). */
export function sigmoidProbabilities(head: Head, x: Float32Array): Float32Array {
  return Float32Array.from(headLogits(head, x), sigmoid);
}
