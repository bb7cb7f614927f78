// The input of every evaluation function (a scored test image) and the checks that guard it, plus the
// one comparison rule, "prob >= threshold", shared by threshold fitting, evaluation and prediction.
import { SkulensError } from '../errors.js';

/** One scored test image: its path, true label index, and per-label probabilities (softmax, sum 1). */
export interface ScoredImage {
  readonly image: string;
  readonly truth: number;
  readonly probs: Float32Array;
}

/**
 * The threshold as compared against a float32 probability. Rounding it to float32 makes a user's 0.7
 * accept a probability stored as 0.7f (0.699999988...), and changes nothing for any other value,
 * since float32 rounding is monotonic and every probability is already a float32.
 */
export function comparable(threshold: number): number {
  return Math.fround(threshold);
}

/** Index of the largest probability; the lowest index wins a tie. */
export function argmax(probs: Float32Array): number {
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  return best;
}

function invalid(field: string, detail: string): SkulensError {
  return new SkulensError('ERR_ARGUMENT_INVALID', { field, detail });
}

/** Throws unless `numLabels` is a positive integer. */
export function checkNumLabels(numLabels: number, field = 'numLabels'): void {
  if (!Number.isInteger(numLabels) || numLabels < 1) throw invalid(field, `expected a positive integer, got ${numLabels}`);
}

/** Throws unless every image has `numLabels` finite probabilities and a truth index in range. */
export function checkScored(numLabels: number, scored: readonly ScoredImage[], requireSome: boolean): void {
  if (requireSome && scored.length === 0) throw invalid('scored', 'needs at least one scored test image');
  for (let i = 0; i < scored.length; i++) {
    const { image, truth, probs } = scored[i]!;
    if (!Number.isInteger(truth) || truth < 0 || truth >= numLabels) {
      throw invalid(`scored[${i}].truth`, `image ${image} has truth ${truth}; expected an integer in 0..${numLabels - 1}`);
    }
    if (probs.length !== numLabels) {
      throw invalid(`scored[${i}].probs`, `image ${image} has ${probs.length} probabilities; expected one per label (${numLabels})`);
    }
    for (let k = 0; k < numLabels; k++) {
      if (!Number.isFinite(probs[k])) throw invalid(`scored[${i}].probs`, `image ${image} has a non-finite probability at label ${k}`);
    }
  }
}

/** Throws unless there is one finite threshold in [0, 1] per label. */
export function checkThresholds(numLabels: number, thresholds: readonly number[]): void {
  if (thresholds.length !== numLabels) {
    throw invalid('thresholds', `got ${thresholds.length} thresholds; expected one per label (${numLabels})`);
  }
  thresholds.forEach((t, k) => {
    if (!Number.isFinite(t) || t < 0 || t > 1) throw invalid(`thresholds[${k}]`, `expected a probability in [0, 1], got ${t}`);
  });
}

/** Throws unless `labels` is a non-empty list of distinct, non-empty names. */
export function checkLabels(labels: readonly string[]): void {
  if (labels.length === 0) throw invalid('labels', 'needs at least one label');
  const seen = new Set<string>();
  for (const label of labels) {
    if (label.length === 0) throw invalid('labels', 'a label name is empty');
    if (seen.has(label)) throw invalid('labels', `label "${label}" appears twice`);
    seen.add(label);
  }
}
