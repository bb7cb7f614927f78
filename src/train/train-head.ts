// trainHead: validates a training set once, folds class and sample weights together, and hands the
// packed data to the logistic or MLP trainer. The only place in src/train that throws for bad input.

import { SkulensError } from '../errors.js';
import { fitLogistic } from './logistic.js';
import { fitMinibatch } from './minibatch.js';
import { fitMlp } from './mlp.js';
import { fitStandardizer, foldStandardizer, standardize, type Standardizer } from './standardize.js';
import type { Head, HeadTrainingOptions } from './types.js';

/** Bias given to a class that carries no training weight, so its probability is 0 in practice. */
export const ABSENT_CLASS_BIAS = -1e4;

/**
 * Trains a classification head on L2-normalised embeddings `X` with integer labels `y` in [0, numClasses).
 * Classes whose total weight is 0 (no samples, or class weight 0) get zero weights and a bias of
 * {@link ABSENT_CLASS_BIAS}; at least two classes must carry weight.
 *
 * @example
 * const head = trainHead(embeddings, labels, 3, { classWeights: balancedClassWeights(labels, 3) });
 * const p = headProbabilities(head, embeddings[0]!); // Float32Array of 3 summing to 1
 */
export function trainHead(X: Float32Array[], y: ArrayLike<number>, numClasses: number, options: HeadTrainingOptions = {}): Head {
  if (options.solver === 'minibatch') return trainHeadMinibatch(X, y, numClasses, options);
  if (options.standardize) {
    validate(X, y, numClasses, options, false);
    const stats = fitStandardizer(X);
    const head = trainHead(X.map((row) => standardize(row, stats)), y, numClasses, { ...options, standardize: false });
    return foldStandardizer(head, stats);
  }
  const data = validate(X, y, numClasses, options, true);
  const signal = options.signal;
  throwIfCancelled(signal);
  const kind = options.kind ?? 'logistic';
  const C = options.C ?? 10;
  const { active, labels } = activeClasses(data, numClasses);
  const problem = { X: data.packed!, n: data.n, dim: data.dim, numClasses: active.length, labels, weights: data.weights, C };
  const report = progress(options);

  if (kind === 'logistic') {
    const total = options.maxIterations ?? 300;
    const fit = fitLogistic(problem, {
      maxIterations: total,
      tolerance: options.tolerance ?? 1e-4,
      onIteration: (iteration, loss) => report(iteration, total, loss),
    });
    const weights = new Float32Array(numClasses * data.dim);
    const bias = new Float32Array(numClasses).fill(ABSENT_CLASS_BIAS);
    active.forEach((c, k) => {
      weights.set(fit.weights.subarray(k * data.dim, (k + 1) * data.dim), c * data.dim);
      bias[c] = fit.bias[k]!;
    });
    return { kind: 'logistic', dim: data.dim, numClasses, weights, bias };
  }

  const epochs = options.epochs ?? 20;
  const fit = fitMlp(problem, {
    hidden: options.hidden ?? 128,
    epochs,
    learningRate: options.learningRate ?? 1e-3,
    batchSize: options.batchSize ?? 64,
    seed: options.seed ?? 1,
    onEpoch: (epoch, loss) => report(epoch, epochs, loss),
  });
  const w2 = new Float32Array(numClasses * fit.hidden);
  const b2 = new Float32Array(numClasses).fill(ABSENT_CLASS_BIAS);
  active.forEach((c, k) => {
    w2.set(fit.w2.subarray(k * fit.hidden, (k + 1) * fit.hidden), c * fit.hidden);
    b2[c] = fit.b2[k]!;
  });
  return { kind: 'mlp', dim: data.dim, hidden: fit.hidden, numClasses, w1: Float32Array.from(fit.w1), b1: Float32Array.from(fit.b1), w2, b2 };
}

/** Rows the standardiser of a mini-batch fit is estimated on (evenly spaced): plenty for a mean and spread. */
const STATS_ROWS = 50_000;

/**
 * The large-set solver (see minibatch.ts): same objective, validation and output as the exact one,
 * fitted by mini-batch Adam on onnxruntime, without copying the rows.
 */
function trainHeadMinibatch(X: Float32Array[], y: ArrayLike<number>, numClasses: number, options: HeadTrainingOptions): Head {
  const data = validate(X, y, numClasses, options, false);
  throwIfCancelled(options.signal);
  const kind = options.kind ?? 'logistic';
  const { active, labels } = activeClasses(data, numClasses);
  let stats: Standardizer = { mean: new Float64Array(data.dim), invStd: new Float64Array(data.dim).fill(1) };
  if (options.standardize) {
    const stride = Math.max(1, Math.floor(X.length / STATS_ROWS));
    stats = fitStandardizer(X.filter((_, i) => i % stride === 0));
  }
  const epochs = options.epochs ?? (kind === 'logistic' ? LOGISTIC_EPOCHS : 20);
  const batchSize = options.batchSize ?? 256;
  const report = progress(options);
  const fit = fitMinibatch(
    { rows: X, labels, weights: data.weights, numClasses: active.length, dim: data.dim, C: options.C ?? 10, stats },
    {
      kind,
      hidden: options.hidden ?? 128,
      epochs,
      // Batches of 256 where the exact MLP takes 64: its step grows by the square root of that ratio.
      learningRate: (options.learningRate ?? 1e-3) * (kind === 'mlp' ? Math.sqrt(batchSize / 64) : 1),
      batchSize,
      seed: options.seed ?? 1,
      ...(options.epochSize === undefined ? {} : { epochSize: options.epochSize }),
      onEpoch: (epoch, loss, rowsSeen) => {
        report(epoch, epochs, loss);
        options.onRowsSeen?.(epoch, rowsSeen);
      },
    },
  );
  let head: Head;
  if (fit.kind === 'logistic') {
    const weights = new Float32Array(numClasses * data.dim);
    const bias = new Float32Array(numClasses).fill(ABSENT_CLASS_BIAS);
    let mean = 0;
    for (let k = 0; k < active.length; k++) mean += fit.bias[k]! / active.length;
    active.forEach((c, k) => {
      weights.set(fit.weights.subarray(k * data.dim, (k + 1) * data.dim), c * data.dim);
      bias[c] = fit.bias[k]! - mean;
    });
    head = { kind: 'logistic', dim: data.dim, numClasses, weights, bias };
  } else {
    const w2 = new Float32Array(numClasses * fit.hidden);
    const b2 = new Float32Array(numClasses).fill(ABSENT_CLASS_BIAS);
    active.forEach((c, k) => {
      w2.set(fit.w2.subarray(k * fit.hidden, (k + 1) * fit.hidden), c * fit.hidden);
      b2[c] = fit.b2[k]!;
    });
    head = { kind: 'mlp', dim: data.dim, hidden: fit.hidden, numClasses, w1: fit.w1, b1: fit.b1, w2, b2 };
  }
  return foldStandardizer(head, stats);
}

/** Epochs of the mini-batch logistic head unless told (the MLP keeps its configured epochs). */
export const LOGISTIC_EPOCHS = 10;

/** The weighted classes (as sklearn knows only the classes present in y) and each sample's index among them. */
function activeClasses(data: ValidatedData, numClasses: number): { active: number[]; labels: Int32Array } {
  const active: number[] = [];
  const remap = new Int32Array(numClasses).fill(-1);
  for (let c = 0; c < numClasses; c++) {
    if (data.classTotals[c]! > 0) {
      remap[c] = active.length;
      active.push(c);
    }
  }
  if (active.length < 2) {
    throw new SkulensError('ERR_TRAINING_INVALID', { detail: `at least 2 classes need samples with positive weight; found ${active.length}` });
  }
  const labels = new Int32Array(data.n);
  for (let i = 0; i < data.n; i++) labels[i] = Math.max(0, remap[data.labels[i]!]!);
  return { active, labels };
}

function progress(options: HeadTrainingOptions): (step: number, total: number, loss: number) => void {
  return (step, total, loss) => {
    throwIfCancelled(options.signal);
    options.onProgress?.(step, total, loss);
  };
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'head' }, { cause: signal.reason });
}

interface ValidatedData {
  n: number;
  dim: number;
  /** The rows packed into one matrix (only when asked: the mini-batch solver reads them in place). */
  packed: Float32Array | null;
  labels: Int32Array;
  weights: Float64Array;
  classTotals: Float64Array;
}

function invalid(detail: string): SkulensError {
  return new SkulensError('ERR_TRAINING_INVALID', { detail });
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function validate(X: Float32Array[], y: ArrayLike<number>, numClasses: number, options: HeadTrainingOptions, pack: boolean): ValidatedData {
  const n = X.length;
  if (n === 0) throw invalid('the training set is empty');
  if (y.length !== n) throw invalid(`${n} embeddings but ${y.length} labels`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw invalid(`numClasses must be an integer >= 2, got ${numClasses}`);
  const C = options.C ?? 10;
  if (!(C > 0) || !Number.isFinite(C)) throw invalid(`C must be a positive finite number, got ${C}`);
  if (options.tolerance !== undefined && !(options.tolerance >= 0)) throw invalid(`tolerance must be >= 0, got ${options.tolerance}`);
  for (const [name, value] of [['maxIterations', options.maxIterations], ['hidden', options.hidden], ['epochs', options.epochs], ['batchSize', options.batchSize]] as const) {
    if (value !== undefined && !isPositiveInteger(value)) throw invalid(`${name} must be a positive integer, got ${value}`);
  }
  if (options.learningRate !== undefined && !(options.learningRate > 0 && Number.isFinite(options.learningRate))) {
    throw invalid(`learningRate must be a positive finite number, got ${options.learningRate}`);
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw invalid(`seed must be an integer, got ${options.seed}`);
  if (options.kind !== undefined && options.kind !== 'logistic' && options.kind !== 'mlp') throw invalid(`kind must be 'logistic' or 'mlp', got ${String(options.kind)}`);

  const dim = X[0]!.length;
  if (dim === 0) throw invalid('embeddings have length 0');
  const packed = pack ? new Float32Array(n * dim) : null;
  // An oversampled set repeats rows (the same arrays): each is checked once (20x fewer at 250 Zipf labels).
  const checked = new Set<Float32Array>();
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    if (row.length !== dim) throw invalid(`embedding ${i} has length ${row.length}, expected ${dim}`);
    if (!checked.has(row)) {
      for (let d = 0; d < dim; d++) {
        if (!Number.isFinite(row[d]!)) throw invalid(`embedding ${i} holds a non-finite value at ${d}`);
      }
      checked.add(row);
    }
    packed?.set(row, i * dim);
  }

  const classWeights = options.classWeights ?? null;
  const sampleWeights = options.sampleWeights ?? null;
  if (classWeights && classWeights.length !== numClasses) throw invalid(`classWeights has ${classWeights.length} entries, expected ${numClasses}`);
  if (sampleWeights && sampleWeights.length !== n) throw invalid(`sampleWeights has ${sampleWeights.length} entries, expected ${n}`);
  const labels = new Int32Array(n);
  const weights = new Float64Array(n);
  const classTotals = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const label = y[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) throw invalid(`label ${i} is ${label}, expected an integer in [0, ${numClasses})`);
    const weight = (classWeights ? classWeights[label]! : 1) * (sampleWeights ? sampleWeights[i]! : 1);
    if (!(weight >= 0) || !Number.isFinite(weight)) throw invalid(`sample ${i} has weight ${weight}; weights must be finite and >= 0`);
    labels[i] = label;
    weights[i] = weight;
    classTotals[label] = classTotals[label]! + weight;
  }
  return { n, dim, packed, labels, weights, classTotals };
}
