// Attribute-group evaluation: one softmax per group over shared embeddings. Each group is scored as its
// own single-label problem (accuracy, macro-F1, confusion matrix); the combined report keeps the
// EvaluationReport shape over every `group:value` label (confusion matrix block-diagonal, accuracy = every
// group right), so the Rekognition summary stays valid.
import { NONE_VALUE, groupLabel } from '../labels/index.js';
import { evaluatePredictions, type EvaluationReport, type LabelMetrics } from './metrics.js';
import { argmax, comparable } from './scored.js';

/** Where a group's values sit in the combined probability vector. */
export interface GroupSegment {
  name: string;
  values: string[];
  /** Index of the group's first value in the combined label list. */
  offset: number;
}

/**
 * One scored image of a groups project: the true value index of each group (-1 for a value the version
 * never trained: that group is then wrong for this image), and the combined probabilities (a softmax per segment).
 */
export interface GroupScoredImage {
  readonly image: string;
  readonly truths: readonly number[];
  readonly probs: Float32Array;
  /** The photo's `group:value` labels the version never trained (behind each -1 in `truths`, or of a group it has not): the photo is never all right. */
  readonly untrained?: readonly string[];
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
  /** Of the images with a value in this group, the share answered with a value at the thresholds. */
  coverage: number;
  /** Of the values answered (the group's best value when it clears its threshold and is a value), the share that are right. */
  answeredPrecision: number;
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

/** The report of a group none of whose test photos has a trained value: every figure 0, every label untested. */
function nothingScored(values: readonly string[], thresholds: readonly number[]): EvaluationReport {
  const perLabel = values.map((label, k) => ({ label, support: 0, threshold: thresholds[k]!, precision: 0, recall: 0, f1: 0 }));
  const zeros = { numTest: 0, accuracy: 0, macroF1: 0, macroPrecision: 0, macroRecall: 0, unknownRate: 0, coverage: 0, answeredPrecision: 0 };
  return { labels: [...values], ...zeros, untested: [...values], perLabel, confusionMatrix: values.map(() => values.map(() => 0)), misclassified: [] };
}

/** Answered and right counts of one group under the serving rule (decideGroups): its best value, when it clears its threshold and is a value. */
function answers(s: GroupSegment, g: number, scored: readonly GroupScoredImage[], cut: readonly number[]): { valued: number; covered: number; answered: number; right: number } {
  const none = s.values.indexOf(NONE_VALUE);
  let valued = 0;
  let covered = 0;
  let answered = 0;
  let right = 0;
  for (const image of scored) {
    const probs = image.probs.subarray(s.offset, s.offset + s.values.length);
    const best = argmax(probs);
    const truth = image.truths[g]!;
    const answer = best !== none && probs[best]! >= cut[s.offset + best]!;
    if (truth !== none) valued++;
    if (!answer) continue;
    answered++;
    if (truth !== none) covered++;
    if (best === truth) right++;
  }
  return { valued, covered, answered, right };
}

/**
 * Evaluates every group at its values' thresholds (`thresholds` in combined label order). An image whose
 * value in a group was never trained (truth -1) counts as wrong in that group and in the all-groups accuracy.
 */
export function evaluateGroups(segments: readonly GroupSegment[], scored: readonly GroupScoredImage[], thresholds: readonly number[]): GroupsReport {
  const slice = (s: GroupSegment, probs: Float32Array): Float32Array => probs.subarray(s.offset, s.offset + s.values.length);
  const cut = thresholds.map(comparable);
  const reports = segments.map((s, g) => {
    const known = scored.filter((image) => image.truths[g]! >= 0).map((image) => ({ image: image.image, truth: image.truths[g]!, probs: slice(s, image.probs) }));
    const cuts = thresholds.slice(s.offset, s.offset + s.values.length);
    // Every test photo's value of this group never trained: nothing to score per value, all of them wrong.
    return known.length > 0 ? evaluatePredictions(s.values, known, cuts) : nothingScored(s.values, cuts);
  });
  const counts = segments.map((s, g) => answers(s, g, scored, cut));
  const groups = segments.map((s, g): GroupEvaluation => {
    const report = reports[g]!;
    const none = s.values.indexOf(NONE_VALUE);
    const present = scored.filter((image) => image.truths[g] !== none);
    const presentRight = present.filter((image) => argmax(slice(s, image.probs)) === image.truths[g]).length;
    const c = counts[g]!;
    return {
      group: s.name,
      values: s.values,
      numTest: scored.length,
      accuracy: (report.accuracy * report.numTest) / scored.length,
      accuracyPresent: present.length === 0 ? 0 : presentRight / present.length,
      imagesPresent: present.length,
      macroF1: report.macroF1,
      unknownRate: report.unknownRate,
      coverage: c.valued === 0 ? 0 : c.covered / c.valued,
      answeredPrecision: c.answered === 0 ? 0 : c.right / c.answered,
      perLabel: report.perLabel,
      confusionMatrix: report.confusionMatrix,
    };
  });
  const labels = segments.flatMap((s) => s.values.map((v) => groupLabel(s.name, v)));
  const K = labels.length;
  const confusionMatrix = labels.map(() => new Array<number>(K).fill(0));
  segments.forEach((s, g) => reports[g]!.confusionMatrix.forEach((row, t) => row.forEach((n, p) => (confusionMatrix[s.offset + t]![s.offset + p] = n))));
  const perLabel = segments.flatMap((s, g) => reports[g]!.perLabel.map((m) => ({ ...m, label: groupLabel(s.name, m.label) })));
  const tested = perLabel.filter((m) => m.support > 0);
  const mean = (pick: (m: LabelMetrics) => number): number => (tested.length === 0 ? 0 : tested.reduce((sum, m) => sum + pick(m), 0) / tested.length);
  const total = (pick: (c: (typeof counts)[number]) => number): number => counts.reduce((sum, c) => sum + pick(c), 0);
  let allRight = 0;
  // A photo with a label never trained (a value, or a whole group) is never all right: the answer misses it.
  for (const image of scored) if ((image.untrained ?? []).length === 0 && segments.every((s, g) => argmax(slice(s, image.probs)) === image.truths[g])) allRight++;
  const untrained = [...new Set(scored.flatMap((image) => image.untrained ?? []))].sort();
  return {
    labels,
    numTest: scored.length,
    accuracy: allRight / scored.length,
    macroF1: mean((m) => m.f1),
    macroPrecision: mean((m) => m.precision),
    macroRecall: mean((m) => m.recall),
    unknownRate: groups.reduce((sum, g) => sum + g.unknownRate, 0) / groups.length,
    coverage: total((c) => c.valued) === 0 ? 0 : total((c) => c.covered) / total((c) => c.valued),
    answeredPrecision: total((c) => c.answered) === 0 ? 0 : total((c) => c.right) / total((c) => c.answered),
    untested: tested.length === perLabel.length ? [] : perLabel.filter((m) => m.support === 0).map((m) => m.label),
    ...(untrained.length > 0 ? { untrained: { labels: untrained, testImages: scored.filter((image) => (image.untrained ?? []).length > 0).length, counted: true } } : {}),
    perLabel,
    confusionMatrix,
    misclassified: segments
      .flatMap((s, g) => reports[g]!.misclassified.map((m) => ({ ...m, truth: groupLabel(s.name, m.truth), predicted: m.predicted === null ? null : groupLabel(s.name, m.predicted) })))
      .sort((a, b) => b.confidence - a.confidence || (a.image < b.image ? -1 : a.image > b.image ? 1 : 0)),
    groups,
  };
}
