// The training step end to end on a small graph: the batch-inside-channels rewrite computes what the plain
// graph computes, AdamW updates as PyTorch's formula says, and one step lowers the loss by what the first-
// order prediction from the step's own gradients says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildForward, graphAbove, readGraph } from '../../src/autodiff/index.js';
import { openGraphSession, type Feed } from '../../src/backbone/index.js';
import { AdamW, batchInner, HEAD, network, trainedWeights, trainingStep } from '../../src/engine/index.js';
import { mulberry32 } from '../../src/train/index.js';
import { stagedOnnxModel } from '../finetune/fast-fixtures.js';

const graph = readGraph(stagedOnnxModel());
const CUT = 't9';
const SHAPE = [4, 8, 8];

test('the batch-inside-channels rewrite computes the plain graph\'s embedding', async () => {
  const B = 3;
  const upper = graphAbove(graph, CUT, 'embedding');
  const random = mulberry32(3);
  const x = Float32Array.from({ length: B * 4 * 64 }, () => random() * 2 - 1);
  const plain = await openGraphSession(buildForward({ graph, nodes: upper, inputs: [{ name: CUT, dims: [B, ...SHAPE] }], trainable: [], outputs: ['embedding'] }), { threads: 1 });
  const inner = batchInner(graph, upper, CUT, SHAPE, B, 'embedding');
  const rewritten = await openGraphSession(buildForward({ graph: inner.graph, nodes: inner.nodes, inputs: [{ name: CUT, dims: inner.inputDims }], trainable: [], outputs: [inner.tap] }), { threads: 1 });
  const folded = new Float32Array(x.length);
  for (let n = 0; n < B; n++) for (let c = 0; c < 4; c++) folded.set(x.subarray((n * 4 + c) * 64, (n * 4 + c + 1) * 64), (c * B + n) * 64);
  const a = (await plain.run({ [CUT]: { data: x, dims: [B, ...SHAPE] } }, ['embedding'])).embedding!;
  const b = (await rewritten.run({ [CUT]: { data: folded, dims: inner.inputDims } }, [inner.tap]))[inner.tap]!;
  assert.equal(b.length, a.length);
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]!) < 1e-5, `embedding value ${k}: ${v} vs ${b[k]}`));
  assert.ok(inner.nodes.some((n) => n.op === 'Gemm'), 'the 1x1 convolutions became GEMMs');
});

test('AdamW follows PyTorch\'s update: decoupled decay, bias-corrected moments', () => {
  const values = Float32Array.of(0.5, -1, 2);
  const opt = new AdamW([{ values, lr: 0.1 }], { weightDecay: 0.01 });
  const g = Float32Array.of(0.2, -0.4, 0);
  opt.step([g], 1);
  // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2: p = p (1 - lr wd) - lr g / (|g| + eps).
  const expected = [0.5 * 0.999 - 0.1 * (0.2 / (0.2 + 1e-8)), -1 * 0.999 + 0.1 * (0.4 / (0.4 + 1e-8)), 2 * 0.999];
  expected.forEach((e, k) => assert.ok(Math.abs(values[k]! - e) < 1e-6, `weight ${k}: ${values[k]} vs ${e}`));
  opt.step([g], 0.5);
  // Step 2 at half the rate: m = 0.19 g, v = 0.001999 g^2; m_hat = 0.19 / 0.19 g = g, v_hat = g^2.
  const second = expected.map((p, k) => p * (1 - 0.05 * 0.01) - (0.05 * g[k]!) / (Math.abs(g[k]!) + 1e-8));
  second.forEach((e, k) => assert.ok(Math.abs(values[k]! - e) < 1e-6, `step 2 weight ${k}: ${values[k]} vs ${e}`));
});

test('one AdamW step lowers the loss by what the step\'s own gradients predict', async () => {
  const B = 4;
  const K = 3;
  const net = network({ graph, cut: CUT, cutShape: SHAPE, tap: 'embedding', pool: 'none', dim: 16, classes: K });
  const step = trainingStep(net, B, { kind: 'softmax', segments: [K] });
  const session = await openGraphSession(step.model, { threads: 1 });
  const random = mulberry32(9);
  const names = trainedWeights(net);
  const weights = names.map((name) => Float32Array.from(net.graph.floats.get(name)!.data));
  weights[weights.length - 2] = Float32Array.from(weights[weights.length - 2]!, () => (random() - 0.5) * 0.2);
  const x = Float32Array.from({ length: B * 4 * 64 }, () => random() * 3);
  const targets = new Float32Array(B * K);
  [0, 1, 2, 1].forEach((y, i) => (targets[i * K + y] = 1 / B));
  const feeds = (): Record<string, Feed> => ({
    ...Object.fromEntries(names.map((name, k) => [name, { data: weights[k]!, dims: net.graph.floats.get(name)!.dims }])),
    [CUT]: { data: x, dims: [1, 4 * B, 8, 8] },
    [HEAD.mask]: { data: new Float32Array(B * 16).fill(1), dims: [B, 16] },
    targets: { data: targets, dims: [B, K] },
  });
  const before = await session.run(feeds(), [step.loss, ...step.gradients]);
  const grads = step.gradients.map((g) => before[g]!);
  const lr = 1e-4;
  // AdamW's first step moves every weight by lr * sign(g) (and a decay lr * wd * w).
  let predicted = 0;
  grads.forEach((g, k) => g.forEach((gi, i) => (predicted -= gi * (lr * Math.sign(gi) + lr * 0.05 * weights[k]![i]!))));
  new AdamW(weights.map((values) => ({ values, lr })), { weightDecay: 0.05 }).step(grads, 1);
  const after = await session.run(feeds(), [step.loss]);
  const actual = after[step.loss]![0]! - before[step.loss]![0]!;
  assert.ok(predicted < 0, `the predicted change ${predicted} is a decrease`);
  assert.ok(Math.abs(actual - predicted) < 0.1 * Math.abs(predicted), `loss changed by ${actual}, predicted ${predicted}`);
});
