// Temperature scaling: the one number T that turns a head's softmax into calibrated probabilities,
// softmax(z / T), fitted by maximum likelihood on held-out logits; and the head that serves them (its
// last layer divided by T, so the predictor, the evaluation and the ONNX export all answer calibrated
// probabilities without knowing about T). Argmax, and so accuracy, never changes.
import type { Head } from './types.js';

/** The range T is searched in; a held-out set that is all right and far apart would otherwise drive T to 0. */
export const TEMPERATURE_RANGE = Object.freeze([0.1, 10] as const);

/**
 * Prior on log T (a normal around log 1 with this standard deviation), added to the summed negative
 * log-likelihood: it weighs as much as a few photos, so a large held-out set decides and a tiny one stays near 1.
 */
const LOG_T_PRIOR_SD = 1;

/** Negative log-likelihood of `truths` under softmax(z / T), summed over the rows. */
function nll(rows: readonly Float64Array[], truths: readonly number[], T: number): number {
  let total = 0;
  rows.forEach((z, i) => {
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v / T);
    let sum = 0;
    for (const v of z) sum += Math.exp(v / T - max);
    total += max + Math.log(sum) - z[truths[i]!]! / T;
  });
  return total;
}

/**
 * The temperature of maximum (lightly regularised) likelihood for held-out logits `rows` with true
 * classes `truths`: golden-section search on log T within TEMPERATURE_RANGE. 1 without rows.
 *
 * @example
 * const T = fitTemperature(heldOutLogits, heldOutTruths); // 0.42 on grocery-store-dev's held-out folds
 * const served = temperatureScaled(head, T);
 */
export function fitTemperature(rows: readonly Float64Array[], truths: readonly number[]): number {
  if (rows.length === 0) return 1;
  const objective = (logT: number): number => nll(rows, truths, Math.exp(logT)) + (logT * logT) / (2 * LOG_T_PRIOR_SD ** 2);
  let lo = Math.log(TEMPERATURE_RANGE[0]);
  let hi = Math.log(TEMPERATURE_RANGE[1]);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = objective(a);
  let fb = objective(b);
  // The likelihood is log-concave in 1/T (a log-sum-exp of terms linear in it), so one minimum: 60 steps narrow it to 1e-12.
  for (let step = 0; step < 60; step++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = objective(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = objective(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * A label is answered when its calibrated probability is at least this: more likely right than wrong on
 * photos like the held-out ones, and at most one label a photo. Per-label best-F1 thresholds fitted on
 * held-out folds of the training capture sit where that easy split separates, not where a new capture
 * does: on grocery-store-dev val they left 12.5% of photos unanswered; calibrated 0.5 answers 93-96%
 * (docs/training.md).
 */
export const ANSWER_PROBABILITY = 0.5;

/** What a served one-softmax head answers with: its temperature (the head is divided by it) and one threshold a label. */
export interface Calibration {
  temperature: number;
  thresholds: number[];
}

/** The calibration of a one-softmax head from held-out logits `rows` (numLabels each) and their true classes. */
export function calibrateSoftmax(rows: readonly Float64Array[], truths: readonly number[], numLabels: number): Calibration {
  return { temperature: fitTemperature(rows, truths), thresholds: new Array<number>(numLabels).fill(ANSWER_PROBABILITY) };
}

/** The head whose softmax is softmax(z / T): its last layer (weights and bias) divided by T. */
export function temperatureScaled(head: Head, T: number): Head {
  const scale = (values: Float32Array): Float32Array => Float32Array.from(values, (v) => v / T);
  return head.kind === 'logistic' ? { ...head, weights: scale(head.weights), bias: scale(head.bias) } : { ...head, w2: scale(head.w2), b2: scale(head.b2) };
}
