// Scores a model version on its test images: per-label one-vs-rest precision, recall and F1 at the
// version's thresholds, argmax accuracy and confusion matrix, what the served answer gives (coverage and
// answered precision at the thresholds, the unknown rate) and the worst mistakes.
import { argmax, checkLabels, checkScored, checkThresholds, comparable, type ScoredImage } from './scored.js';

/** One label's one-vs-rest metrics at its threshold; `support` is its number of test images. */
export interface LabelMetrics {
  label: string;
  support: number;
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * A test image whose argmax label is not its truth. `predicted` is the argmax label, or null when the
 * image would be answered "unknown" (no label reaches its threshold); `confidence` is the argmax
 * probability, 0-100.
 */
export interface Misclassified {
  image: string;
  truth: string;
  predicted: string | null;
  confidence: number;
}

/** Everything measured on a test set; {@link toRekognitionSummary} turns it into the stored summary. */
export interface EvaluationReport {
  labels: string[];
  numTest: number;
  /** Fraction of test images whose argmax label is the truth. */
  accuracy: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  /** Fraction of test images for which no label reaches its threshold. */
  unknownRate: number;
  /**
   * Fraction of test images that get a label at the version's thresholds (what DetectCustomLabels answers
   * without MinConfidence): 1 - unknownRate for one label per photo.
   */
  coverage: number;
  /** Fraction of the labels answered at the thresholds that are right (0 when nothing is answered). */
  answeredPrecision: number;
  /** Labels the version knows that have no test image: trained and served, not measured (left out of the macro averages). */
  untested: string[];
  /**
   * True labels (or group values) of test photos that the version never trained. `counted`: the photos are
   * scored as errors (multi-label, groups); otherwise (single-label) they are left out of every figure.
   */
  untrained?: { labels: string[]; testImages: number; counted: boolean };
  /** Set when the thresholds were chosen on these same test images (an edited-thresholds version): the figures then flatter. */
  thresholdsChosenOn?: 'test';
  perLabel: LabelMetrics[];
  /** Counts; rows are the truth, columns the argmax prediction, both in `labels` order. */
  confusionMatrix: number[][];
  /** Argmax errors, the most confident first. */
  misclassified: Misclassified[];
  /** Multi-label projects: micro and macro averages, exact match (src/evaluate/multi-label.ts). */
  multiLabel?: import('./multi-label.js').MultiLabelMetrics;
  /** Group projects: accuracy, macro-F1 and confusion matrix per group (src/evaluate/groups.ts). */
  groups?: import('./groups.js').GroupEvaluation[];
  /** Single-label versions of a project with a taxonomy: accuracy per level and the fallback to parents. */
  hierarchy?: import('./hierarchy.js').HierarchyReport;
}

/** precision = TP/(TP+FP) (0 when nothing was predicted), recall = TP/(TP+FN), F1 their harmonic mean. */
function ratios(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

/**
 * Evaluates scored test images at the given per-label thresholds (the decision rule of
 * {@link decideLabels}: a label is predicted when its prob >= its threshold). Macro averages are
 * unweighted means over the labels that have test images; the others are listed in `untested`.
 */
export function evaluatePredictions(labels: readonly string[], scored: readonly ScoredImage[], thresholds: readonly number[]): EvaluationReport {
  checkLabels(labels);
  const numLabels = labels.length;
  checkThresholds(numLabels, thresholds);
  checkScored(numLabels, scored, true);
  const cut = thresholds.map(comparable);

  const tp = new Array<number>(numLabels).fill(0);
  const fp = new Array<number>(numLabels).fill(0);
  const support = new Array<number>(numLabels).fill(0);
  const confusionMatrix = labels.map(() => new Array<number>(numLabels).fill(0));
  const misclassified: Misclassified[] = [];
  let correct = 0;
  let unknown = 0;

  for (const { image, truth, probs } of scored) {
    support[truth]!++;
    let anyPassed = false;
    for (let k = 0; k < numLabels; k++) {
      if (probs[k]! >= cut[k]!) {
        anyPassed = true;
        if (k === truth) tp[k]!++;
        else fp[k]!++;
      }
    }
    if (!anyPassed) unknown++;
    const top = argmax(probs);
    confusionMatrix[truth]![top]!++;
    if (top === truth) correct++;
    else misclassified.push({ image, truth: labels[truth]!, predicted: anyPassed ? labels[top]! : null, confidence: probs[top]! * 100 });
  }
  misclassified.sort((a, b) => b.confidence - a.confidence || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));

  const perLabel = labels.map((label, k): LabelMetrics => ({
    label,
    support: support[k]!,
    threshold: thresholds[k]!,
    ...ratios(tp[k]!, fp[k]!, support[k]! - tp[k]!),
  }));
  const tested = perLabel.filter((m) => m.support > 0);
  const answeredLabels = sum(tp) + sum(fp);
  return {
    labels: [...labels],
    numTest: scored.length,
    accuracy: correct / scored.length,
    macroF1: mean(tested.map((m) => m.f1)),
    macroPrecision: mean(tested.map((m) => m.precision)),
    macroRecall: mean(tested.map((m) => m.recall)),
    unknownRate: unknown / scored.length,
    coverage: 1 - unknown / scored.length,
    answeredPrecision: answeredLabels === 0 ? 0 : sum(tp) / answeredLabels,
    untested: perLabel.filter((m) => m.support === 0).map((m) => m.label),
    perLabel,
    confusionMatrix,
    misclassified,
  };
}
