// The large-set solver: the logistic or MLP head fitted by Adam on seeded mini-batches, each batch's
// loss and gradients computed on onnxruntime (onnx-kernels.ts). Rows are read where they lie (no
// packed or standardised copy of the training set: standardisation happens inside the graph), so
// memory is the caller's rows plus one batch. The learning rate follows a cosine to zero, so the
// last epochs settle near the optimum instead of circling it.
import { initialMlpParams, mlpLayout } from './mlp.js';
import { logisticGradientKernel, mlpGradientKernel, type Kernel } from './onnx-kernels.js';
import { mulberry32, shuffleInPlace } from './random.js';
import type { Standardizer } from './standardize.js';

/** A training set as rows in place: rows may repeat (oversampling) and share storage with the caller. */
export interface MinibatchProblem {
  rows: readonly Float32Array[];
  /** Class index per row, in [0, numClasses). */
  labels: Int32Array;
  /** Per-row weight (class x sample weight). */
  weights: Float64Array;
  numClasses: number;
  dim: number;
  C: number;
  stats: Standardizer;
}

export interface MinibatchOptions {
  kind: 'logistic' | 'mlp';
  hidden: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** Rows drawn per epoch (a seeded permutation's first rows); default every row. */
  epochSize?: number;
  /** After each epoch: the objective per unit of weight (estimated on the epoch's batches) and the rows that epoch used. */
  onEpoch?: (epoch: number, loss: number, rowsSeen: number) => void;
}

/** Trained parameters on standardised inputs, float32, in the head's row-major shapes. */
export type MinibatchFit =
  | { kind: 'logistic'; weights: Float32Array; bias: Float32Array }
  | { kind: 'mlp'; hidden: number; w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array };

interface Tensors {
  kernel: Kernel;
  params: Float32Array;
  /** Name, offset and length of each parameter tensor in `params`; penalised ones carry the L2 term. */
  parts: { name: string; grad: string; offset: number; length: number; penalised: boolean }[];
}

function tensorsFor(problem: MinibatchProblem, options: MinibatchOptions): Tensors {
  const { dim, numClasses: K } = problem;
  if (options.kind === 'logistic') {
    return {
      kernel: logisticGradientKernel(dim, K),
      params: new Float32Array(K * dim + K),
      parts: [
        { name: 'W', grad: 'gW', offset: 0, length: K * dim, penalised: true },
        { name: 'b', grad: 'gb', offset: K * dim, length: K, penalised: false },
      ],
    };
  }
  const layout = mlpLayout(dim, options.hidden, K);
  return {
    kernel: mlpGradientKernel(dim, options.hidden, K),
    params: Float32Array.from(initialMlpParams(layout, options.seed)),
    parts: [
      { name: 'W1', grad: 'gW1', offset: 0, length: layout.b1, penalised: true },
      { name: 'b1', grad: 'gb1', offset: layout.b1, length: options.hidden, penalised: false },
      { name: 'W2', grad: 'gW2', offset: layout.w2, length: K * options.hidden, penalised: true },
      { name: 'b2', grad: 'gb2', offset: layout.b2, length: K, penalised: false },
    ],
  };
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Minimises sum_i w_i logloss_i + ||weights||^2 / (2C) (per unit of weight) by mini-batch Adam. */
export function fitMinibatch(problem: MinibatchProblem, options: MinibatchOptions): MinibatchFit {
  const { rows, labels, weights, numClasses: K, dim, stats } = problem;
  const total = rows.length;
  const epochSize = Math.min(total, options.epochSize ?? total);
  const { kernel, params, parts } = tensorsFor(problem, options);
  let totalWeight = 0;
  for (let i = 0; i < total; i++) totalWeight += weights[i]!;
  const decay = 1 / (problem.C * totalWeight);
  const m = new Float32Array(params.length);
  const v = new Float32Array(params.length);
  const B = options.batchSize;
  const x = new Float32Array(B * dim);
  const yw = new Float32Array(B * K);
  const sw = new Float32Array(B);
  const mean = Float32Array.from(stats.mean);
  const inv = Float32Array.from(stats.invStd);
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const random = mulberry32(options.seed ^ 0x5eed);
  const steps = options.epochs * Math.ceil(epochSize / B);
  let t = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    shuffleInPlace(order, random);
    let epochLoss = 0;
    let epochWeight = 0;
    for (let start = 0; start < epochSize; start += B) {
      const count = Math.min(B, epochSize - start);
      yw.fill(0);
      let batchWeight = 0;
      for (let k = 0; k < count; k++) {
        const i = order[start + k]!;
        x.set(rows[i]!, k * dim);
        sw[k] = weights[i]!;
        yw[k * K + labels[i]!] = weights[i]!;
        batchWeight += weights[i]!;
      }
      const feeds: Record<string, Float32Array | [Float32Array, number[]]> = {
        x: [x.subarray(0, count * dim), [count, dim]],
        yw: [yw.subarray(0, count * K), [count, K]],
        sw: [sw.subarray(0, count), [count, 1]],
        mean,
        inv,
      };
      for (const part of parts) feeds[part.name] = params.subarray(part.offset, part.offset + part.length);
      const out = kernel.run(feeds);
      epochLoss += out.loss![0]!;
      epochWeight += batchWeight;
      // Unbiased estimate of the gradient of (objective / total weight) from this batch.
      const dataScale = total / (count * totalWeight);
      t++;
      const cosine = 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / steps));
      const lr = (options.learningRate * cosine * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      for (const part of parts) {
        const grad = out[part.grad]!;
        const l2 = part.penalised ? decay : 0;
        for (let j = 0; j < part.length; j++) {
          const p = part.offset + j;
          const g = grad[j]! * dataScale + l2 * params[p]!;
          const mj = BETA1 * m[p]! + (1 - BETA1) * g;
          const vj = BETA2 * v[p]! + (1 - BETA2) * g * g;
          m[p] = mj;
          v[p] = vj;
          params[p] = params[p]! - (lr * mj) / (Math.sqrt(vj) + EPSILON);
        }
      }
    }
    let penalty = 0;
    for (const part of parts) if (part.penalised) for (let j = 0; j < part.length; j++) penalty += params[part.offset + j]! ** 2;
    options.onEpoch?.(epoch, epochLoss / Math.max(epochWeight, 1e-12) + 0.5 * decay * penalty, epochSize);
  }
  const slice = (k: number) => params.slice(parts[k]!.offset, parts[k]!.offset + parts[k]!.length);
  if (options.kind === 'logistic') return { kind: 'logistic', weights: slice(0), bias: slice(1) };
  return { kind: 'mlp', hidden: options.hidden, w1: slice(0), b1: slice(1), w2: slice(2), b2: slice(3) };
}
