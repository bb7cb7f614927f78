// One-hidden-layer ReLU head trained with Adam on seeded minibatches. Minimises the same kind of
// objective as the logistic head, sum_i w_i * logloss_i + (||W1||^2 + ||W2||^2) / (2C), by
// stochastic estimates of it divided by the total sample weight.

import { addOuterRows, logSumExp, rowDots } from './kernels.js';
import type { LogisticProblem } from './logistic.js';
import { mulberry32, normalSample, shuffleInPlace } from './random.js';

/** Offsets of each tensor inside the flat parameter vector [W1, b1, W2, b2]. */
export interface MlpLayout {
  dim: number;
  hidden: number;
  numClasses: number;
  b1: number;
  w2: number;
  b2: number;
  size: number;
}

/** The flat layout for a dim -> hidden -> numClasses network (W1 starts at 0). */
export function mlpLayout(dim: number, hidden: number, numClasses: number): MlpLayout {
  const b1 = hidden * dim;
  const w2 = b1 + hidden;
  const b2 = w2 + numClasses * hidden;
  return { dim, hidden, numClasses, b1, w2, b2, size: b2 + numClasses };
}

interface Scratch {
  h: Float64Array;
  dh: Float64Array;
  z: Float64Array;
  r: Float64Array;
}

function scratchFor(layout: MlpLayout): Scratch {
  const { hidden, numClasses } = layout;
  return { h: new Float64Array(hidden), dh: new Float64Array(hidden), z: new Float64Array(numClasses), r: new Float64Array(numClasses) };
}

/** Adds sum_i w_i * grad(logloss_i) over samples order[start..end) to `gradient`; returns sum_i w_i * logloss_i. */
function accumulate(problem: LogisticProblem, layout: MlpLayout, params: Float64Array, order: Int32Array, start: number, end: number, gradient: Float64Array, s: Scratch): number {
  const { X, dim, labels, weights } = problem;
  const { hidden: H, numClasses: K } = layout;
  let loss = 0;
  for (let k = start; k < end; k++) {
    const i = order[k]!;
    const wi = weights[i]!;
    if (wi === 0) continue;
    const row = i * dim;
    rowDots(X, row, dim, H, params, 0, s.h);
    for (let j = 0; j < H; j++) s.h[j] = Math.max(0, s.h[j]! + params[layout.b1 + j]!);
    for (let c = 0; c < K; c++) {
      let sum = params[layout.b2 + c]!;
      const o = layout.w2 + c * H;
      for (let j = 0; j < H; j++) sum += params[o + j]! * s.h[j]!;
      s.z[c] = sum;
    }
    const lse = logSumExp(s.z, K);
    const label = labels[i]!;
    loss += wi * (lse - s.z[label]!);
    s.dh.fill(0);
    for (let c = 0; c < K; c++) {
      const r = wi * (Math.exp(s.z[c]! - lse) - (c === label ? 1 : 0));
      gradient[layout.b2 + c] = gradient[layout.b2 + c]! + r;
      const o = layout.w2 + c * H;
      for (let j = 0; j < H; j++) {
        gradient[o + j] = gradient[o + j]! + r * s.h[j]!;
        s.dh[j] = s.dh[j]! + r * params[o + j]!;
      }
    }
    for (let j = 0; j < H; j++) {
      // ReLU passes the gradient only where the unit was active.
      const g = s.h[j]! > 0 ? s.dh[j]! : 0;
      s.dh[j] = g;
      gradient[layout.b1 + j] = gradient[layout.b1 + j]! + g;
    }
    addOuterRows(X, row, dim, H, s.dh, gradient, 0);
  }
  return loss;
}

function isPenalised(layout: MlpLayout, j: number): boolean {
  return j < layout.b1 || (j >= layout.w2 && j < layout.b2);
}

/** Full-batch objective and gradient at `params` (used by tests to check the backward pass). */
export function mlpObjective(problem: LogisticProblem, layout: MlpLayout, params: Float64Array, gradient: Float64Array): number {
  gradient.fill(0);
  const order = Int32Array.from({ length: problem.n }, (_, i) => i);
  let value = accumulate(problem, layout, params, order, 0, problem.n, gradient, scratchFor(layout));
  for (let j = 0; j < layout.size; j++) {
    if (!isPenalised(layout, j)) continue;
    value += (params[j]! * params[j]!) / (2 * problem.C);
    gradient[j] = gradient[j]! + params[j]! / problem.C;
  }
  return value;
}

/** Settings of one {@link fitMlp} run. */
export interface MlpFitOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Trained parameters, Float64. */
export interface MlpFit {
  hidden: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** He-initialised weights from the seed, zero biases. */
export function initialMlpParams(layout: MlpLayout, seed: number): Float64Array {
  const random = mulberry32(seed);
  const params = new Float64Array(layout.size);
  const scale1 = Math.sqrt(2 / layout.dim);
  for (let j = 0; j < layout.b1; j++) params[j] = scale1 * normalSample(random);
  const scale2 = Math.sqrt(1 / layout.hidden);
  for (let j = layout.w2; j < layout.b2; j++) params[j] = scale2 * normalSample(random);
  return params;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Adam over shuffled minibatches; the sample order of each epoch comes from the seed. */
export function fitMlp(problem: LogisticProblem, options: MlpFitOptions): MlpFit {
  const { n, weights } = problem;
  const layout = mlpLayout(problem.dim, options.hidden, problem.numClasses);
  const params = initialMlpParams(layout, options.seed);
  const random = mulberry32(options.seed ^ 0x5eed);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weights[i]!;
  const decay = 1 / (problem.C * totalWeight);
  const gradient = new Float64Array(layout.size);
  const m = new Float64Array(layout.size);
  const v = new Float64Array(layout.size);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const scratch = scratchFor(layout);
  let t = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffleInPlace(order, random);
    let epochLoss = 0;
    for (let start = 0; start < n; start += options.batchSize) {
      const end = Math.min(n, start + options.batchSize);
      gradient.fill(0);
      epochLoss += accumulate(problem, layout, params, order, start, end, gradient, scratch);
      // Unbiased estimate of the gradient of (objective / total weight) from this batch.
      const dataScale = n / ((end - start) * totalWeight);
      t++;
      const lr = (options.learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      for (let j = 0; j < layout.size; j++) {
        const g = gradient[j]! * dataScale + (isPenalised(layout, j) ? decay * params[j]! : 0);
        const mj = BETA1 * m[j]! + (1 - BETA1) * g;
        const vj = BETA2 * v[j]! + (1 - BETA2) * g * g;
        m[j] = mj;
        v[j] = vj;
        params[j] = params[j]! - (lr * mj) / (Math.sqrt(vj) + EPSILON);
      }
    }
    let penalty = 0;
    for (let j = 0; j < layout.size; j++) if (isPenalised(layout, j)) penalty += params[j]! * params[j]!;
    options.onEpoch?.(epoch, epochLoss / totalWeight + 0.5 * decay * penalty);
  }
  return {
    hidden: options.hidden,
    w1: params.slice(0, layout.b1),
    b1: params.slice(layout.b1, layout.w2),
    w2: params.slice(layout.w2, layout.b2),
    b2: params.slice(layout.b2),
  };
}
