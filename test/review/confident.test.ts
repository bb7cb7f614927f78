// The confident joint on out-of-fold probabilities checked by hand: thresholds t0 = (0.9+0.7+0.1)/3,
// t1 = (0.8+0.7+0.3)/3 = 0.6, t2 = (0.8+0.9+0.1)/3 = 0.6.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confidentJoint, perLabelThresholds, type OutOfFoldPhoto } from '../../src/review/index.js';

const PHOTOS: OutOfFoldPhoto[] = [
  { id: 'a', given: 0, probs: [0.9, 0.05, 0.05] },
  { id: 'b', given: 0, probs: [0.7, 0.2, 0.1] },
  { id: 'c', given: 0, probs: [0.1, 0.8, 0.1] }, // clears t1 (0.8 >= 0.6): given 0, suspected 1, self 0.1
  { id: 'd', given: 1, probs: [0.1, 0.8, 0.1] },
  { id: 'e', given: 1, probs: [0.2, 0.7, 0.1] },
  { id: 'f', given: 1, probs: [0.6, 0.3, 0.1] }, // clears t0 (0.6 >= 0.567) only: given 1, suspected 0, self 0.3
  { id: 'g', given: 2, probs: [0.1, 0.1, 0.8] },
  { id: 'h', given: 2, probs: [0.05, 0.05, 0.9] },
  { id: 'i', given: 2, probs: [0.25, 0.65, 0.1] }, // clears t1: given 2, suspected 1, self 0.1 (margin 0.55 < c's 0.7)
];

test('per-label thresholds are the mean probability of each label over the photos given it', () => {
  const t = perLabelThresholds(PHOTOS, 3);
  assert.ok(Math.abs(t[0]! - 1.7 / 3) < 1e-12);
  assert.ok(Math.abs(t[1]! - 0.6) < 1e-12);
  assert.ok(Math.abs(t[2]! - 0.6) < 1e-12);
});

test('the confident joint counts each photo in the cell of the label it clears most, and ranks the off-diagonal by self-confidence', () => {
  const { counts, suspects } = confidentJoint(PHOTOS, 3);
  assert.deepEqual(counts, [
    [2, 1, 0],
    [1, 2, 0],
    [0, 1, 2],
  ]);
  // c and i tie on self-confidence 0.1; c's suggested label leads by more (0.7 vs 0.55), so c comes first.
  assert.deepEqual(
    suspects.map((s) => [s.id, s.given, s.suggested]),
    [
      ['c', 0, 1],
      ['i', 2, 1],
      ['f', 1, 0],
    ],
  );
  assert.equal(suspects[2]!.selfConfidence, 0.3);
});

test('a photo clearing no threshold is in no cell, and a label no photo has never passes', () => {
  const { counts, suspects, thresholds } = confidentJoint([{ id: 'x', given: 0, probs: [0.3, 0.3, 0.4] }, { id: 'y', given: 0, probs: [0.5, 0.2, 0.3] }], 3);
  assert.ok(Number.isNaN(thresholds[1]!));
  // t0 = 0.4: x (0.3) clears nothing; y (0.5) stays on the diagonal.
  assert.deepEqual(counts[0], [1, 0, 0]);
  assert.deepEqual(suspects, []);
});
