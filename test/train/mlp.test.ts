import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSkulensError } from '../../src/errors.js';
import { encodeHead, headProbabilities, trainHead, type MlpHead } from '../../src/train/index.js';
import type { LogisticProblem } from '../../src/train/logistic.js';
import { initialMlpParams, mlpLayout, mlpObjective } from '../../src/train/mlp.js';
import { mulberry32, normalSample } from '../../src/train/random.js';
import { argmax } from './fixtures.js';

/** XOR in 2-D: points near (±1, ±1), label 1 where the signs differ. No straight line separates it. */
function xor(count: number, seed: number): { X: Float32Array[]; y: number[] } {
  const random = mulberry32(seed);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const [sx, sy] = [i % 2 === 0 ? 1 : -1, i % 4 < 2 ? 1 : -1];
    X.push(Float32Array.of(sx + 0.2 * normalSample(random), sy + 0.2 * normalSample(random)));
    y.push(sx === sy ? 0 : 1);
  }
  return { X, y };
}

function accuracy(head: ReturnType<typeof trainHead>, X: Float32Array[], y: number[]): number {
  return X.filter((x, i) => argmax(headProbabilities(head, x)) === y[i]).length / X.length;
}

test('the MLP backward pass agrees with central finite differences', () => {
  const problem: LogisticProblem = {
    X: Float32Array.of(0.5, -0.2, 0.1, 0.8, -0.3, 0.9, 0.4, -0.1, 0.7, 0.2, -0.6, 0.3),
    n: 4, dim: 3, numClasses: 3, labels: Int32Array.of(0, 1, 2, 1), weights: Float64Array.of(1, 2, 0.5, 1), C: 0.7,
  };
  const layout = mlpLayout(3, 5, 3);
  const params = initialMlpParams(layout, 3);
  for (let j = layout.b1; j < layout.w2; j++) params[j] = 0.05 * (j - layout.b1); // non-zero hidden biases
  const gradient = new Float64Array(layout.size);
  mlpObjective(problem, layout, params, gradient);
  const scratch = new Float64Array(layout.size);
  for (let k = 0; k < layout.size; k++) {
    const plus = Float64Array.from(params);
    const minus = Float64Array.from(params);
    plus[k] = plus[k]! + 1e-6;
    minus[k] = minus[k]! - 1e-6;
    const numeric = (mlpObjective(problem, layout, plus, scratch) - mlpObjective(problem, layout, minus, scratch)) / 2e-6;
    assert.ok(Math.abs(numeric - gradient[k]!) < 1e-5, `param ${k}: ${numeric} vs ${gradient[k]}`);
  }
});

test('an MLP head learns XOR, which a logistic head cannot', () => {
  const train = xor(200, 1);
  const heldOut = xor(200, 2);
  const mlp = trainHead(train.X, train.y, 2, { kind: 'mlp', hidden: 16, epochs: 60, learningRate: 0.02, batchSize: 16 });
  const linear = trainHead(train.X, train.y, 2);
  assert.equal(mlp.kind, 'mlp');
  assert.ok(accuracy(mlp, heldOut.X, heldOut.y) > 0.95, `mlp ${accuracy(mlp, heldOut.X, heldOut.y)}`);
  assert.ok(accuracy(linear, heldOut.X, heldOut.y) < 0.8, `logistic ${accuracy(linear, heldOut.X, heldOut.y)}`);
});

test('MLP training with the same seed gives identical bytes, and another seed different ones', () => {
  const { X, y } = xor(64, 3);
  const options = { kind: 'mlp', hidden: 8, epochs: 5, batchSize: 8 } as const;
  const first = encodeHead(trainHead(X, y, 2, { ...options, seed: 4 }));
  assert.deepEqual(encodeHead(trainHead(X, y, 2, { ...options, seed: 4 })), first);
  assert.notDeepEqual(encodeHead(trainHead(X, y, 2, { ...options, seed: 5 })), first);
});

test('MLP epochs lower the reported loss', () => {
  const { X, y } = xor(128, 5);
  const losses: number[] = [];
  const head = trainHead(X, y, 2, { kind: 'mlp', hidden: 16, epochs: 30, learningRate: 0.02, onProgress: (_step, _total, loss) => losses.push(loss) }) as MlpHead;
  assert.equal(losses.length, 30);
  assert.ok(losses[29]! < 0.5 * losses[0]!, `first ${losses[0]}, last ${losses[29]}`);
  assert.equal(head.w1.length, 16 * 2);
});

test('aborting during MLP training throws ERR_TRAINING_CANCELLED', () => {
  const { X, y } = xor(64, 6);
  const controller = new AbortController();
  assert.throws(
    () => trainHead(X, y, 2, { kind: 'mlp', epochs: 10, signal: controller.signal, onProgress: (step) => { if (step === 1) controller.abort(); } }),
    (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED') && error.details.version === 'head',
  );
});
