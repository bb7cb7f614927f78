// Every gradient rule alone against central finite differences, on small random graphs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGradients, makeGraph, n } from './harness.js';
import { float } from '../../src/onnx/index.js';

test('Add with broadcasting sums the gradient back over the broadcast axes', async () => {
  const g = makeGraph({ a: { dims: [2, 3, 4, 4] }, b: { dims: [3, 1, 1] } });
  await assertGradients(g, [n('Add', ['a', 'b'], 'y')], 'y', ['a', 'b']);
});

test('Mul, Sub and Div differentiate both operands', async () => {
  const g = makeGraph({ a: { dims: [2, 5] }, b: { dims: [5] }, c: { dims: [2, 5] } });
  g.floats.get('c')!.data.forEach((_, k, arr) => (arr[k] = 1.5 + (k % 3) * 0.25));
  const nodes = [n('Mul', ['a', 'b'], 'm'), n('Sub', ['m', 'a'], 's'), n('Div', ['s', 'c'], 'y')];
  await assertGradients(g, nodes, 'y', ['a', 'b', 'c']);
});

test('Clip (ReLU6) and Relu pass the gradient inside their bounds only', async () => {
  const g = makeGraph({ a: { dims: [3, 8] }, lo: { dims: [] , data: Float32Array.of(-0.5) }, hi: { dims: [], data: Float32Array.of(0.5) } });
  await assertGradients(g, [n('Clip', ['a', 'lo', 'hi'], 'c'), n('Relu', ['c'], 'y')], 'y', ['a']);
});

test('Sigmoid, HardSigmoid and HardSwish use their local slopes', async () => {
  const g = makeGraph({ a: { dims: [4, 16] } }, {}, 1, 14); // HardSwish is an opset-14 op
  g.floats.get('a')!.data.forEach((_, k, arr) => (arr[k] = -4.3 + k * 0.137));
  for (const [op, attrs] of [['Sigmoid', {}], ['HardSigmoid', { alpha: float(0.3), beta: float(0.4) }], ['HardSwish', {}]] as const) {
    await assertGradients(g, [n(op, ['a'], 'y', attrs)], 'y', ['a']);
  }
});

test('Gemm differentiates A, B and C under every transpose and alpha/beta', async () => {
  for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    const g = makeGraph({ a: { dims: ta ? [4, 3] : [3, 4] }, b: { dims: tb ? [5, 4] : [4, 5] }, c: { dims: [5] } });
    await assertGradients(g, [n('Gemm', ['a', 'b', 'c'], 'y', { transA: ta!, transB: tb!, alpha: float(0.7), beta: float(1.3) })], 'y', ['a', 'b', 'c']);
  }
});

test('MatMul differentiates a batched left operand and a matrix', async () => {
  const g = makeGraph({ a: { dims: [2, 3, 4] }, b: { dims: [4, 5] } });
  await assertGradients(g, [n('MatMul', ['a', 'b'], 'y')], 'y', ['a', 'b']);
});

test('BatchNormalization (inference) differentiates input, scale and bias', async () => {
  const g = makeGraph({ x: { dims: [2, 3, 4, 4] }, scale: { dims: [3] }, bias: { dims: [3] }, mean: { dims: [3] }, var: { dims: [3], data: Float32Array.of(0.5, 1.2, 2) } });
  await assertGradients(g, [n('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], 'y', { epsilon: float(1e-3) })], 'y', ['x', 'scale', 'bias']);
});

test('GlobalAveragePool, ReduceMean and Flatten spread and reshape the gradient', async () => {
  const g = makeGraph({ x: { dims: [2, 3, 5, 4] } });
  await assertGradients(g, [n('GlobalAveragePool', ['x'], 'p'), n('Flatten', ['p'], 'y', { axis: 1 })], 'y', ['x']);
  await assertGradients(g, [n('ReduceMean', ['x'], 'y', { axes: [2, 3], keepdims: 0 })], 'y', ['x']);
});

test('Reshape and Transpose are undone', async () => {
  const g = makeGraph({ x: { dims: [2, 3, 4] } }, { shape: [4, -1] });
  await assertGradients(g, [n('Reshape', ['x', 'shape'], 'r'), n('Transpose', ['r'], 'y', { perm: [1, 0] })], 'y', ['x']);
});

test('Pad and Slice (steps 1 and -1) are each other\'s inverse', async () => {
  const g = makeGraph({ x: { dims: [1, 2, 5, 6] } }, { pads: [0, 0, 1, 0, 0, 0, 2, 1], starts: [1, 5], ends: [4, 0], axes: [2, 3], steps: [1, -1] });
  await assertGradients(g, [n('Pad', ['x', 'pads'], 'p', { mode: 'constant' }), n('Slice', ['p', 'starts', 'ends', 'axes', 'steps'], 'y')], 'y', ['x']);
});

test('Concat splits the gradient between its inputs', async () => {
  const g = makeGraph({ a: { dims: [2, 3] }, b: { dims: [2, 4] } });
  await assertGradients(g, [n('Concat', ['a', 'b'], 'y', { axis: 1 })], 'y', ['a', 'b']);
});

test('LpNormalization (L2) differentiates the unit vector', async () => {
  const g = makeGraph({ x: { dims: [3, 6] } });
  await assertGradients(g, [n('LpNormalization', ['x'], 'y', { axis: 1, p: 2 })], 'y', ['x']);
});

test('a tensor read twice gets the sum of both gradients', async () => {
  const g = makeGraph({ a: { dims: [2, 4] }, b: { dims: [2, 4] } });
  await assertGradients(g, [n('Mul', ['a', 'b'], 'm'), n('Add', ['m', 'a'], 's'), n('Mul', ['s', 'a'], 'y')], 'y', ['a', 'b']);
  assert.ok(true);
});
