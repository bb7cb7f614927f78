// One training step as one ONNX graph: the forward nodes, the loss and the reverse pass, with the trained
// weights as inputs (so one session serves every step and every ensemble member) and their gradients as
// outputs; and the same forward alone, for scoring held-out photos with the current weights.
import { floatTensor, GraphBuilder, int64Tensor, type ValueSpec } from '../onnx/index.js';
import { backward } from './backward.js';
import { GradContext } from './context.js';
import type { Graph, OpNode } from './graph.js';
import { emitLoss, lossInputs, type LossSpec } from './loss.js';
import { inferShapes } from './shapes.js';

export interface ForwardSpec {
  /** Where the constants the nodes read live. */
  graph: Graph;
  /** The forward nodes, in order. */
  nodes: readonly OpNode[];
  /** Inputs other than weights (the batch, a dropout mask), with fixed dims. */
  inputs: readonly ValueSpec[];
  /** Float initializers read by `nodes` that become inputs (their current values are fed at every run). */
  trainable: readonly string[];
  /** Tensor outputs of the forward graph. */
  outputs: readonly string[];
}

export interface StepSpec extends Omit<ForwardSpec, 'outputs'> {
  logits: string;
  loss: LossSpec;
}

/** A built step: the model and the names of its outputs. */
export interface BuiltStep {
  model: Uint8Array;
  loss: string;
  logits: string;
  /** Gradient output of each trainable weight, in `trainable` order. */
  gradients: string[];
  /** Inputs the caller feeds besides the weights (batch inputs, then the loss's). */
  inputs: ValueSpec[];
}

const OPSET_MIN = 13;

/** The graph's constants `nodes` read (not the trained ones), as initializers of a new graph. */
function copyConstants(b: GraphBuilder, graph: Graph, nodes: readonly OpNode[], trainable: ReadonlySet<string>): void {
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const name of read) {
    if (trainable.has(name)) continue;
    const f = graph.floats.get(name);
    if (f) b.initializers.push(floatTensor(name, f.dims, f.data));
    const i = graph.ints.get(name);
    if (i) b.initializers.push(int64Tensor(name, [i.length], i));
  }
}

function start(spec: ForwardSpec | StepSpec): { b: GraphBuilder; weights: ValueSpec[] } {
  if (spec.graph.opset < OPSET_MIN) throw new Error(`opset ${spec.graph.opset}: the training engine needs opset ${OPSET_MIN} or later`);
  const b = new GraphBuilder('skulens_g_');
  copyConstants(b, spec.graph, spec.nodes, new Set(spec.trainable));
  b.nodes.push(...spec.nodes.map((n) => n.proto));
  const weights = spec.trainable.map((name) => ({ name, dims: spec.graph.floats.get(name)!.dims }));
  return { b, weights };
}

function dimsOf(shapes: Map<string, number[]>, name: string): number[] {
  const dims = shapes.get(name);
  if (!dims) throw new Error(`no shape for ${name}`);
  return dims;
}

/** The forward graph with the trained weights as inputs. */
export function buildForward(spec: ForwardSpec): Uint8Array {
  const { b, weights } = start(spec);
  const shapes = inferShapes(spec.graph, spec.nodes, new Map(spec.inputs.map((i) => [i.name, [...(i.dims as number[])]])));
  return b.encode({
    graphName: 'skulens_forward',
    inputs: [...spec.inputs, ...weights],
    outputs: spec.outputs.map((name) => ({ name, dims: dimsOf(shapes, name) })),
    opset: spec.graph.opset,
    irVersion: 8,
  });
}

/**
 * The training step: inputs = the batch inputs, the loss's inputs (lossInputs) and every trainable weight;
 * outputs = the loss, the logits and each weight's gradient.
 *
 * @throws SkulensError ERR_AUTODIFF_OP_UNSUPPORTED naming an op without a gradient rule.
 */
export function buildTrainingStep(spec: StepSpec): BuiltStep {
  const { b, weights } = start(spec);
  const shapes = inferShapes(spec.graph, spec.nodes, new Map(spec.inputs.map((i) => [i.name, [...(i.dims as number[])]])));
  const logitDims = dimsOf(shapes, spec.logits);
  const lossCtx = new GradContext(spec.graph, b, shapes, new Set());
  const loss = emitLoss(lossCtx, spec.loss, spec.logits);
  const grads = backward(spec.graph, spec.nodes, shapes, { tensor: spec.logits, grad: loss.grad }, spec.trainable, b);
  const gradients = spec.trainable.map((name, k) => {
    const out = `skulens_grad_${k}`;
    const grad = grads.get(name);
    // A weight the logits do not depend on gets a zero gradient (AdamW still decays it).
    const source = grad ?? b.constant('zero_grad', dimsOf(shapes, name), new Float32Array(shapes.get(name)!.reduce((a, d) => a * d, 1)));
    b.node('Identity', [source], { output: out });
    return out;
  });
  b.node('Identity', [loss.loss], { output: 'skulens_loss' });
  const lossFeeds = lossInputs(spec.loss).map((name) => ({ name, dims: logitDims }));
  const model = b.encode({
    graphName: 'skulens_training_step',
    inputs: [...spec.inputs, ...lossFeeds, ...weights],
    outputs: [{ name: 'skulens_loss', dims: [] }, { name: spec.logits, dims: logitDims }, ...gradients.map((name, k) => ({ name, dims: weights[k]!.dims }))],
    opset: spec.graph.opset,
    irVersion: 8,
  });
  return { model, loss: 'skulens_loss', logits: spec.logits, gradients, inputs: [...spec.inputs, ...lossFeeds] };
}

/**
 * The vector-Jacobian product of `output` with respect to the trainable weights: input `skulens_dy` (the
 * output's shape) in, each weight's gradient of sum(dy * output) out (`skulens_grad_<k>`), and `output`.
 * The gradient tests check every rule through it.
 */
export function buildVjp(spec: ForwardSpec & { output: string }): { model: Uint8Array; outputDims: number[] } {
  const { b, weights } = start(spec);
  const shapes = inferShapes(spec.graph, spec.nodes, new Map(spec.inputs.map((i) => [i.name, [...(i.dims as number[])]])));
  const outputDims = dimsOf(shapes, spec.output);
  const grads = backward(spec.graph, spec.nodes, shapes, { tensor: spec.output, grad: 'skulens_dy' }, spec.trainable, b);
  spec.trainable.forEach((name, k) => {
    const grad = grads.get(name);
    if (!grad) throw new Error(`${spec.output} does not depend on ${name}`);
    b.node('Identity', [grad], { output: `skulens_grad_${k}` });
  });
  const model = b.encode({
    graphName: 'skulens_vjp',
    inputs: [...spec.inputs, { name: 'skulens_dy', dims: outputDims }, ...weights],
    outputs: [{ name: spec.output, dims: outputDims }, ...weights.map((w, k) => ({ name: `skulens_grad_${k}`, dims: w.dims }))],
    opset: spec.graph.opset,
    irVersion: 8,
  });
  return { model, outputDims };
}
