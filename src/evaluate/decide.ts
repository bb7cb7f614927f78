// The decision rule shared by prediction and evaluation: which labels an image gets, given its
// probabilities and the per-label thresholds, in the shape of Rekognition's CustomLabels.
import { SkulensError } from '../errors.js';
import { ancestorsOf, type Taxonomy } from '../labels/index.js';
import { hierarchyAnswer, hierarchyLevels, parentThresholds } from './hierarchy.js';
import { checkThresholds, comparable } from './scored.js';

/**
 * One answered label, as in Rekognition's `CustomLabels`: Confidence is 0-100. With a taxonomy, `Parents`
 * names its ancestors nearest first, as DetectLabels does; without one the field is absent.
 */
export interface DecidedLabel {
  Name: string;
  Confidence: number;
  Parents?: { Name: string }[];
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
  checkOptions(labels, probs, thresholds, options);
  const { minConfidence, maxResults } = options;
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

/**
 * {@link decideLabels} over a hierarchy: the labels that clear their thresholds, each with its `Parents`;
 * when none does, the deepest parents whose confidence (the sum of their labels' probabilities) clears
 * theirs (the lowest threshold among their labels, or minConfidence / 100). An empty answer means unknown.
 *
 * @example
 * // Two milks at 0.45 and 0.40, thresholds 0.6: neither is sure, but "Milk" (0.85) is.
 * decideWithTaxonomy(['Arla', 'Garant', 'Apple'], Float32Array.of(0.45, 0.4, 0.15), [0.6, 0.6, 0.6], taxonomy);
 * // -> [{ Name: 'Milk', Confidence: 85, Parents: [{ Name: 'Packages' }] }]
 */
export function decideWithTaxonomy(
  labels: readonly string[],
  probs: Float32Array,
  thresholds: readonly number[],
  taxonomy: Taxonomy,
  options: DecideOptions = {},
): DecidedLabel[] {
  checkOptions(labels, probs, thresholds, options);
  const levels = hierarchyLevels(labels, taxonomy);
  const levelThresholds = levels.map((level) => (level.depth === 0 ? [...thresholds] : parentThresholds(level, thresholds)));
  const floor = options.minConfidence === undefined ? undefined : comparable(options.minConfidence / 100);
  const answer = hierarchyAnswer(levels, probs, levelThresholds, floor);
  if (!answer) return [];
  const level = levels[answer.depth]!;
  const kept = options.maxResults === undefined ? answer.nodes : answer.nodes.slice(0, options.maxResults);
  return kept.map((node) => {
    // The chain above a node: its first label's ancestors beyond this depth; a parent named like the label itself is left out.
    const first = level.nodeOf.indexOf(node);
    const name = level.nodes[node]!;
    const above = ancestorsOf(taxonomy, labels[first]!).slice(answer.depth).filter((parent) => parent !== name);
    return { Name: name, Confidence: answer.confidences[node]! * 100, Parents: above.map((parent) => ({ Name: parent })) };
  });
}

function checkOptions(labels: readonly string[], probs: Float32Array, thresholds: readonly number[], options: DecideOptions): void {
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
}
