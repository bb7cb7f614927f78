import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBalance, imbalanceRatio, planBalance } from '../../src/train/index.js';

// 6 images of class 0, 3 of class 1, 1 of class 2.
const y = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);

function countsOf(indices: Int32Array): number[] {
  const counts = [0, 0, 0];
  for (const i of indices) counts[y[i]!]! += 1;
  return counts;
}

test('oversampling tops every class up to the largest class count', () => {
  const plan = planBalance('oversample', y, 3, 1);
  assert.deepEqual(countsOf(plan.indices), [6, 6, 6]);
  assert.equal(plan.classWeights, null);
  // Every original image is kept.
  for (let i = 0; i < y.length; i++) assert.ok(plan.indices.includes(i));
});

test('undersampling cuts every class down to the smallest class count', () => {
  const plan = planBalance('undersample', y, 3, 1);
  assert.deepEqual(countsOf(plan.indices), [1, 1, 1]);
});

test('weights keep every image once and weigh classes n / (K * count)', () => {
  const plan = planBalance('weights', y, 3, 1);
  assert.deepEqual(countsOf(plan.indices), [6, 3, 1]);
  assert.deepEqual(Array.from(plan.classWeights!, (w) => Number(w.toFixed(4))), [0.5556, 1.1111, 3.3333]);
});

test('none keeps every image once, unweighted', () => {
  const plan = planBalance('none', y, 3, 1);
  assert.deepEqual(countsOf(plan.indices), [6, 3, 1]);
  assert.equal(plan.classWeights, null);
});

test('the same seed draws the same oversampled rows', () => {
  assert.deepEqual(planBalance('oversample', y, 3, 5).indices, planBalance('oversample', y, 3, 5).indices);
});

test('auto leaves near-balanced classes alone and says why', () => {
  const balanced = Int32Array.from([0, 0, 0, 1, 1, 1, 1]);
  assert.equal(imbalanceRatio(balanced, 2), 4 / 3);
  const choice = chooseBalance(balanced, 2, 'logistic');
  assert.equal(choice.strategy, 'none');
  assert.match(choice.reason, /1\.33/);
});

test('auto picks weights for the logistic head and oversampling for the MLP on imbalanced classes', () => {
  assert.equal(chooseBalance(y, 3, 'logistic').strategy, 'weights');
  assert.equal(chooseBalance(y, 3, 'mlp').strategy, 'oversample');
  assert.match(planBalance('auto', y, 3, 1).reason, /imbalance ratio 6\.00/);
});
