// Multinomial logistic regression (softmax) trained by full-batch L-BFGS on sklearn's objective:
// sum_i w_i * logloss_i + ||W||^2 / (2C), biases not penalised. Owns the hot loops, so they keep
// Float64 accumulators, work on one packed Float32 matrix and allocate nothing per sample.

import { addOuterRows, addOuterRows4, logSumExp, rowDots, rowDots4 } from './kernels.js';
import { minimizeLbfgs } from './lbfgs.js';

/** A packed training set: row i of `X` is features[i*dim .. (i+1)*dim). */
export interface LogisticProblem {
  X: Float32Array;
  n: number;
  dim: number;
  numClasses: number;
  /** Integer labels in [0, numClasses). */
  labels: Int32Array;
  /** Effective per-sample weight (class weight x sample weight); 0 drops the sample. */
  weights: Float64Array;
  C: number;
}

/**
 * The objective and its gradient at `params` = [W (numClasses x dim, row-major), b (numClasses)].
 * Writes the gradient into `gradient` and returns sum_i w_i * logloss_i + ||W||^2 / (2C).
 */
export function logisticObjective(problem: LogisticProblem, params: Float64Array, gradient: Float64Array): number {
  const { X, n, dim, numClasses: K, labels, weights, C } = problem;
  const biasOffset = K * dim;
  const logits = new Float64Array(4 * K);
  const residuals = new Float64Array(4 * K);
  gradient.fill(0);
  let loss = 0;
  // Samples with weight go four at a time through the blocked kernels (each weight row read once for
  // four samples), the rest one by one; every sum is taken in sample order, so the objective and
  // gradient are bit-identical to one sample at a time.
  const block = new Int32Array(4);
  let filled = 0;
  const flush = (count: number): void => {
    if (count === 4) rowDots4(X, block[0]! * dim, block[1]! * dim, block[2]! * dim, block[3]! * dim, dim, K, params, 0, logits);
    else for (let s = 0; s < count; s++) rowDots(X, block[s]! * dim, dim, K, params, 0, logits.subarray(s * K, (s + 1) * K));
    for (let s = 0; s < count; s++) {
      const i = block[s]!;
      const wi = weights[i]!;
      const z = logits.subarray(s * K, (s + 1) * K);
      for (let c = 0; c < K; c++) z[c] = z[c]! + params[biasOffset + c]!;
      const lse = logSumExp(z, K);
      const label = labels[i]!;
      loss += wi * (lse - z[label]!);
      for (let c = 0; c < K; c++) {
        const r = wi * (Math.exp(z[c]! - lse) - (c === label ? 1 : 0));
        residuals[s * K + c] = r;
        gradient[biasOffset + c] = gradient[biasOffset + c]! + r;
      }
    }
    if (count === 4) addOuterRows4(X, block[0]! * dim, block[1]! * dim, block[2]! * dim, block[3]! * dim, dim, K, residuals, gradient, 0);
    else for (let s = 0; s < count; s++) addOuterRows(X, block[s]! * dim, dim, K, residuals.subarray(s * K, (s + 1) * K), gradient, 0);
  };
  for (let i = 0; i < n; i++) {
    if (weights[i]! === 0) continue;
    block[filled++] = i;
    if (filled === 4) (flush(4), (filled = 0));
  }
  if (filled > 0) flush(filled);
  const invC = 1 / C;
  let penalty = 0;
  for (let j = 0; j < biasOffset; j++) {
    const w = params[j]!;
    penalty += w * w;
    gradient[j] = gradient[j]! + w * invC;
  }
  return loss + 0.5 * invC * penalty;
}

/** Settings of one {@link fitLogistic} run. */
export interface LogisticFitOptions {
  maxIterations: number;
  tolerance: number;
  onIteration?: (iteration: number, loss: number) => void;
}

/** Result of {@link fitLogistic}: weights and biases in Float64, biases centred to sum 0. */
export interface LogisticFit {
  weights: Float64Array;
  bias: Float64Array;
  iterations: number;
  converged: boolean;
  loss: number;
}

/**
 * Minimises the objective from W = 0, b = 0. The objective is divided by the total sample weight
 * (same minimiser, as sklearn does) so the tolerance does not depend on the data set size.
 */
export function fitLogistic(problem: LogisticProblem, options: LogisticFitOptions): LogisticFit {
  const { dim, numClasses: K, weights } = problem;
  let totalWeight = 0;
  for (let i = 0; i < weights.length; i++) totalWeight += weights[i]!;
  const inverseTotal = 1 / totalWeight;
  const objective = (params: Float64Array, gradient: Float64Array): number => {
    const value = logisticObjective(problem, params, gradient);
    for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! * inverseTotal;
    return value * inverseTotal;
  };
  const result = minimizeLbfgs(objective, new Float64Array(K * dim + K), {
    maxIterations: options.maxIterations,
    gradientTolerance: options.tolerance,
    ...(options.onIteration ? { onIteration: options.onIteration } : {}),
  });
  const weightsOut = result.x.slice(0, K * dim);
  const bias = result.x.slice(K * dim);
  // Softmax is unchanged by a shift of all biases and the penalty leaves them free: centre them.
  let mean = 0;
  for (let c = 0; c < K; c++) mean += bias[c]!;
  mean /= K;
  for (let c = 0; c < K; c++) bias[c] = bias[c]! - mean;
  return { weights: weightsOut, bias, iterations: result.iterations, converged: result.converged, loss: result.value };
}
