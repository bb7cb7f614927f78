// Fits per-label decision thresholds on scored images: the best-F1 one (Rekognition's "assumed
// threshold") and the lowest one meeting a target precision. Each label sorts its scores once, so a fit
// costs O(K n log n) for K labels and n images, cheap enough to run inside cross-validation loops.
import { SkulensError } from '../errors.js';
import { checkNumLabels, checkScored, type ScoredImage } from './scored.js';

/** The threshold given to a label that has no positive image to fit on. */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Every distinct operating point of one label, one-vs-rest, from the highest threshold down.
 * At `thresholds[i]`, the images with prob >= it are predicted positive: `tp[i]` of them are truly this
 * label, `fp[i]` are not. `positives` is the number of images of this label.
 */
export interface OperatingPoints {
  readonly thresholds: Float64Array;
  readonly tp: Int32Array;
  readonly fp: Int32Array;
  readonly positives: number;
}

/** The operating points of `label` on `scored` (every distinct score is a candidate threshold). */
export function labelOperatingPoints(label: number, scored: readonly ScoredImage[]): OperatingPoints {
  let positives = 0;
  for (const s of scored) if (s.truth === label) positives++;
  const pos = new Float32Array(positives);
  const neg = new Float32Array(scored.length - positives);
  let p = 0;
  let q = 0;
  for (const s of scored) {
    if (s.truth === label) pos[p++] = s.probs[label]!;
    else neg[q++] = s.probs[label]!;
  }
  // Typed-array sort is numeric and comparator-free; merging the two sorted runs from the top
  // yields the cumulative counts without sorting (score, truth) pairs.
  pos.sort();
  neg.sort();
  const thresholds = new Float64Array(scored.length);
  const tp = new Int32Array(scored.length);
  const fp = new Int32Array(scored.length);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tpCount = 0;
  let fpCount = 0;
  let n = 0;
  while (i >= 0 || j >= 0) {
    const t = Math.max(i >= 0 ? pos[i]! : -Infinity, j >= 0 ? neg[j]! : -Infinity);
    while (i >= 0 && pos[i] === t) { tpCount++; i--; }
    while (j >= 0 && neg[j] === t) { fpCount++; j--; }
    thresholds[n] = t;
    tp[n] = tpCount;
    fp[n] = fpCount;
    n++;
  }
  return { thresholds: thresholds.subarray(0, n), tp: tp.subarray(0, n), fp: fp.subarray(0, n), positives };
}

/** One-vs-rest F1 from counts: 2TP / (2TP + FP + FN), 0 when there is nothing to score. */
function f1Of(tp: number, fp: number, positives: number): number {
  const denominator = tp + fp + positives;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/** Index of the best-F1 operating point (ties to the higher threshold), or -1 without positives. */
export function bestF1Index(points: OperatingPoints): number {
  if (points.positives === 0) return -1;
  let best = -1;
  let bestF1 = -1;
  // Points run from high to low thresholds, so a strict ">" keeps the higher threshold on a tie.
  for (let i = 0; i < points.thresholds.length; i++) {
    const f1 = f1Of(points.tp[i]!, points.fp[i]!, points.positives);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = i;
    }
  }
  return best;
}

/** The best-F1 threshold of one label's operating points (ties to the higher threshold; DEFAULT_THRESHOLD without positives). */
export function bestF1Of(points: OperatingPoints): number {
  const best = bestF1Index(points);
  return best < 0 ? DEFAULT_THRESHOLD : points.thresholds[best]!;
}

/**
 * Per label, the probability threshold that maximises that label's one-vs-rest F1 on `scored`
 * (Rekognition's "assumed threshold"). Ties go to the higher threshold. A label with no positive
 * image gets {@link DEFAULT_THRESHOLD}. Each threshold is one of the scores, so it is exact at
 * float32 precision. Fit on held-out (e.g. out-of-fold) scores, not on the training images.
 */
export function bestF1Thresholds(numLabels: number, scored: readonly ScoredImage[]): number[] {
  checkNumLabels(numLabels);
  checkScored(numLabels, scored, false);
  return Array.from({ length: numLabels }, (_, k) => bestF1Of(labelOperatingPoints(k, scored)));
}

/**
 * Per label, the lowest threshold whose one-vs-rest precision on `scored` is >= `targetPrecision`
 * (in (0, 1]); a label that reaches the target at no threshold falls back to its best-F1 threshold.
 *
 * @example
 * // Thresholds at which at least 95% of the answers for each label were right on the validation set.
 * const thresholds = targetPrecisionThresholds(labels.length, validation, 0.95);
 */
export function targetPrecisionThresholds(numLabels: number, scored: readonly ScoredImage[], targetPrecision: number): number[] {
  checkNumLabels(numLabels);
  if (!Number.isFinite(targetPrecision) || targetPrecision <= 0 || targetPrecision > 1) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'targetPrecision', detail: `expected a number in (0, 1], got ${targetPrecision}` });
  }
  checkScored(numLabels, scored, false);
  return Array.from({ length: numLabels }, (_, k) => {
    const points = labelOperatingPoints(k, scored);
    let lowest: number | undefined;
    for (let i = 0; i < points.thresholds.length; i++) {
      const tp = points.tp[i]!;
      // Divide rather than multiply out: 7/10 rounds to exactly 0.7, while 0.7 * 10 exceeds 7.
      if (tp > 0 && tp / (tp + points.fp[i]!) >= targetPrecision) lowest = points.thresholds[i]!;
    }
    return lowest ?? bestF1Of(points);
  });
}
