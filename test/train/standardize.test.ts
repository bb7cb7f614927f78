import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitStandardizer, foldStandardizer, headProbabilities, standardize, trainHead, type LogisticHead } from '../../src/train/index.js';

test('the standardiser computes per-feature mean and inverse population std', () => {
  const s = fitStandardizer([Float32Array.of(1, 10), Float32Array.of(3, 10)]);
  assert.deepEqual([...s.mean], [2, 10]);
  assert.equal(s.invStd[0], 1); // std of {1, 3} is 1
  assert.equal(s.invStd[1], 1e6); // a constant feature gets the floor, not a division by zero
  assert.deepEqual([...standardize(Float32Array.of(4, 10), s)], [2, 0]);
});

test('folding the standardiser into a logistic head gives the same logits on raw inputs', () => {
  const s = fitStandardizer([Float32Array.of(0, 2), Float32Array.of(2, 6)]); // mean [1,4], std [1,2]
  const head: LogisticHead = { kind: 'logistic', dim: 2, numClasses: 2, weights: Float32Array.of(1, 2, -1, 0), bias: Float32Array.of(0.5, 0) };
  const folded = foldStandardizer(head, s) as LogisticHead;
  // By hand: W' = [1, 1; -1, 0], b' = [0.5 - (1*1 + 1*4), 0 - (-1*1)] = [-4.5, 1]
  assert.deepEqual([...folded.weights], [1, 1, -1, 0]);
  assert.deepEqual([...folded.bias], [-4.5, 1]);
  const x = Float32Array.of(3, 1);
  const expected = headProbabilities(head, standardize(x, s));
  const actual = headProbabilities(folded, x);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(expected[i]! - actual[i]!) < 1e-6);
});

test('a head trained with standardize takes raw inputs and separates features of very different scales', () => {
  // Feature 0 carries the signal at a tiny scale; feature 1 is large noise.
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const label = i % 2;
    X.push(Float32Array.of(label ? 0.001 : -0.001, 100 + ((i * 37) % 11)));
    y.push(label);
  }
  const head = trainHead(X, y, 2, { C: 1, standardize: true });
  const correct = X.filter((x, i) => {
    const p = headProbabilities(head, x);
    return (p[1]! > p[0]! ? 1 : 0) === y[i];
  }).length;
  assert.equal(correct, 40);
});
