import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupedProbabilities, headProbabilities, sigmoidProbabilities, stackGroupHeads, trainHead, trainMultiLabelHead, type Head } from '../../src/train/index.js';

const close = (actual: number, expected: number, tolerance: number): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
const v = (...values: number[]): Float32Array => Float32Array.from(values);

test('a sigmoid head reads each label on its own: sigmoid(w.x + b) per label, checked by hand', () => {
  const head: Head = { kind: 'logistic', dim: 2, numClasses: 2, weights: v(1, 0, 0, -2), bias: v(0, 1) };
  const p = sigmoidProbabilities(head, v(2, 0.5));
  close(p[0]!, 1 / (1 + Math.exp(-2)), 1e-6); // 0.8808
  close(p[1]!, 0.5, 1e-6); // -2 * 0.5 + 1 = 0
});

test('the multi-label head on synthetic embeddings reaches the hand-computed logistic solution of each label', () => {
  // One feature; label 0 is on for x > 0, label 1 on every image. With C large the weight of label 0 grows
  // until the data are separated, so its probability is near 1 for x = 2 and near 0 for x = -2; label 1
  // (always on, bias only) tends to 1 everywhere.
  const X = [v(-2), v(-1), v(1), v(2)];
  const Y = [[1], [1], [0, 1], [0, 1]];
  const head = trainMultiLabelHead(X, Y, 2, { C: 100, standardize: false, maxIterations: 500, tolerance: 1e-8 });
  assert.ok(sigmoidProbabilities(head, v(2))[0]! > 0.95);
  assert.ok(sigmoidProbabilities(head, v(-2))[0]! < 0.05);
  assert.ok(sigmoidProbabilities(head, v(0))[1]! > 0.9);
  // Symmetric data: the decision point of label 0 is x = 0 (bias 0 up to the solver's tolerance).
  close(sigmoidProbabilities(head, v(0))[0]!, 0.5, 1e-3);
});

test('with strong L2 (small C) the sigmoid weight is the hand-computed one: w = C * sum_i x_i (y_i - 1/2) at w = 0, b = 0', () => {
  // For tiny C the optimum is w ~ C * sum_i x_i (y_i - sigmoid(0)) with b fitted free; on balanced,
  // symmetric data b = 0 and sum_i x_i (y_i - 0.5) = 0.5 * (1 + 2 + 1 + 2) = 3, so w ~ 3C.
  const X = [v(-2), v(-1), v(1), v(2)];
  const Y = [[], [], [0], [0]];
  const C = 1e-3;
  const head = trainMultiLabelHead(X, Y, 1, { C, standardize: false, maxIterations: 200, tolerance: 1e-10 });
  assert.equal(head.kind, 'logistic');
  if (head.kind !== 'logistic') return;
  close(head.weights[0]!, 3 * C, 3e-5);
  close(head.bias[0]!, 0, 1e-5);
});

test('stacked logistic group heads give each group exactly its own softmax', () => {
  const X = [v(1, 0), v(0, 1), v(1, 1), v(0, 0), v(2, 1), v(1, 2)];
  const colour = trainHead(X, [0, 1, 0, 1, 0, 1], 2, { C: 1 });
  const size = trainHead(X, [0, 1, 2, 0, 1, 2], 3, { C: 1 });
  const stacked = stackGroupHeads([colour, size]);
  assert.equal(stacked.numClasses, 5);
  for (const x of X) {
    const p = groupedProbabilities(stacked, x, [2, 3]);
    headProbabilities(colour, x).forEach((q, k) => close(p[k]!, q, 1e-6));
    headProbabilities(size, x).forEach((q, k) => close(p[2 + k]!, q, 1e-6));
    close(p[0]! + p[1]!, 1, 1e-6);
    close(p[2]! + p[3]! + p[4]!, 1, 1e-6);
  }
});

test('stacked MLP group heads keep each group its own hidden units (block-diagonal output layer)', () => {
  const X = [v(1, 0), v(0, 1), v(1, 1), v(0, 0), v(2, 1), v(1, 2)];
  const a = trainHead(X, [0, 1, 0, 1, 0, 1], 2, { kind: 'mlp', hidden: 4, epochs: 3, seed: 1 });
  const b = trainHead(X, [0, 1, 2, 0, 1, 2], 3, { kind: 'mlp', hidden: 5, epochs: 3, seed: 2 });
  const stacked = stackGroupHeads([a, b]);
  assert.equal(stacked.kind, 'mlp');
  if (stacked.kind === 'mlp') assert.equal(stacked.hidden, 9);
  for (const x of X) {
    const p = groupedProbabilities(stacked, x, [2, 3]);
    headProbabilities(a, x).forEach((q, k) => close(p[k]!, q, 1e-6));
    headProbabilities(b, x).forEach((q, k) => close(p[2 + k]!, q, 1e-6));
  }
  assert.throws(() => stackGroupHeads([a, trainHead(X, [0, 1, 0, 1, 0, 1], 2)]), { code: 'ERR_TRAINING_INVALID' });
  assert.throws(() => groupedProbabilities(stacked, X[0]!, [2, 2]), { code: 'ERR_ARTEFACT_CORRUPT' });
});
