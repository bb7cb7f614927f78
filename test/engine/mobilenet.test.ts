// The gradient of the shipped MobileNetV2 above the fast path's cut: against central finite differences on
// sampled coordinates of every trained weight (the plain graph, depthwise kernels included), and the graph
// the engine trains (batch inside channels, depthwise kernels frozen) against the plain graph's gradients.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildVjp, graphAbove, readGraph, type Graph } from '../../src/autodiff/index.js';
import { getBackbone, PACKAGE_MODELS_DIR, verifiedWeights } from '../../src/backbone/index.js';
import { batchInner, findCut, network } from '../../src/engine/index.js';
import { mulberry32 } from '../../src/train/index.js';
import { checkGradients } from '../autodiff/harness.js';

const N = 2;
const SHAPE = [96, 14, 14];

async function mobilenet() {
  const spec = getBackbone('mobilenet-v2-imagenet', PACKAGE_MODELS_DIR);
  const graph = readGraph(fs.readFileSync((await verifiedWeights(spec, PACKAGE_MODELS_DIR))[0]!));
  return { spec, graph, cut: findCut(graph, spec.tap, 96) };
}

const random = mulberry32(4);
const activations = Float32Array.from({ length: N * 96 * 14 * 14 }, () => random() * 4);

/** The graph with the cut tensor as a constant (or trained) tensor of activations, so the check reaches every layer. */
function withInput(graph: Graph, cut: string, dims: number[], data: Float32Array): Graph {
  return { ...graph, floats: new Map([...graph.floats, [cut, { dims, data }]]) };
}

test('MobileNetV2 above add_151: every trained weight\'s gradient matches central differences on sampled coordinates', async (t) => {
  const { spec, graph, cut } = await mobilenet();
  assert.equal(cut, 'add_151');
  const upper = graphAbove(graph, cut, spec.tap);
  const net = network({ graph, cut, cutShape: SHAPE, tap: spec.tap, pool: spec.pool, dim: spec.dim, classes: 2 });
  assert.equal(net.body.length, 26, 'the 13 convolutions above the cut (4 blocks and the last 1x1), each kernel and bias');
  // A step of 3e-3, coordinates whose step crosses a ReLU6 bound redrawn. Float32 rounding through 13 layers and
  // the kinks a bias's whole channel can cross leave differences good to about 0.3% of the weight's largest
  // gradient (measured per weight at steps 3e-3, 1e-2 and 3e-2: at most 0.28%, 1.3% and 1.3%).
  const result = await checkGradients(withInput(graph, cut, [N, ...SHAPE], activations), upper, spec.tap, [...net.body], { samples: 3, eps: 3e-3, skipKinks: true });
  assert.ok(result.checked >= 3 * 26);
  t.diagnostic(`worst relative error ${result.worst.toExponential(2)} over ${result.checked} coordinates`);
  assert.ok(result.worst <= 1e-2, `worst relative error ${result.worst.toExponential(2)} over ${result.checked} coordinates`);
});

test('the graph the engine trains (batch inside channels) has the plain graph\'s gradients', async () => {
  const { spec, graph, cut } = await mobilenet();
  const net = network({ graph, cut, cutShape: SHAPE, tap: spec.tap, pool: spec.pool, dim: spec.dim, classes: 2, freezeDepthwise: true });
  const upper = graphAbove(graph, cut, spec.tap);
  const inner = batchInner(graph, net.upper, cut, SHAPE, N, spec.tap);
  const folded = new Float32Array(activations.length);
  const hw = 196;
  for (let n = 0; n < N; n++) for (let c = 0; c < 96; c++) folded.set(activations.subarray((n * 96 + c) * hw, (n * 96 + c + 1) * hw), (c * N + n) * hw);
  const dy = Float32Array.from({ length: N * spec.dim }, () => random() * 2 - 1);
  const gradients = async (g: Graph, nodes: typeof upper, output: string, input: Float32Array, dims: number[]) => {
    const { model } = buildVjp({ graph: g, nodes, inputs: [{ name: cut, dims }], trainable: net.body, outputs: [output], output });
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    const feeds = Object.fromEntries(net.body.map((name) => [name, new ort.Tensor('float32', graph.floats.get(name)!.data, graph.floats.get(name)!.dims)]));
    const out = await session.run({ ...feeds, [cut]: new ort.Tensor('float32', input, dims), skulens_dy: new ort.Tensor('float32', dy, [N, spec.dim]) });
    return net.body.map((_, k) => out[`skulens_grad_${k}`]!.data as Float32Array);
  };
  const plain = await gradients(graph, upper, spec.tap, activations, [N, ...SHAPE]);
  const trained = await gradients(inner.graph, inner.nodes, inner.tap, folded, inner.inputDims);
  net.body.forEach((name, k) => {
    let scale = 1e-6;
    let worst = 0;
    plain[k]!.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      worst = Math.max(worst, Math.abs(v - trained[k]![i]!));
    });
    assert.ok(worst <= 1e-4 * scale, `${name}: differs by ${worst} (largest gradient ${scale})`);
  });
});
