// The blocked kernels (four input rows at a time) give bit-for-bit what four single-row calls give, so
// the logistic head trains to the same weights however the samples are grouped; and the logistic
// objective with zero-weight samples and a ragged last block equals a one-sample-at-a-time sum.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addOuterRows, addOuterRows4, logSumExp, rowDots, rowDots4 } from '../../src/train/kernels.js';
import { logisticObjective } from '../../src/train/logistic.js';
import { mulberry32, normalSample } from '../../src/train/index.js';

const random = mulberry32(21);
const floats = (n: number): Float32Array => Float32Array.from({ length: n }, () => normalSample(random));
const doubles = (n: number): Float64Array => Float64Array.from({ length: n }, () => normalSample(random));

test('rowDots4 and addOuterRows4 equal four rowDots and addOuterRows calls exactly, for odd and even row counts', () => {
  for (const [dim, rows] of [[13, 7], [64, 10], [5, 1]] as const) {
    const X = floats(6 * dim);
    const W = doubles(rows * dim + 3);
    const offsets = [0, 3 * dim, dim, 5 * dim] as const;
    const blocked = new Float64Array(4 * rows);
    rowDots4(X, ...offsets, dim, rows, W, 3, blocked);
    const single = new Float64Array(rows);
    offsets.forEach((offset, s) => {
      rowDots(X, offset, dim, rows, W, 3, single);
      assert.deepEqual(blocked.subarray(s * rows, (s + 1) * rows), single);
    });
    const coefficients = doubles(4 * rows);
    const G1 = doubles(rows * dim);
    const G2 = Float64Array.from(G1);
    addOuterRows4(X, ...offsets, dim, rows, coefficients, G1, 0);
    offsets.forEach((offset, s) => addOuterRows(X, offset, dim, rows, coefficients.subarray(s * rows, (s + 1) * rows), G2, 0));
    assert.deepEqual(G1, G2);
  }
});

test('the logistic objective equals the per-sample sum, with zero-weight samples and a last block of three', () => {
  const n = 11;
  const dim = 6;
  const K = 5;
  const X = floats(n * dim);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 3) % K);
  const weights = Float64Array.from({ length: n }, (_, i) => (i === 2 || i === 7 ? 0 : 0.5 + i / 10));
  const params = doubles(K * dim + K);
  const gradient = new Float64Array(params.length);
  const value = logisticObjective({ X, n, dim, numClasses: K, labels, weights, C: 0.7 }, params, gradient);
  let expected = 0;
  const expectedGradient = new Float64Array(params.length);
  const z = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    if (weights[i] === 0) continue;
    rowDots(X, i * dim, dim, K, params, 0, z);
    for (let c = 0; c < K; c++) z[c] = z[c]! + params[K * dim + c]!;
    const lse = logSumExp(z, K);
    expected += weights[i]! * (lse - z[labels[i]!]!);
    const r = Float64Array.from(z, (zc, c) => weights[i]! * (Math.exp(zc - lse) - (c === labels[i] ? 1 : 0)));
    r.forEach((rc, c) => (expectedGradient[K * dim + c] = expectedGradient[K * dim + c]! + rc));
    addOuterRows(X, i * dim, dim, K, r, expectedGradient, 0);
  }
  const invC = 1 / 0.7;
  let penalty = 0;
  for (let j = 0; j < K * dim; j++) {
    penalty += params[j]! * params[j]!;
    expectedGradient[j] = expectedGradient[j]! + params[j]! * invC;
  }
  assert.equal(value, expected + 0.5 * invC * penalty);
  assert.deepEqual(gradient, expectedGradient);
});
