import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSkulensError } from '../../src/errors.js';
import { ABSENT_CLASS_BIAS, encodeHead, headProbabilities, trainHead, type LogisticHead } from '../../src/train/index.js';
import { fitLogistic, logisticObjective, type LogisticProblem } from '../../src/train/logistic.js';
import { argmax, column, gaussianClusters } from './fixtures.js';

function logistic(head: ReturnType<typeof trainHead>): LogisticHead {
  assert.equal(head.kind, 'logistic');
  return head as LogisticHead;
}

test('L-BFGS reaches the hand-derived optimum a = 2C sigmoid(-2a) for points at +1 and -1', () => {
  // By symmetry W = [a, -a], b = 0, and the objective is 2 ln(1 + e^(-2a)) + a^2 / C;
  // setting its derivative -4 sigmoid(-2a) + 2a / C to zero gives a = 2C sigmoid(-2a). Solve by bisection.
  const C = 1;
  let low = 0;
  let high = 2 * C;
  for (let k = 0; k < 100; k++) {
    const mid = (low + high) / 2;
    if (mid < (2 * C) / (1 + Math.exp(2 * mid))) low = mid;
    else high = mid;
  }
  const head = logistic(trainHead(column([1, -1]), [0, 1], 2, { C, tolerance: 1e-9 }));
  assert.ok(Math.abs(low - 0.52) < 0.01); // sanity: the root is about 0.521
  assert.ok(Math.abs(head.weights[0]! - low) < 1e-5, `W0 ${head.weights[0]} vs ${low}`);
  assert.ok(Math.abs(head.weights[1]! + low) < 1e-5, `W1 ${head.weights[1]} vs ${-low}`);
  assert.ok(Math.abs(head.bias[0]!) < 1e-5 && Math.abs(head.bias[1]!) < 1e-5);
});

test('L-BFGS lands where a long brute-force gradient descent lands on a weighted 3-class problem', () => {
  const { X, y } = gaussianClusters(30, 4, 3, 1.5, 9);
  const problem: LogisticProblem = {
    X: Float32Array.from(X.flatMap((row) => Array.from(row))), n: 30, dim: 4, numClasses: 3,
    labels: Int32Array.from(y), weights: Float64Array.from({ length: 30 }, (_, i) => 1 + (i % 4) / 2), C: 2,
  };
  const fit = fitLogistic(problem, { maxIterations: 500, tolerance: 1e-10 });
  // Brute force: plain gradient descent with a small fixed step, 40,000 steps.
  const params = new Float64Array(15);
  const gradient = new Float64Array(15);
  for (let step = 0; step < 40000; step++) {
    logisticObjective(problem, params, gradient);
    for (let k = 0; k < 15; k++) params[k] = params[k]! - 0.02 * gradient[k]!;
  }
  const mean = (params[12]! + params[13]! + params[14]!) / 3;
  for (let k = 0; k < 12; k++) assert.ok(Math.abs(fit.weights[k]! - params[k]!) < 1e-5, `W[${k}] ${fit.weights[k]} vs ${params[k]}`);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(fit.bias[c]! - (params[12 + c]! - mean)) < 1e-5);
});

test('probabilities of a trained head sum to 1', () => {
  const { X, y } = gaussianClusters(60, 8, 4, 1, 3);
  const head = trainHead(X, y, 4);
  for (const x of X.slice(0, 10)) {
    const p = headProbabilities(head, x);
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-6);
  }
});

test('a heavier class weight moves the decision boundary towards the other class', () => {
  const X = column([-2, -1, 1, 2]);
  const y = [0, 0, 1, 1];
  const boundary = (head: LogisticHead): number => -(head.bias[1]! - head.bias[0]!) / (head.weights[1]! - head.weights[0]!);
  const even = logistic(trainHead(X, y, 2, { C: 1, tolerance: 1e-9 }));
  const favourOne = logistic(trainHead(X, y, 2, { C: 1, tolerance: 1e-9, classWeights: Float32Array.of(1, 4) }));
  assert.ok(Math.abs(boundary(even)) < 1e-5, `symmetric data, boundary ${boundary(even)}`);
  assert.ok(boundary(favourOne) < -0.05 && boundary(favourOne) > -1, `boundary ${boundary(favourOne)}`);
});

test('a sample weight of 2 trains the same head as listing the sample twice', () => {
  const X = column([-2, -1, 0.5, 1, 2]);
  const weighted = logistic(trainHead(X, [0, 0, 0, 1, 1], 2, { tolerance: 1e-9, sampleWeights: Float32Array.of(1, 1, 2, 1, 1) }));
  const duplicated = logistic(trainHead([...X, X[2]!], [0, 0, 0, 1, 1, 0], 2, { tolerance: 1e-9 }));
  for (let k = 0; k < 2; k++) {
    assert.ok(Math.abs(weighted.weights[k]! - duplicated.weights[k]!) < 1e-5);
    assert.ok(Math.abs(weighted.bias[k]! - duplicated.bias[k]!) < 1e-5);
  }
});

test('learns three separable Gaussian clusters in 64-d to over 95% held-out accuracy', () => {
  const { X, y } = gaussianClusters(600, 64, 3, 1.5, 11);
  const head = trainHead(X.slice(0, 300), y.slice(0, 300), 3);
  let correct = 0;
  for (let i = 300; i < 600; i++) if (argmax(headProbabilities(head, X[i]!)) === y[i]) correct++;
  assert.ok(correct / 300 > 0.95, `accuracy ${correct / 300}`);
});

test('the same data and options give byte-identical encoded heads', () => {
  const { X, y } = gaussianClusters(90, 16, 3, 2, 5);
  assert.deepEqual(encodeHead(trainHead(X, y, 3, { C: 3 })), encodeHead(trainHead(X, y, 3, { C: 3 })));
});

test('a class without samples gets zero weights, the absent-class bias and probability 0', () => {
  const { X, y } = gaussianClusters(40, 8, 2, 1, 2);
  const head = logistic(trainHead(X, y, 3));
  assert.deepEqual(Array.from(head.weights.subarray(16)), new Array(8).fill(0));
  assert.equal(head.bias[2], ABSENT_CLASS_BIAS);
  assert.equal(headProbabilities(head, X[0]!)[2], 0);
});

test('onProgress reports each iteration with a falling loss', () => {
  const { X, y } = gaussianClusters(60, 8, 3, 1, 4);
  const seen: Array<[number, number, number]> = [];
  trainHead(X, y, 3, { maxIterations: 50, onProgress: (step, total, loss) => seen.push([step, total, loss]) });
  assert.ok(seen.length > 2);
  seen.forEach(([step, total], k) => assert.deepEqual([step, total], [k + 1, 50]));
  for (let k = 1; k < seen.length; k++) assert.ok(seen[k]![2] <= seen[k - 1]![2]);
});

test('an aborted signal stops training with ERR_TRAINING_CANCELLED', () => {
  const { X, y } = gaussianClusters(60, 8, 3, 1, 4);
  const controller = new AbortController();
  let calls = 0;
  assert.throws(
    () => trainHead(X, y, 3, { signal: controller.signal, onProgress: () => { if (++calls === 2) controller.abort(); } }),
    (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED') && error.details.version === 'head',
  );
  assert.equal(calls, 2);
  assert.throws(() => trainHead(X, y, 3, { signal: AbortSignal.abort() }), (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED'));
});

test('bad input is rejected with ERR_TRAINING_INVALID', () => {
  const X = column([1, 2, 3]);
  const cases: Array<() => unknown> = [
    () => trainHead([], [], 2),
    () => trainHead(X, [0, 1], 2),
    () => trainHead(X, [0, 1, 2], 2),
    () => trainHead(X, [0, 1, 0.5], 2),
    () => trainHead([...X, Float32Array.of(1, 2)], [0, 1, 0, 1], 2),
    () => trainHead(X, [0, 1, 0], 2, { C: 0 }),
    () => trainHead(X, [0, 1, 0], 2, { classWeights: Float32Array.of(1) }),
    () => trainHead(X, [0, 1, 0], 2, { sampleWeights: Float32Array.of(1, -1, 1) }),
    () => trainHead(X, [0, 0, 0], 2),
    () => trainHead([Float32Array.of(Number.NaN), ...X.slice(1)], [0, 1, 0], 2),
  ];
  cases.forEach((run, k) => assert.throws(run, (error) => isSkulensError(error, 'ERR_TRAINING_INVALID'), `case ${k}`));
});
