import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupedStratifiedFolds, selectC } from '../../src/train/index.js';

test('grouped folds keep every group inside one fold', () => {
  const y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1];
  const groups = [0, 0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7];
  const folds = groupedStratifiedFolds(y, groups, 3, 7);
  for (const g of new Set(groups)) {
    const inGroup = new Set(groups.flatMap((gg, i) => (gg === g ? [folds[i]] : [])));
    assert.equal(inGroup.size, 1, `group ${g} spans folds ${[...inGroup]}`);
  }
});

test('grouped folds are stratified: singleton groups spread each label evenly', () => {
  const y = Array.from({ length: 30 }, (_, i) => i % 3);
  const folds = groupedStratifiedFolds(y, y.map((_, i) => i), 3, 1);
  for (let f = 0; f < 3; f++) {
    for (let label = 0; label < 3; label++) {
      const count = y.filter((l, i) => l === label && folds[i] === f).length;
      assert.ok(count === 3 || count === 4, `fold ${f} holds ${count} of label ${label}; 10 split 3 ways gives 3 or 4`);
    }
  }
});

test('grouped folds are reproducible for a seed', () => {
  const y = Array.from({ length: 50 }, (_, i) => i % 5);
  const groups = y.map((_, i) => Math.floor(i / 2));
  assert.deepEqual(groupedStratifiedFolds(y, groups, 3, 11), groupedStratifiedFolds(y, groups, 3, 11));
});

test('selectC scores every C out of fold and prefers the smaller C on ties', () => {
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 24; i++) {
    X.push(Float32Array.of(i % 2 ? 1 : -1, ((i * 7) % 5) / 5));
    y.push(i % 2);
  }
  const folds = groupedStratifiedFolds(y, y.map((_, i) => i), 3, 1);
  const { best, scores } = selectC(X, y, 2, folds, [0.1, 1, 10]);
  assert.deepEqual(scores.map((s) => s.C), [0.1, 1, 10]);
  for (const s of scores) assert.equal(s.accuracy, 1); // perfectly separable by feature 0
  assert.equal(best, 0.1);
});
