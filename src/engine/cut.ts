// Where the fast path cuts a backbone, found from the graph's structure, not from node names (converted
// graphs name their nodes differently): the output of the last block whose output has the wanted number
// of channels, i.e. the last Conv or Add result with that many channels that no activation reads (a linear
// bottleneck, as MobileNetV2 blocks end) and that no layer above it bypasses. Also writes the graph below
// the cut for the embedding pool.
import { nodesFor, type Graph, type OpNode } from '../autodiff/index.js';
import type { GraphSession } from '../backbone/index.js';
import { GraphBuilder, floatTensor, int64Tensor } from '../onnx/index.js';
import { SkulensError } from '../errors.js';

/** Ops after which a tensor is not a block output. */
const ACTIVATIONS = new Set(['Clip', 'Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Mul']);
/** Ops whose output has the channels of their first input. */
const SAME_CHANNELS = new Set(['Clip', 'Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Add', 'Mul', 'Identity', 'Pad', 'BatchNormalization']);

/** Channels of each tensor a Conv produces, or that keeps the channels of one (NCHW graphs). */
function channelsOf(graph: Graph): Map<string, number> {
  const channels = new Map<string, number>();
  for (const [name, dims] of graph.inputs) if (dims.length === 4 && dims[1]! > 0) channels.set(name, dims[1]!);
  for (const node of graph.nodes) {
    const weights = node.op === 'Conv' ? graph.floats.get(node.inputs[1]!) : undefined;
    if (weights) channels.set(node.outputs[0]!, weights.dims[0]!);
    else if (SAME_CHANNELS.has(node.op) && channels.has(node.inputs[0]!)) channels.set(node.outputs[0]!, channels.get(node.inputs[0]!)!);
  }
  return channels;
}

/** (tensor, channels) of every block output below `output`, in graph order. */
export function blockOutputs(graph: Graph, output: string): { tensor: string; channels: number }[] {
  const channels = channelsOf(graph);
  const nodes = nodesFor(graph.nodes, [output]);
  const readers = new Map<string, OpNode[]>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  const found: { tensor: string; channels: number }[] = [];
  for (const node of nodes) {
    const name = node.outputs[0]!;
    if ((node.op !== 'Conv' && node.op !== 'Add') || !channels.has(name) || name === output) continue;
    const users = readers.get(name) ?? [];
    if (users.length === 0 || users.some((u) => ACTIVATIONS.has(u.op))) continue;
    const below = new Set(nodesFor(nodes, [name]));
    const producedBelow = new Set([...below].flatMap((n) => n.outputs).filter((o) => o !== name));
    if (nodes.some((n) => !below.has(n) && n.inputs.some((i) => producedBelow.has(i)))) continue; // a skip connection crosses it
    found.push({ tensor: name, channels: channels.get(name)! });
  }
  return found;
}

/**
 * The tensor to cut `output`'s graph at: the last block output with `wanted` channels.
 *
 * @throws SkulensError ERR_FINETUNE_FAILED naming the channel counts the graph's block outputs have.
 */
export function findCut(graph: Graph, output: string, wanted: number): string {
  const blocks = blockOutputs(graph, output);
  const matches = blocks.filter((b) => b.channels === wanted);
  if (matches.length === 0) {
    const have = [...new Set(blocks.map((b) => b.channels))].sort((a, b) => a - b);
    throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `no block output with ${wanted} channels to cut at (block outputs have ${have.join(', ') || 'none'})` });
  }
  return matches[matches.length - 1]!.tensor;
}

/** A model of `nodes` reading `inputs` (the graph's constants copied in) with the given outputs. */
export function subgraphModel(graph: Graph, nodes: readonly OpNode[], inputs: { name: string; dims: (number | string)[] }[], outputs: { name: string; dims: (number | string)[] }[], extra?: (b: GraphBuilder) => void): Uint8Array {
  const b = new GraphBuilder('skulens_');
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const name of read) {
    const f = graph.floats.get(name);
    if (f) b.initializers.push(floatTensor(name, f.dims, f.data));
    const i = graph.ints.get(name);
    if (i) b.initializers.push(int64Tensor(name, [i.length], i));
  }
  b.nodes.push(...nodes.map((n) => n.proto));
  extra?.(b);
  return b.encode({ graphName: 'skulens_subgraph', inputs, outputs, opset: graph.opset, irVersion: 8 });
}

/** Name of the lower graph's output. */
export const LOWER_OUTPUT = 'skulens_cut';

/**
 * The graph below `cut` for the embedding pool, at input side `size`: output `skulens_cut` =
 * [Flatten(cut), 1] for a batch of 1. The pool L2-normalises every output; the trailing constant 1 lets the
 * caller undo that exactly (activations = output[:-1] / output[-1]).
 */
export function lowerModel(graph: Graph, input: string, cut: string, size: number, cutSize: number): Uint8Array {
  const nodes = nodesFor(graph.nodes, [cut]);
  return subgraphModel(graph, nodes, [{ name: input, dims: [1, 3, size, size] }], [{ name: LOWER_OUTPUT, dims: [1, cutSize + 1] }], (b) => {
    const one = b.constant('one', [1, 1], [1]);
    const flat = b.node('Flatten', [cut], 'flat', { axis: 1 });
    b.node('Concat', [flat, one], { output: LOWER_OUTPUT }, { axis: 1 });
  });
}

/** The cut tensor's shape per image [C, H, W] at input side `size` (the graph below it run once on zeros). */
export async function cutShape(graph: Graph, input: string, cut: string, size: number, open: (model: Uint8Array) => Promise<GraphSession>): Promise<number[]> {
  const nodes = nodesFor(graph.nodes, [cut]);
  const model = subgraphModel(graph, nodes, [{ name: input, dims: [1, 3, size, size] }], [{ name: 'skulens_shape', dims: [4] }], (b) => {
    b.node('Cast', [b.node('Shape', [cut], 'shape')], { output: 'skulens_shape' }, { to: 1 });
  });
  const session = await open(model);
  try {
    const out = await session.run({ [input]: { data: new Float32Array(3 * size * size), dims: [1, 3, size, size] } }, ['skulens_shape']);
    const shape = Array.from(out.skulens_shape!);
    if (shape.length !== 4) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `the cut ${cut} is not a 4-d (NCHW) tensor: [${shape.join(', ')}]` });
    return shape.slice(1);
  } finally {
    await session.release();
  }
}
