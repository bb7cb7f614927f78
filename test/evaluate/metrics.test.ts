import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePredictions } from '../../src/evaluate/index.js';
import { isSkulensError } from '../../src/errors.js';
import { HAND_WORKED, LABELS, THRESHOLDS, assertClose, img } from './helpers.js';

// Worked by hand from HAND_WORKED at thresholds 0.5 (a label is "positive" when prob >= 0.5):
//   argmax confusion (rows truth, cols predicted)   shirt shoe hat
//     shirt (1, 2, 3)                                  2     1   0
//     shoe  (4)                                        0     1   0
//     hat   (5, 6, 7)                                  1     1   1      accuracy = 4/7
//   shirt: predicted on 1, 3, 6 -> TP 2, FP 1, FN 1 -> P 2/3, R 2/3, F1 2/3
//   shoe:  predicted on 2, 4    -> TP 1, FP 1, FN 0 -> P 1/2, R 1,   F1 2/3
//   hat:   predicted on 7       -> TP 1, FP 0, FN 2 -> P 1,   R 1/3, F1 1/2
//   macro P = (2/3 + 1/2 + 1)/3 = 13/18, macro R = (2/3 + 1 + 1/3)/3 = 2/3, macro F1 = (2/3 + 2/3 + 1/2)/3 = 11/18
//   unknown: only image 5 passes no threshold -> 1/7
const report = evaluatePredictions(LABELS, HAND_WORKED, THRESHOLDS);

test('the confusion matrix counts argmax predictions per true label', () => {
  assert.deepEqual(report.confusionMatrix, [
    [2, 1, 0],
    [0, 1, 0],
    [1, 1, 1],
  ]);
});

test('coverage is the share of images that get a label at the thresholds, answered precision the share of those labels that are right', () => {
  // Images 1-4, 6, 7 get one label each (5 gets none); right: 1 shirt, 3 shirt, 4 shoe, 7 hat.
  assertClose(report.coverage, 6 / 7);
  assertClose(report.answeredPrecision, 4 / 6);
});

test('a label without test images is listed untested and left out of the macro averages', () => {
  const r = evaluatePredictions([...LABELS, 'sock'], HAND_WORKED.map((s) => img(s.image, s.truth, [...s.probs, 0])), [...THRESHOLDS, 0.5]);
  assert.deepEqual(r.untested, ['sock']);
  assertClose([r.macroPrecision, r.macroRecall, r.macroF1], [13 / 18, 2 / 3, 11 / 18]);
});

test('accuracy is the share of argmax predictions that match the truth', () => {
  assert.equal(report.numTest, 7);
  assertClose(report.accuracy, 4 / 7);
});

test('per-label precision, recall and F1 are one-vs-rest at each label threshold', () => {
  assertClose(report.perLabel, [
    { label: 'shirt', support: 3, threshold: 0.5, precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 },
    { label: 'shoe', support: 1, threshold: 0.5, precision: 1 / 2, recall: 1, f1: 2 / 3 },
    { label: 'hat', support: 3, threshold: 0.5, precision: 1, recall: 1 / 3, f1: 1 / 2 },
  ]);
});

test('macro averages are unweighted means over the labels', () => {
  assertClose(report.macroPrecision, 13 / 18);
  assertClose(report.macroRecall, 2 / 3);
  assertClose(report.macroF1, 11 / 18);
});

test('the unknown rate counts images for which no label reaches its threshold', () => {
  assertClose(report.unknownRate, 1 / 7);
});

test('misclassified images are sorted by confidence and name null when the answer would be unknown', () => {
  assertClose(report.misclassified, [
    { image: '6.jpg', truth: 'hat', predicted: 'shirt', confidence: 62.5 },
    { image: '2.jpg', truth: 'shirt', predicted: 'shoe', confidence: 50 },
    { image: '5.jpg', truth: 'hat', predicted: null, confidence: 43.75 },
  ]);
});

test('a label that is never predicted has precision 0 and F1 0', () => {
  const r = evaluatePredictions(['a', 'b'], [img('x', 0, [0.75, 0.25]), img('y', 1, [0.75, 0.25])], [0.5, 0.5]);
  assert.deepEqual(r.perLabel[1], { label: 'b', support: 1, threshold: 0.5, precision: 0, recall: 0, f1: 0 });
});

test('a threshold of 0.7 accepts a probability stored as float32 0.7', () => {
  const r = evaluatePredictions(['a', 'b'], [img('x', 0, [0.7, 0.3])], [0.7, 0.7]);
  assert.equal(r.perLabel[0]!.recall, 1);
  assert.equal(r.unknownRate, 0);
});

test('evaluation rejects probabilities whose length differs from the labels', () => {
  assert.throws(
    () => evaluatePredictions(LABELS, [img('x', 0, [0.5, 0.5])], THRESHOLDS),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'scored[0].probs',
  );
});

test('evaluation rejects a truth index outside the labels', () => {
  assert.throws(
    () => evaluatePredictions(LABELS, [img('x', 3, [0.5, 0.25, 0.25])], THRESHOLDS),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'scored[0].truth',
  );
});

test('evaluation rejects an empty test set', () => {
  assert.throws(() => evaluatePredictions(LABELS, [], THRESHOLDS), (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID'));
});

test('evaluation rejects a threshold count that differs from the labels', () => {
  assert.throws(
    () => evaluatePredictions(LABELS, HAND_WORKED, [0.5, 0.5]),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'thresholds',
  );
});
