// Multi-label evaluation: an image carries any number of labels, each label has its own sigmoid and its
// own threshold. Per-label precision, recall and F1, micro and macro averages, exact-match accuracy; the
// result keeps the EvaluationReport shape so the Rekognition summary stays valid (its confusion matrix
// is empty: there is no single predicted label to confuse).
import { SkulensError } from '../errors.js';
import type { EvaluationReport, LabelMetrics, Misclassified } from './metrics.js';
import { checkLabels, checkThresholds, comparable } from './scored.js';
import { bestF1Of, labelOperatingPoints } from './thresholds.js';

/** One scored image of a multi-label project: its true label indexes and one sigmoid probability per label. */
export interface MultiScoredImage {
  readonly image: string;
  readonly truths: readonly number[];
  readonly probs: Float32Array;
  /** True labels of the photo that the version never trained (it cannot answer them): each counts as a missed label. */
  readonly untrained?: readonly string[];
}

export interface MultiLabelMetrics {
  micro: { precision: number; recall: number; f1: number };
  macro: { precision: number; recall: number; f1: number };
  /** Fraction of images whose predicted set is exactly their true set. */
  exactMatch: number;
  /** Fraction of (image, label) decisions that are wrong. */
  hammingLoss: number;
}

export type MultiLabelReport = EvaluationReport & { multiLabel: MultiLabelMetrics };

/** The binary view of label `k`: truth k when the image carries it, -1 otherwise (what labelOperatingPoints counts). */
function binary(k: number, scored: readonly MultiScoredImage[]): { image: string; truth: number; probs: Float32Array }[] {
  return scored.map((s) => ({ image: s.image, truth: s.truths.includes(k) ? k : -1, probs: s.probs }));
}

/**
 * Per label, the threshold of best F1 on `scored` (held-out probabilities), or with `targetPrecision`
 * the lowest one reaching it (best F1 when none does).
 */
export function multiLabelThresholds(numLabels: number, scored: readonly MultiScoredImage[], targetPrecision?: number): number[] {
  return Array.from({ length: numLabels }, (_, k) => {
    const points = labelOperatingPoints(k, binary(k, scored));
    if (targetPrecision === undefined) return bestF1Of(points);
    let lowest: number | undefined;
    for (let i = 0; i < points.thresholds.length; i++) {
      const tp = points.tp[i]!;
      if (tp > 0 && tp / (tp + points.fp[i]!) >= targetPrecision) lowest = points.thresholds[i]!;
    }
    return lowest ?? bestF1Of(points);
  });
}

const ratios = (tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } => {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
};

/**
 * Evaluates multi-label predictions at per-label thresholds (a label is predicted when prob >= its threshold).
 * A true label the version never trained (`untrained`) counts as missed: in micro recall, exact match and
 * Hamming loss, and in the report's `untrained`.
 */
export function evaluateMultiLabel(labels: readonly string[], scored: readonly MultiScoredImage[], thresholds: readonly number[]): MultiLabelReport {
  checkLabels(labels);
  const K = labels.length;
  checkThresholds(K, thresholds);
  if (scored.length === 0) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'scored', detail: 'needs at least one scored test image' });
  const cut = thresholds.map(comparable);
  const tp = new Array<number>(K).fill(0);
  const fp = new Array<number>(K).fill(0);
  const support = new Array<number>(K).fill(0);
  let exact = 0;
  let unknown = 0;
  let wrongDecisions = 0;
  let missedUntrained = 0;
  const untrained = new Map<string, number>();
  const misclassified: Misclassified[] = [];
  for (const { image, truths, probs, untrained: never = [] } of scored) {
    if (probs.length !== K) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'probs', detail: `image ${image} has ${probs.length} probabilities; expected ${K}` });
    const predicted: number[] = [];
    for (let k = 0; k < K; k++) {
      const truth = truths.includes(k);
      if (truth) support[k]!++;
      if (probs[k]! >= cut[k]!) {
        predicted.push(k);
        if (truth) tp[k]!++;
        else fp[k]!++;
      }
      if ((probs[k]! >= cut[k]!) !== truth) wrongDecisions++;
    }
    if (predicted.length === 0) unknown++;
    // A true label never trained is a label the answer misses: counted, never stripped from the truth.
    for (const label of never) untrained.set(label, (untrained.get(label) ?? 0) + 1);
    missedUntrained += never.length;
    wrongDecisions += never.length;
    const same = never.length === 0 && predicted.length === truths.length && truths.every((t) => predicted.includes(t));
    if (same) exact++;
    else {
      const top = predicted.reduce((m, k) => Math.max(m, probs[k]!), 0);
      const truth = [...truths.map((t) => labels[t]!), ...never].join('|');
      misclassified.push({ image, truth, predicted: predicted.length ? predicted.map((k) => labels[k]!).join('|') : null, confidence: top * 100 });
    }
  }
  misclassified.sort((a, b) => b.confidence - a.confidence || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const perLabel = labels.map((label, k): LabelMetrics => ({ label, support: support[k]!, threshold: thresholds[k]!, ...ratios(tp[k]!, fp[k]!, support[k]! - tp[k]!) }));
  const tested = perLabel.filter((m) => m.support > 0);
  const mean = (pick: (m: LabelMetrics) => number): number => (tested.length === 0 ? 0 : tested.reduce((s, m) => s + pick(m), 0) / tested.length);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const micro = ratios(sum(tp), sum(fp), sum(support) - sum(tp) + missedUntrained);
  const macro = { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1) };
  return {
    labels: [...labels],
    numTest: scored.length,
    accuracy: exact / scored.length,
    macroF1: macro.f1,
    macroPrecision: macro.precision,
    macroRecall: macro.recall,
    unknownRate: unknown / scored.length,
    coverage: 1 - unknown / scored.length,
    answeredPrecision: micro.precision,
    untested: tested.length === K ? [] : perLabel.filter((m) => m.support === 0).map((m) => m.label),
    ...(untrained.size > 0 ? { untrained: { labels: [...untrained.keys()].sort(), testImages: scored.filter((s) => (s.untrained ?? []).length > 0).length, counted: true } } : {}),
    perLabel,
    confusionMatrix: labels.map(() => new Array<number>(K).fill(0)),
    misclassified,
    multiLabel: { micro, macro, exactMatch: exact / scored.length, hammingLoss: wrongDecisions / (scored.length * (K + untrained.size)) },
  };
}
