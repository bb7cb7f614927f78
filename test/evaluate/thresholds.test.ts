import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestF1Thresholds, evaluatePredictions, labelOperatingPoints, targetPrecisionThresholds } from '../../src/evaluate/index.js';
import { isSkulensError } from '../../src/errors.js';
import { binary, img, randomScored } from './helpers.js';

// Label 0 scores (truth): 0.875 (pos), 0.75 (neg), 0.625 (pos), 0.5 (pos), 0.25 (neg), 0.125 (neg); 3 positives.
//   threshold  TP FP  F1 = 2TP/(2TP+FP+FN)  precision
//   0.875       1  0   2/4 = 0.500          1
//   0.75        1  1   2/5 = 0.400          1/2
//   0.625       2  1   4/6 = 0.667          2/3
//   0.5         3  1   6/7 = 0.857  best    3/4
//   0.25        3  2   6/8 = 0.750          3/5
//   0.125       3  3   6/9 = 0.667          1/2
// Label 1 scores are 1 - p: 0.875 (pos), 0.75 (pos), 0.5 (neg), 0.375 (neg), 0.25 (pos), 0.125 (neg).
//   0.875: 1,0 -> 0.5; 0.75: 2,0 -> 0.8 best; 0.5: 2,1 -> 0.667; 0.375: 2,2 -> 0.571; 0.25: 3,2 -> 0.75; 0.125: 3,3 -> 0.667
const WORKED = binary([
  [0, 0.875],
  [1, 0.75],
  [0, 0.625],
  [0, 0.5],
  [1, 0.25],
  [1, 0.125],
]);

test('best-F1 thresholds pick the score with the highest one-vs-rest F1 per label', () => {
  assert.deepEqual(bestF1Thresholds(2, WORKED), [0.5, 0.75]);
});

test('best-F1 ties go to the higher threshold', () => {
  // Label 0: 0.875 pos -> F1 2/3; 0.75 neg -> 2/4; 0.5 neg -> 2/5; 0.25 pos -> 4/6 = 2/3 again.
  const scored = binary([
    [0, 0.875],
    [1, 0.75],
    [1, 0.5],
    [0, 0.25],
  ]);
  assert.equal(bestF1Thresholds(2, scored)[0], 0.875);
});

test('a label with no positive images gets the threshold 0.5', () => {
  const scored = [img('a', 0, [0.75, 0.125, 0.125]), img('b', 1, [0.25, 0.5, 0.25])];
  assert.equal(bestF1Thresholds(3, scored)[2], 0.5);
});

test('best-F1 thresholds match a brute-force search over every score', () => {
  const scored = randomScored(300, 5, 1.5, 7);
  const brute = Array.from({ length: 5 }, (_, k) => {
    let best = { f1: -1, t: 0.5 };
    for (const candidate of [...new Set(scored.map((s) => s.probs[k]!))].sort((a, b) => b - a)) {
      const f1 = evaluatePredictions(['a', 'b', 'c', 'd', 'e'], scored, [0, 1, 2, 3, 4].map((j) => (j === k ? candidate : 1))).perLabel[k]!.f1;
      if (f1 > best.f1 + 1e-12) best = { f1, t: candidate };
    }
    return best.t;
  });
  assert.deepEqual(bestF1Thresholds(5, scored), brute);
});

test('operating points merge equal scores into one threshold', () => {
  const points = labelOperatingPoints(0, binary([[0, 0.5], [1, 0.5], [0, 0.25]]));
  assert.deepEqual([...points.thresholds], [0.5, 0.25]);
  assert.deepEqual([...points.tp], [1, 2]);
  assert.deepEqual([...points.fp], [1, 1]);
  assert.equal(points.positives, 2);
});

test('target-precision thresholds are the lowest scores whose precision meets the target', () => {
  // Label 0 precision reaches 3/4 first going down at 0.5; label 1's lowest with precision >= 3/4 is 0.75.
  assert.deepEqual(targetPrecisionThresholds(2, WORKED, 0.75), [0.5, 0.75]);
  assert.deepEqual(targetPrecisionThresholds(2, WORKED, 0.8)[0], 0.875);
});

test('target-precision thresholds meet the target on the data they were fitted on', () => {
  const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
  const scored = randomScored(2000, labels.length, 2, 11);
  const thresholds = targetPrecisionThresholds(labels.length, scored, 0.9);
  for (const m of evaluatePredictions(labels, scored, thresholds).perLabel) {
    assert.ok(m.precision >= 0.9, `${m.label}: precision ${m.precision} at threshold ${m.threshold}`);
  }
});

test('a label that never reaches the target precision falls back to its best-F1 threshold', () => {
  // Label 0: 0.875 neg (precision 0), 0.5 pos (1/2), 0.25 neg (1/3); best F1 is 2/3 at 0.5.
  const scored = binary([
    [1, 0.875],
    [0, 0.5],
    [1, 0.25],
  ]);
  assert.equal(targetPrecisionThresholds(2, scored, 0.9)[0], bestF1Thresholds(2, scored)[0]);
  assert.equal(bestF1Thresholds(2, scored)[0], 0.5);
});

test('a target precision outside (0, 1] is rejected', () => {
  assert.throws(
    () => targetPrecisionThresholds(2, WORKED, 1.5),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'targetPrecision',
  );
});
