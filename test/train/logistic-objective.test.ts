import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logisticObjective, type LogisticProblem } from '../../src/train/logistic.js';

// 1-D, two classes: x = 2 with label 0, x = -1 with label 1. params = [W0, W1, b0, b1].
function twoPoints(C: number): LogisticProblem {
  return { X: Float32Array.of(2, -1), n: 2, dim: 1, numClasses: 2, labels: Int32Array.of(0, 1), weights: Float64Array.of(1, 1), C };
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, k) => assert.ok(Math.abs(actual[k]! - value) < tolerance, `[${k}] ${actual[k]} != ${value}`));
}

test('at W = 0 the objective is n ln 2 and its gradient is sum_i (1/2 - [y_i = c]) x_i', () => {
  const gradient = new Float64Array(4);
  const value = logisticObjective(twoPoints(1), new Float64Array(4), gradient);
  assert.ok(Math.abs(value - 2 * Math.LN2) < 1e-12);
  // dW0 = (0.5 - 1) * 2 + 0.5 * (-1) = -1.5; dW1 = +1.5; db0 = -0.5 + 0.5 = 0; db1 = 0.
  assertClose(gradient, [-1.5, 1.5, 0, 0], 1e-12);
});

test('at W = [1, 0], C = 2 the objective and gradient match the hand computation', () => {
  // Sample 1: logits [2, 0], p0 = sigmoid(2) = 0.8807971; loss ln(1 + e^-2) = 0.1269280.
  // Sample 2: logits [-1, 0], p0 = sigmoid(-1) = 0.2689414; loss ln(1 + e^-1) = 0.3132617.
  // Penalty 1^2 / (2 * 2) = 0.25. Total 0.6901897.
  // dW0 = (0.8807971 - 1) * 2 + 0.2689414 * (-1) + 1/2 = -0.0073473; dW1 = +0.5073473 + 0.
  // db0 = (0.8807971 - 1) + 0.2689414 = 0.1497385; db1 = -0.1497385.
  const gradient = new Float64Array(4);
  const value = logisticObjective(twoPoints(2), Float64Array.of(1, 0, 0, 0), gradient);
  assert.ok(Math.abs(value - 0.6901897) < 1e-6, `value ${value}`);
  assertClose(gradient, [-0.0073473, 0.5073473, 0.1497385, -0.1497385]);
});

test('sample weights scale each sample\'s loss and gradient', () => {
  const problem = { ...twoPoints(1), weights: Float64Array.of(3, 0) };
  const gradient = new Float64Array(4);
  const value = logisticObjective(problem, new Float64Array(4), gradient);
  // Only sample 1 counts, three times: 3 ln 2; dW0 = 3 * (0.5 - 1) * 2 = -3; db0 = -1.5.
  assert.ok(Math.abs(value - 3 * Math.LN2) < 1e-12);
  assertClose(gradient, [-3, 3, -1.5, 1.5], 1e-12);
});

test('the gradient agrees with central finite differences on a 3-class 4-d problem', () => {
  const problem: LogisticProblem = {
    X: Float32Array.of(0.5, -0.2, 0.1, 0.8, -0.3, 0.9, 0.4, -0.1, 0.7, 0.2, -0.6, 0.3, -0.4, -0.5, 0.2, 0.6),
    n: 4, dim: 4, numClasses: 3, labels: Int32Array.of(0, 1, 2, 1), weights: Float64Array.of(1, 2, 0.5, 1), C: 0.7,
  };
  const params = Float64Array.from({ length: 15 }, (_, k) => Math.sin(k + 1));
  const gradient = new Float64Array(15);
  logisticObjective(problem, params, gradient);
  const scratch = new Float64Array(15);
  for (let k = 0; k < 15; k++) {
    const plus = Float64Array.from(params);
    const minus = Float64Array.from(params);
    plus[k] = plus[k]! + 1e-6;
    minus[k] = minus[k]! - 1e-6;
    const numeric = (logisticObjective(problem, plus, scratch) - logisticObjective(problem, minus, scratch)) / 2e-6;
    assert.ok(Math.abs(numeric - gradient[k]!) < 1e-6, `param ${k}: ${numeric} vs ${gradient[k]}`);
  }
});
