// The network the fast path trains, as ONNX nodes: the backbone's blocks above the cut (their weights
// trained), the backbone's pooling, then the classifier skulens serves: the embedding L2-normalised and
// scaled by sqrt(dim), dropout (a mask fed with each batch), and a linear layer. Scaling makes the trained
// layer an ordinary logistic head on the normalised embedding: weights sqrt(dim) * W, bias b.
import { buildForward, buildTrainingStep, graphAbove, missingRules, opNode, type BuiltStep, type Graph, type LossSpec, type OpNode } from '../autodiff/index.js';
import { batchInner } from './layout.js';
import { blockDepths } from './depths.js';

/** Inputs that are settings, never weights: Clip's bounds, batch-norm statistics, pads and shapes. */
const SETTING_INPUTS: Readonly<Record<string, readonly number[]>> = { Clip: [1, 2], BatchNormalization: [3, 4], Pad: [1, 2, 3], Reshape: [1], Slice: [1, 2, 3, 4], ReduceMean: [1] };

export const HEAD = Object.freeze({ weights: 'skulens_fc_w', bias: 'skulens_fc_b', logits: 'skulens_logits', embedding: 'skulens_pooled', mask: 'skulens_dropout' });

/** What the network is built from. */
export interface NetworkSpec {
  graph: Graph;
  /** The cut tensor (the network's input) and its shape per image [C, H, W]. */
  cut: string;
  cutShape: readonly number[];
  /** The backbone's embedding tensor and how skulens pools it. */
  tap: string;
  pool: 'none' | 'mean-hw';
  dim: number;
  classes: number;
  /** Keep the depthwise kernels as they are (their biases still train). */
  freezeDepthwise?: boolean;
  /** Train only the weights of the last `blocks` blocks (and the layers after them); default all above the cut. */
  blocks?: number;
}

export interface Network {
  spec: NetworkSpec;
  /** The blocks above the cut. */
  upper: OpNode[];
  /** Backbone weights above the cut that train, in order of first use (the order of upper.f32). */
  body: string[];
  /** The graph with the head's weights added (the head starts at zero; the engine initialises it). */
  graph: Graph;
}

function isDepthwise(graph: Graph, node: OpNode): boolean {
  const group = node.attrs.group;
  const w = graph.floats.get(node.inputs[1]!);
  return node.op === 'Conv' && typeof group === 'number' && group > 1 && w?.dims[1] === 1;
}

/** The blocks above the cut and the weights in them that train. */
export function network(spec: NetworkSpec): Network {
  const upper = graphAbove(spec.graph, spec.cut, spec.tap);
  const body: string[] = [];
  for (const node of upper) {
    node.inputs.forEach((name, k) => {
      const w = spec.graph.floats.get(name);
      // Scalars are constants (an activation's 3 or 6), not weights.
      if (!w || w.data.length <= 1 || SETTING_INPUTS[node.op]?.includes(k) || body.includes(name)) return;
      if (spec.freezeDepthwise && k === 1 && isDepthwise(spec.graph, node)) return;
      body.push(name);
    });
  }
  if (spec.blocks !== undefined) {
    const depths = blockDepths(spec.graph, upper);
    body.splice(0, body.length, ...body.filter((name) => (depths.get(name) ?? 0) < spec.blocks!));
  }
  const floats = new Map(spec.graph.floats);
  floats.set(HEAD.weights, { dims: [spec.classes, spec.dim], data: new Float32Array(spec.classes * spec.dim) });
  floats.set(HEAD.bias, { dims: [spec.classes], data: new Float32Array(spec.classes) });
  return { spec, upper, body, graph: { ...spec.graph, floats } };
}

/** The nodes from the tap to the logits; with `dropout`, the normalised embedding is multiplied by the mask input. */
function headNodes(net: Network, tap: string, dropout: boolean): OpNode[] {
  const { spec } = net;
  // GlobalAveragePool + Flatten pools as skulens' runtime does ('mean-hw'), in any opset.
  const pooled = spec.pool === 'mean-hw' ? [opNode('GlobalAveragePool', [tap], ['skulens_gap']), opNode('Flatten', ['skulens_gap'], [HEAD.embedding], { axis: 1 })] : [opNode('Flatten', [tap], [HEAD.embedding], { axis: 1 })];
  const nodes = [
    ...pooled,
    opNode('LpNormalization', [HEAD.embedding], ['skulens_unit'], { axis: 1, p: 2 }),
    opNode('Mul', ['skulens_unit', 'skulens_sqrt_dim'], ['skulens_scaled']),
  ];
  if (dropout) nodes.push(opNode('Mul', ['skulens_scaled', HEAD.mask], ['skulens_dropped']));
  nodes.push(opNode('Gemm', [dropout ? 'skulens_dropped' : 'skulens_scaled', HEAD.weights, HEAD.bias], [HEAD.logits], { transB: 1 }));
  return nodes;
}

/** Every trained weight: the body's, then the head's. */
export function trainedWeights(net: Network): string[] {
  return [...net.body, HEAD.weights, HEAD.bias];
}

/**
 * The network for a batch of `batch`: the blocks above the cut with the batch inside the channels (layout.ts),
 * reading the cut activations as [1, C * batch, H, W], then the head.
 */
function forBatch(net: Network, batch: number, dropout: boolean): { graph: Graph; nodes: OpNode[]; input: { name: string; dims: number[] } } {
  const { spec } = net;
  const inner = batchInner(net.graph, net.upper, spec.cut, spec.cutShape, batch, spec.tap);
  const floats = new Map(inner.graph.floats);
  floats.set('skulens_sqrt_dim', { dims: [], data: Float32Array.of(Math.sqrt(spec.dim)) });
  return { graph: { ...inner.graph, floats }, nodes: [...inner.nodes, ...headNodes(net, inner.tap, dropout)], input: { name: spec.cut, dims: inner.inputDims } };
}

/** The training step at a fixed batch: inputs the cut activations (batch inside channels), the dropout mask and the loss's targets. */
export function trainingStep(net: Network, batch: number, loss: LossSpec): BuiltStep {
  const { graph, nodes, input } = forBatch(net, batch, true);
  return buildTrainingStep({
    graph,
    nodes,
    inputs: [input, { name: HEAD.mask, dims: [batch, net.spec.dim] }],
    trainable: trainedWeights(net),
    logits: HEAD.logits,
    loss,
  });
}

/** The network without dropout: cut activations in (batch inside channels), logits and the pooled embedding out. */
export function scoringGraph(net: Network, batch: number): Uint8Array {
  const { graph, nodes, input } = forBatch(net, batch, false);
  return buildForward({ graph, nodes, inputs: [input], trainable: trainedWeights(net), outputs: [HEAD.logits, HEAD.embedding] });
}

/**
 * Why the engine cannot train the blocks above the cut of this graph: an op on the way without a gradient
 * rule (named, with one node); undefined when it can.
 */
export function untrainableOp(spec: NetworkSpec): string | undefined {
  const net = network(spec);
  const missing = missingRules(net.upper, net.body);
  return missing.length ? `${missing.map((m) => m.op).join(', ')} (node ${missing[0]!.node}) has no gradient rule` : undefined;
}
