import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decideLabels,
  decideWithTaxonomy,
  evaluateGroups,
  evaluateHierarchy,
  evaluateMultiLabel,
  groupSegments,
  multiLabelThresholds,
  formatReport,
  toRekognitionSummary,
  RekognitionEvaluationSummarySchema,
} from '../../src/evaluate/index.js';
import type { Taxonomy } from '../../src/labels/index.js';

const close = (actual: number, expected: number, tolerance = 1e-5): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);
const f32 = (...values: number[]): Float32Array => Float32Array.from(values);

// A1 and A2 under A (Packages); B1 under B (Fruit).
const LABELS = ['A1', 'A2', 'B1'];
const TAXONOMY: Taxonomy = { levels: ['fine', 'coarse', 'category'], parents: { A1: ['A', 'Packages'], A2: ['A', 'Packages'], B1: ['B', 'Fruit'] } };
const THRESHOLDS = [0.6, 0.6, 0.5];

test('an uncertain label falls back to its parent: both children are below 0.6, their sum 0.85 clears the parent', () => {
  const answer = decideWithTaxonomy(LABELS, f32(0.45, 0.4, 0.15), THRESHOLDS, TAXONOMY);
  assert.equal(answer.length, 1);
  assert.equal(answer[0]!.Name, 'A');
  close(answer[0]!.Confidence, 85, 1e-4);
  assert.deepEqual(answer[0]!.Parents, [{ Name: 'Packages' }]);
  // Flat, the same probabilities are "not in the catalogue".
  assert.deepEqual(decideLabels(LABELS, f32(0.45, 0.4, 0.15), THRESHOLDS), []);
});

test('a sure label is answered itself, with its parents nearest first as DetectLabels does', () => {
  const [answer] = decideWithTaxonomy(LABELS, f32(0.7, 0.2, 0.1), THRESHOLDS, TAXONOMY);
  assert.equal(answer!.Name, 'A1');
  close(answer!.Confidence, 70, 1e-4);
  assert.deepEqual(answer!.Parents, [{ Name: 'A' }, { Name: 'Packages' }]);
});

test('no level clearing its threshold is unknown; MinConfidence replaces every threshold at every level', () => {
  assert.deepEqual(decideWithTaxonomy(LABELS, f32(0.3, 0.25, 0.45), THRESHOLDS, TAXONOMY), []);
  const [answer] = decideWithTaxonomy(LABELS, f32(0.3, 0.25, 0.45), THRESHOLDS, TAXONOMY, { minConfidence: 50 });
  assert.equal(answer!.Name, 'A');
  close(answer!.Confidence, 55, 1e-4);
});

const SCORED = [
  { image: '1', truth: 0, probs: f32(0.7, 0.2, 0.1) },
  { image: '2', truth: 1, probs: f32(0.45, 0.4, 0.15) },
  { image: '3', truth: 2, probs: f32(0.3, 0.25, 0.45) },
  { image: '4', truth: 2, probs: f32(0.1, 0.1, 0.8) },
];

test('accuracy at every level and the fallback at the version thresholds match the hand count', () => {
  const report = evaluateHierarchy(LABELS, SCORED, THRESHOLDS, TAXONOMY);
  assert.deepEqual(
    report.levels.map((l) => [l.level, l.nodes, l.images, l.accuracy]),
    [
      ['fine', 3, 4, 0.75],
      ['coarse', 2, 4, 0.75],
      ['category', 2, 4, 0.75],
    ],
  );
  const own = report.fallback.own;
  assert.equal(own.targetPrecision, null);
  assert.equal(own.labelCoverage, 0.5);
  assert.equal(own.labelPrecision, 1);
  assert.equal(own.parentCoverage, 0.25);
  assert.equal(own.parentPrecision, 1);
  assert.equal(own.unknown, 0.25);
  assert.deepEqual(own.byLevel.map((l) => [l.level, l.answered]), [['fine', 0.5], ['coarse', 0.25], ['category', 0]]);
  // Thresholds fitted for 95% precision on these images (A1 0.7, A2 0.4, B1 0.45) answer every one with its label.
  const p95 = report.fallback.targets.find((t) => t.targetPrecision === 0.95)!;
  assert.equal(p95.labelCoverage, 1);
  assert.equal(p95.labelPrecision, 1);
  assert.equal(report.fallback.calibratedOn, 'test');
});

test('per group: accuracy, accuracy where the group has a value, macro-F1 and the confusion matrix match the hand count', () => {
  const segments = groupSegments([{ name: 'colour', values: ['red', 'blue'] }, { name: 'size', values: ['S', 'L', '(none)'] }]);
  const report = evaluateGroups(
    segments,
    [
      { image: '1', truths: [0, 0], probs: f32(0.9, 0.1, 0.8, 0.1, 0.1) },
      { image: '2', truths: [1, 2], probs: f32(0.3, 0.7, 0.2, 0.2, 0.6) },
      { image: '3', truths: [1, 1], probs: f32(0.6, 0.4, 0.3, 0.6, 0.1) },
    ],
    [0.5, 0.5, 0.5, 0.5, 0.5],
  );
  const [colour, size] = report.groups;
  close(colour!.accuracy, 2 / 3);
  assert.deepEqual(colour!.confusionMatrix, [[1, 0], [1, 1]]);
  close(colour!.macroF1, 2 / 3);
  assert.equal(size!.accuracy, 1);
  assert.equal(size!.accuracyPresent, 1);
  assert.equal(size!.imagesPresent, 2);
  close(report.accuracy, 2 / 3);
  assert.deepEqual(report.labels, ['colour:red', 'colour:blue', 'size:S', 'size:L', 'size:(none)']);
  assert.equal(report.confusionMatrix[1]![0], 1, 'block-diagonal: colour confusions sit in the colour block');
  const summary = toRekognitionSummary(report, { projectVersionArn: 'arn:x', evaluationEndTimestamp: new Date(0), numberOfTrainingImages: 9 }) as Record<string, unknown>;
  RekognitionEvaluationSummarySchema.parse(summary);
  const groups = summary.GroupEvaluationResults as { Group: string; Accuracy: number }[];
  assert.deepEqual(groups.map((g) => g.Group), ['colour', 'size']);
  assert.match(formatReport(report), /colour\s+2\s+0\.667\s+0\.667 \(3\)\s+0\.667/);
});

test('multi-label: per-label, micro and macro P/R/F1, exact match and Hamming loss match the hand count', () => {
  const scored = [
    { image: '1', truths: [0, 1], probs: f32(0.9, 0.6, 0.2) },
    { image: '2', truths: [2], probs: f32(0.7, 0.1, 0.4) },
    { image: '3', truths: [0, 2], probs: f32(0.8, 0.3, 0.9) },
  ];
  const report = evaluateMultiLabel(['a', 'b', 'c'], scored, [0.5, 0.5, 0.5]);
  close(report.perLabel[0]!.precision, 2 / 3);
  close(report.perLabel[0]!.f1, 0.8);
  close(report.perLabel[2]!.recall, 0.5);
  close(report.multiLabel.micro.precision, 0.8);
  close(report.multiLabel.micro.f1, 0.8);
  close(report.multiLabel.macro.f1, (0.8 + 1 + 2 / 3) / 3);
  close(report.multiLabel.exactMatch, 2 / 3);
  close(report.multiLabel.hammingLoss, 2 / 9);
  assert.equal(report.misclassified[0]!.truth, 'c');
  assert.equal(report.misclassified[0]!.predicted, 'a');
  // Best F1 per label: a is perfect from 0.8 up (its negative scores 0.7).
  close(multiLabelThresholds(3, scored)[0]!, 0.8);
  const summary = toRekognitionSummary(report, { projectVersionArn: 'arn:x', evaluationEndTimestamp: new Date(0), numberOfTrainingImages: 9 }) as Record<string, unknown>;
  RekognitionEvaluationSummarySchema.parse(summary);
  assert.deepEqual((summary.AggregatedEvaluationResults as { ConfusionMatrix: unknown[] }).ConfusionMatrix, []);
  close((summary.MultiLabelEvaluationResults as { Micro: { F1Score: number } }).Micro.F1Score, 0.8);
});
