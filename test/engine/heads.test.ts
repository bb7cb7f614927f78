// The heads' losses as the training step computes them (heads.ts fills the loss inputs, the step graph
// computes the loss), against values worked by hand, and their gradient against central differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTrainingStep, opNode, type Graph } from '../../src/autodiff/index.js';
import { openGraphSession } from '../../src/backbone/index.js';
import { headLoss, type HeadLayout } from '../../src/engine/index.js';

async function lossOf(layout: HeadLayout, rows: number[][], labels: number[], targets: number[][] | undefined, smoothing: number, balance: 'balanced' | 'sqrt' | 'none'): Promise<{ loss: number; grad: Float32Array; at: (z: number[][]) => Promise<number> }> {
  const B = rows.length;
  const K = rows[0]!.length;
  const head = headLoss(layout, K, labels, targets, rows.map((_, i) => i), smoothing, balance);
  const graph: Graph = { nodes: [], floats: new Map([['z', { dims: [B, K], data: Float32Array.from(rows.flat()) }]]), ints: new Map(), inputs: new Map(), opset: 13 };
  const step = buildTrainingStep({ graph, nodes: [opNode('Identity', ['z'], ['logits'])], inputs: [], trainable: ['z'], logits: 'logits', loss: head.loss });
  const session = await openGraphSession(step.model, { threads: 1 });
  const inputs = Object.fromEntries(step.inputs.map((i) => [i.name, new Float32Array(B * K)]));
  head.fill(rows.map((_, i) => i), inputs);
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, data]) => [name, { data, dims: [B, K] }]));
  const at = async (z: number[][]): Promise<number> => (await session.run({ ...feeds, z: { data: Float32Array.from(z.flat()), dims: [B, K] } }, [step.loss]))[step.loss]![0]!;
  const out = await session.run({ ...feeds, z: { data: Float32Array.from(rows.flat()), dims: [B, K] } }, [step.loss, step.gradients[0]!]);
  return { loss: out[step.loss]![0]!, grad: out[step.gradients[0]!]!, at };
}

async function assertGradient(result: Awaited<ReturnType<typeof lossOf>>, rows: number[][]): Promise<void> {
  const eps = 1e-2;
  for (let i = 0; i < rows.length; i++) {
    for (let k = 0; k < rows[0]!.length; k++) {
      const up = rows.map((r) => [...r]);
      const down = rows.map((r) => [...r]);
      up[i]![k]! += eps;
      down[i]![k]! -= eps;
      const numeric = ((await result.at(up)) - (await result.at(down))) / (2 * eps);
      assert.ok(Math.abs(numeric - result.grad[i * rows[0]!.length + k]!) < 2e-4, `d loss / d z[${i}][${k}]: ${result.grad[i * rows[0]!.length + k]} vs ${numeric}`);
    }
  }
}

const ce = (z: number[], t: number): number => Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[t]!;

test('the softmax loss is PyTorch\'s cross-entropy with class weights and label smoothing (mean over the batch\'s weight)', async () => {
  const rows = [[2, 0, 1], [0.5, 1, -1], [0, 0, 3]];
  const labels = [0, 1, 1];
  const plain = await lossOf({ kind: 'softmax' }, rows, labels, undefined, 0, 'none');
  assert.ok(Math.abs(plain.loss - (ce(rows[0]!, 0) + ce(rows[1]!, 1) + ce(rows[2]!, 1)) / 3) < 1e-5, `plain ${plain.loss}`);
  // balanced: N / (K * count) = 3 / (3 * [1, 2, 0 -> 1]) = [1, 0.5, 1]; smoothing s puts s / K on every class, weighted by its class weight.
  const w = [1, 0.5, 1];
  const s = 0.1;
  const term = (z: number[], t: number): number => (1 - s) * w[t]! * ce(z, t) + (s / 3) * w.reduce((acc, wk, k) => acc + wk * ce(z, k), 0);
  const expected = (term(rows[0]!, 0) + term(rows[1]!, 1) + term(rows[2]!, 1)) / (w[0]! + w[1]! + w[1]!);
  const weighted = await lossOf({ kind: 'softmax' }, rows, labels, undefined, s, 'balanced');
  assert.ok(Math.abs(weighted.loss - expected) < 1e-5, `weighted ${weighted.loss} vs ${expected}`);
  await assertGradient(weighted, rows);
});

test('the group loss is the sum over groups of each segment\'s cross-entropy, photos without a value adding nothing', async () => {
  const rows = [[2, 0, 1, 0.5, -0.5], [0, 1, 0, 0, 3]];
  const targets = [[0, 1], [-1, 2]];
  const result = await lossOf({ kind: 'groups', sizes: [2, 3] }, rows, [0, 0], targets, 0, 'none');
  const g0 = ce([2, 0], 0);
  const a = ce([1, 0.5, -0.5], 1);
  const b = ce([0, 0, 3], 2);
  assert.ok(Math.abs(result.loss - (g0 + (a + b) / 2)) < 1e-5, `loss ${result.loss} vs ${g0 + (a + b) / 2}`);
  await assertGradient(result, rows);
  const head = headLoss({ kind: 'groups', sizes: [2, 3] }, 5, [0, 0], targets, [0, 1], 0, 'none');
  assert.equal(head.score(Float32Array.from(rows.flat()), [0, 1]).accuracy, 0.5, 'photo 0 misses group 1; photo 1 is right in the one group it has');
});

test('the multi-label loss is binary cross-entropy per label, summed over labels and averaged over photos', async () => {
  const rows = [[2, -1, 0], [0.5, 0, -2]];
  const targets = [[0, 2], []];
  const softplus = (z: number): number => Math.log1p(Math.exp(z));
  const bce = (z: number, t: number, w = 1): number => w * t * softplus(-z) + (1 - t) * softplus(z);
  const hot = [[1, 0, 1], [0, 0, 0]];
  const plain = await lossOf({ kind: 'multi' }, rows, [0, 0], targets, 0, 'none');
  const expected = rows.map((z, i) => z.reduce((s, v, k) => s + bce(v, hot[i]![k]!), 0)).reduce((a, b) => a + b) / 2;
  assert.ok(Math.abs(plain.loss - expected) < 1e-5, `plain ${plain.loss} vs ${expected}`);
  // sqrt balance: labels 0 and 2 have 1 positive and 1 negative (weight 1); label 1 none (weight sqrt(2/1), unused). Smoothing 0.2 -> 0.9 and 0.1.
  const smoothed = (t: number): number => t * 0.8 + 0.1;
  const weighted = await lossOf({ kind: 'multi' }, rows, [0, 0], targets, 0.2, 'sqrt');
  const expectedWeighted = rows.map((z, i) => z.reduce((s, v, k) => s + bce(v, smoothed(hot[i]![k]!), k === 1 ? Math.SQRT2 : 1), 0)).reduce((a, b) => a + b) / 2;
  assert.ok(Math.abs(weighted.loss - expectedWeighted) < 1e-5, `weighted ${weighted.loss} vs ${expectedWeighted}`);
  await assertGradient(weighted, rows);
  const head = headLoss({ kind: 'multi' }, 3, [0, 0], targets, [0, 1], 0, 'none');
  assert.equal(head.score(Float32Array.from(rows.flat()), [0, 1]).accuracy, 0, 'neither photo has exactly its labels above 1/2 (photo 0 misses label 2 at logit 0)');
});
