// The decision rule shared by prediction and evaluation: which labels an image gets, given its
// probabilities and the per-label thresholds, in the shape of Rekognition's CustomLabels.
import { SkulensError } from '../errors.js';
import { checkThresholds, comparable } from './scored.js';

/** One answered label, as in Rekognition's `CustomLabels`: Confidence is 0-100. */
export interface DecidedLabel {
  Name: string;
  Confidence: number;
}

/** Options of {@link decideLabels}, named after DetectCustomLabels' `MinConfidence` and `MaxResults`. */
export interface DecideOptions {
  /** 0-100. When given, it replaces every label's own threshold with minConfidence / 100. */
  minConfidence?: number;
  /** At most this many labels, the most confident first. Unset means no cap. */
  maxResults?: number;
}

function invalid(field: string, detail: string): SkulensError {
  return new SkulensError('ERR_ARGUMENT_INVALID', { field, detail });
}

/**
 * The labels whose probability reaches their own threshold (or minConfidence / 100 when
 * `minConfidence` is given), sorted by confidence descending, capped at `maxResults`.
 * An empty answer means "not in the catalogue".
 *
 * @example
 * decideLabels(['shirt', 'shoe'], Float32Array.of(0.9, 0.1), [0.6, 0.4]);
 * // -> [{ Name: 'shirt', Confidence: 89.99999761581421 }] (0.9 as float32, times 100)
 * decideLabels(['shirt', 'shoe'], Float32Array.of(0.5, 0.5), [0.6, 0.6]); // -> [] (unknown)
 */
export function decideLabels(
  labels: readonly string[],
  probs: Float32Array,
  thresholds: readonly number[],
  options: DecideOptions = {},
): DecidedLabel[] {
  const { minConfidence, maxResults } = options;
  if (probs.length !== labels.length) {
    throw invalid('probs', `got ${probs.length} probabilities; expected one per label (${labels.length})`);
  }
  if (minConfidence !== undefined && (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 100)) {
    throw invalid('MinConfidence', `expected a number from 0 to 100, got ${minConfidence}`);
  }
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0)) {
    throw invalid('MaxResults', `expected a non-negative integer, got ${maxResults}`);
  }
  if (minConfidence === undefined) checkThresholds(labels.length, thresholds);
  const floor = minConfidence === undefined ? undefined : comparable(minConfidence / 100);

  const passing: number[] = [];
  for (let k = 0; k < labels.length; k++) {
    if (probs[k]! >= (floor ?? comparable(thresholds[k]!))) passing.push(k);
  }
  // Higher probability first; the catalogue order breaks ties so the answer is deterministic.
  passing.sort((a, b) => probs[b]! - probs[a]! || a - b);
  const kept = maxResults === undefined ? passing : passing.slice(0, maxResults);
  return kept.map((k) => ({ Name: labels[k]!, Confidence: probs[k]! * 100 }));
}
