// The convolution rule in every form MobileNet-style backbones use, alone and in blocks, against
// central finite differences (float32: onnxruntime has no double Conv kernel).
import { test } from 'node:test';
import { assertGradients, makeGraph, n } from './harness.js';

test('a 3x3 convolution with symmetric pads differentiates input, weights and bias', async () => {
  const g = makeGraph({ x: { dims: [2, 3, 6, 6] }, w: { dims: [4, 3, 3, 3] }, b: { dims: [4] } });
  await assertGradients(g, [n('Conv', ['x', 'w', 'b'], 'y', { pads: [1, 1, 1, 1] })], 'y', ['x', 'w', 'b'], { samples: 40 });
});

test('a 1x1 convolution uses the GEMM weight gradient', async () => {
  const g = makeGraph({ x: { dims: [3, 5, 4, 4] }, w: { dims: [6, 5, 1, 1] }, b: { dims: [6] } });
  await assertGradients(g, [n('Conv', ['x', 'w', 'b'], 'y')], 'y', ['x', 'w', 'b'], { samples: 40 });
});

test('a depthwise stride-2 convolution with asymmetric SAME pads (TFLite style)', async () => {
  const g = makeGraph({ x: { dims: [2, 4, 7, 7] }, w: { dims: [4, 1, 3, 3] }, b: { dims: [4] } });
  await assertGradients(g, [n('Conv', ['x', 'w', 'b'], 'y', { group: 4, strides: [2, 2], pads: [0, 0, 1, 1] })], 'y', ['x', 'w', 'b'], { samples: 40 });
  const even = makeGraph({ x: { dims: [2, 4, 8, 8] }, w: { dims: [4, 1, 3, 3] } });
  await assertGradients(even, [n('Conv', ['x', 'w'], 'y', { group: 4, strides: [2, 2], pads: [0, 0, 1, 1] })], 'y', ['x', 'w'], { samples: 40 });
});

test('a grouped convolution (2 groups) and auto_pad SAME_UPPER', async () => {
  const g = makeGraph({ x: { dims: [2, 4, 5, 5] }, w: { dims: [6, 2, 3, 3] } });
  await assertGradients(g, [n('Conv', ['x', 'w'], 'y', { group: 2, auto_pad: 'SAME_UPPER' })], 'y', ['x', 'w'], { samples: 40 });
});

test('a dilated convolution and a strided one whose stride does not divide the input', async () => {
  const g = makeGraph({ x: { dims: [1, 2, 9, 9] }, w: { dims: [3, 2, 3, 3] } });
  await assertGradients(g, [n('Conv', ['x', 'w'], 'y', { dilations: [2, 2], pads: [2, 2, 2, 2] })], 'y', ['x', 'w'], { samples: 40 });
  await assertGradients(g, [n('Conv', ['x', 'w'], 'y', { strides: [3, 2], pads: [1, 0, 0, 1] })], 'y', ['x', 'w'], { samples: 40 });
});

test('an inverted residual block with its skip (expand, ReLU6, depthwise, ReLU6, project, add)', async () => {
  const g = makeGraph({
    x: { dims: [2, 4, 5, 5] },
    we: { dims: [12, 4, 1, 1] }, be: { dims: [12] },
    wd: { dims: [12, 1, 3, 3] }, bd: { dims: [12] },
    wp: { dims: [4, 12, 1, 1] }, bp: { dims: [4] },
    lo: { dims: [], data: Float32Array.of(0) }, hi: { dims: [], data: Float32Array.of(6) },
  });
  const nodes = [
    n('Conv', ['x', 'we', 'be'], 'e'), n('Clip', ['e', 'lo', 'hi'], 'e6'),
    n('Conv', ['e6', 'wd', 'bd'], 'd', { group: 12, pads: [1, 1, 1, 1] }), n('Clip', ['d', 'lo', 'hi'], 'd6'),
    n('Conv', ['d6', 'wp', 'bp'], 'p'), n('Add', ['p', 'x'], 'y'),
  ];
  // A step of 1e-3: with 2e-3 one sampled coordinate's difference straddles a ReLU6 kink (measured).
  await assertGradients(g, nodes, 'y', ['x', 'we', 'be', 'wd', 'bd', 'wp', 'bp'], { samples: 30, eps: 1e-3 });
});

test('a depthwise stride-2 block with asymmetric SAME pads, then pooling and a classifier', async () => {
  const g = makeGraph({
    x: { dims: [2, 4, 6, 6] },
    we: { dims: [8, 4, 1, 1] }, wd: { dims: [8, 1, 3, 3] }, bd: { dims: [8] }, wp: { dims: [5, 8, 1, 1] },
    fc: { dims: [3, 5] }, fb: { dims: [3] },
    lo: { dims: [], data: Float32Array.of(0) }, hi: { dims: [], data: Float32Array.of(6) },
  });
  const nodes = [
    n('Conv', ['x', 'we'], 'e'), n('Clip', ['e', 'lo', 'hi'], 'e6'),
    n('Conv', ['e6', 'wd', 'bd'], 'd', { group: 8, strides: [2, 2], pads: [0, 0, 1, 1] }), n('Clip', ['d', 'lo', 'hi'], 'd6'),
    n('Conv', ['d6', 'wp'], 'p'), n('GlobalAveragePool', ['p'], 'gap'), n('Flatten', ['gap'], 'f', { axis: 1 }),
    n('Gemm', ['f', 'fc', 'fb'], 'y', { transB: 1 }),
  ];
  await assertGradients(g, nodes, 'y', ['x', 'we', 'wd', 'bd', 'wp', 'fc', 'fb'], { samples: 30, eps: 1e-3 });
});
