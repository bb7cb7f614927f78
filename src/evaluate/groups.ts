// Attribute-group evaluation: one softmax per group over shared embeddings. Each group is scored as its
// own single-label problem (accuracy, macro-F1, confusion matrix); the combined report keeps the
// EvaluationReport shape over every `group:value` label (confusion matrix block-diagonal, accuracy = every
// group right), so the Rekognition summary stays valid.
import { NONE_VALUE, groupLabel } from '../labels/index.js';
import { evaluatePredictions, type EvaluationReport, type LabelMetrics } from './metrics.js';
import { argmax } from './scored.js';

/** Where a group's values sit in the combined probability vector. */
export interface GroupSegment {
  name: string;
  values: string[];
  /** Index of the group's first value in the combined label list. */
  offset: number;
}

/** One scored image of a groups project: the true value index of each group, and the combined probabilities (a softmax per segment). */
export interface GroupScoredImage {
  readonly image: string;
  readonly truths: readonly number[];
  readonly probs: Float32Array;
}

export interface GroupEvaluation {
  group: string;
  values: string[];
  numTest: number;
  accuracy: number;
  /** Accuracy over the images that carry a value of the group (truth not NONE_VALUE); equals accuracy for a group every image has. */
  accuracyPresent: number;
  imagesPresent: number;
  macroF1: number;
  unknownRate: number;
  perLabel: LabelMetrics[];
  /** Rows truth, columns argmax prediction, in `values` order. */
  confusionMatrix: number[][];
}

export type GroupsReport = EvaluationReport & { groups: GroupEvaluation[] };

/** Segments of `groups` laid out one after another, in order. */
export function groupSegments(groups: readonly { name: string; values: readonly string[] }[]): GroupSegment[] {
  let offset = 0;
  return groups.map((g) => {
    const segment = { name: g.name, values: [...g.values], offset };
    offset += g.values.length;
    return segment;
  });
}

/** Evaluates every group at its values' thresholds (`thresholds` in combined label order). */
export function evaluateGroups(segments: readonly GroupSegment[], scored: readonly GroupScoredImage[], thresholds: readonly number[]): GroupsReport {
  const slice = (s: GroupSegment, probs: Float32Array): Float32Array => probs.subarray(s.offset, s.offset + s.values.length);
  const reports = segments.map((s, g) =>
    evaluatePredictions(
      s.values,
      scored.map((image) => ({ image: image.image, truth: image.truths[g]!, probs: slice(s, image.probs) })),
      thresholds.slice(s.offset, s.offset + s.values.length),
    ),
  );
  const groups = segments.map((s, g): GroupEvaluation => {
    const report = reports[g]!;
    const none = s.values.indexOf(NONE_VALUE);
    const present = scored.filter((image) => image.truths[g] !== none);
    const presentRight = present.filter((image) => argmax(slice(s, image.probs)) === image.truths[g]).length;
    return {
      group: s.name,
      values: s.values,
      numTest: report.numTest,
      accuracy: report.accuracy,
      accuracyPresent: present.length === 0 ? 0 : presentRight / present.length,
      imagesPresent: present.length,
      macroF1: report.macroF1,
      unknownRate: report.unknownRate,
      perLabel: report.perLabel,
      confusionMatrix: report.confusionMatrix,
    };
  });
  const labels = segments.flatMap((s) => s.values.map((v) => groupLabel(s.name, v)));
  const K = labels.length;
  const confusionMatrix = labels.map(() => new Array<number>(K).fill(0));
  segments.forEach((s, g) => reports[g]!.confusionMatrix.forEach((row, t) => row.forEach((n, p) => (confusionMatrix[s.offset + t]![s.offset + p] = n))));
  const perLabel = segments.flatMap((s, g) => reports[g]!.perLabel.map((m) => ({ ...m, label: groupLabel(s.name, m.label) })));
  const mean = (pick: (m: LabelMetrics) => number): number => perLabel.reduce((sum, m) => sum + pick(m), 0) / perLabel.length;
  let allRight = 0;
  for (const image of scored) if (segments.every((s, g) => argmax(slice(s, image.probs)) === image.truths[g])) allRight++;
  return {
    labels,
    numTest: scored.length,
    accuracy: allRight / scored.length,
    macroF1: mean((m) => m.f1),
    macroPrecision: mean((m) => m.precision),
    macroRecall: mean((m) => m.recall),
    unknownRate: groups.reduce((sum, g) => sum + g.unknownRate, 0) / groups.length,
    perLabel,
    confusionMatrix,
    misclassified: segments
      .flatMap((s, g) => reports[g]!.misclassified.map((m) => ({ ...m, truth: groupLabel(s.name, m.truth), predicted: m.predicted === null ? null : groupLabel(s.name, m.predicted) })))
      .sort((a, b) => b.confidence - a.confidence || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0)),
    groups,
  };
}
