import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSkulensError } from '../../src/errors.js';
import { balancedClassWeights, headProbabilities, type MlpHead } from '../../src/train/index.js';

test('a logistic head gives softmax of its logits: W = [1, -1], x = 0.5 -> sigmoid(1)', () => {
  const p = headProbabilities({ kind: 'logistic', dim: 1, numClasses: 2, weights: Float32Array.of(1, -1), bias: Float32Array.of(0, 0) }, Float32Array.of(0.5));
  // logits [0.5, -0.5]; p0 = 1 / (1 + e^-1) = 0.7310586
  assert.ok(Math.abs(p[0]! - 0.7310586) < 1e-6);
  assert.ok(Math.abs(p[1]! - 0.2689414) < 1e-6);
});

test('an MLP head applies ReLU between its layers', () => {
  // Hidden pre-activations: [x, -x] + [0, 0] at x = 2 -> [2, -2] -> ReLU [2, 0].
  // Logits: w2 = [[1, 5], [0, 5]] -> [2, 0] (the 5s meet the zeroed unit); p0 = sigmoid(2) = 0.8807971.
  const head: MlpHead = { kind: 'mlp', dim: 1, hidden: 2, numClasses: 2, w1: Float32Array.of(1, -1), b1: Float32Array.of(0, 0), w2: Float32Array.of(1, 5, 0, 5), b2: Float32Array.of(0, 0) };
  assert.ok(Math.abs(headProbabilities(head, Float32Array.of(2))[0]! - 0.8807971) < 1e-6);
});

test('probabilities stay finite and sum to 1 for huge logits', () => {
  const p = headProbabilities({ kind: 'logistic', dim: 1, numClasses: 3, weights: Float32Array.of(1000, 999, -1000), bias: Float32Array.of(0, 0, 0) }, Float32Array.of(1));
  assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-6);
  assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(-1))) < 1e-6);
});

test('headProbabilities rejects an embedding of the wrong length', () => {
  const head = { kind: 'logistic', dim: 2, numClasses: 2, weights: new Float32Array(4), bias: new Float32Array(2) } as const;
  assert.throws(() => headProbabilities(head, Float32Array.of(1)), (error) => isSkulensError(error, 'ERR_ARGUMENT_INVALID'));
});

test('balancedClassWeights gives n / (k * count) and 0 for an empty class', () => {
  // n = 6, k = 4, counts [3, 1, 2, 0] -> [6/12, 6/4, 6/8, 0]
  assert.deepEqual(Array.from(balancedClassWeights([0, 0, 0, 1, 2, 2], 4)), [0.5, 1.5, 0.75, 0]);
});
