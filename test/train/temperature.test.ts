import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSWER_PROBABILITY, calibrateSoftmax, fitTemperature, headProbabilities, softmax, temperatureScaled, type LogisticHead } from '../../src/train/index.js';

// 1,000 two-class rows with the logit gap ln 9 (softmax 0.9 on the top class), 800 of them right: the
// likelihood is largest where the top class gets 0.8, i.e. ln 9 / T = ln 4, T = ln 9 / ln 4 = 1.585.
const rows = Array.from({ length: 1000 }, () => Float64Array.of(Math.log(9), 0));
const truths = Array.from({ length: 1000 }, (_, i) => (i < 800 ? 0 : 1));

test('the fitted temperature makes the top probability the share of rows that are right', () => {
  const T = fitTemperature(rows, truths);
  assert.ok(Math.abs(T - Math.log(9) / Math.log(4)) < 5e-3, `T = ${T}`);
  assert.ok(Math.abs(softmax(Float64Array.from(rows[0]!, (z) => z / T))[0]! - 0.8) < 1e-3);
});

test('an over-sure held-out set sharpens (T below 1), a tiny one stays near 1', () => {
  const right = Array.from({ length: 200 }, () => 0);
  assert.ok(fitTemperature(rows.slice(0, 200), right) < 0.5);
  assert.ok(Math.abs(fitTemperature([Float64Array.of(1, 0)], [0]) - 1) < 0.7, 'one photo cannot move T far from 1');
  assert.equal(fitTemperature([], []), 1);
});

test('the scaled head serves softmax(z / T) with the same argmax, and every label answers at 0.5', () => {
  const head: LogisticHead = { kind: 'logistic', dim: 2, numClasses: 3, weights: Float32Array.of(1, 0, 0, 1, 0.5, 0.5), bias: Float32Array.of(0, 0.2, -0.1) };
  const x = Float32Array.of(0.8, 0.3);
  const T = 0.42;
  const logits = [0.8, 0.3 + 0.2, 0.55 - 0.1];
  const expected = softmax(Float64Array.from(logits, (z) => z / T));
  const served = headProbabilities(temperatureScaled(head, T), x);
  served.forEach((p, k) => assert.ok(Math.abs(p - expected[k]!) < 1e-6, `label ${k}: ${p} vs ${expected[k]}`));
  assert.equal(served.indexOf(Math.max(...served)), 0);
  assert.deepEqual(calibrateSoftmax(rows, truths, 2).thresholds, [ANSWER_PROBABILITY, ANSWER_PROBABILITY]);
});
