// The gradient builder's view of an ONNX graph: nodes with decoded attributes, float initializers as
// Float32Arrays and integer ones as number arrays (shapes, axes, pads), and the part of a graph between
// two tensors (the blocks above a cut, up to the embedding).
import { attribute, attributeValue, DataType, decodeModel, floatValues, intValues, onnx, type Attributes, type ModelProto, type NodeProto, type TensorProto } from '../onnx/index.js';
import { SkulensError } from '../errors.js';

export type Attr = number | number[] | string | TensorProto;

export interface OpNode {
  op: string;
  name: string;
  /** Input names; '' is an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  /** The node as ONNX writes it (attribute types kept: a FLOAT 1.0 is not an INT 1). */
  proto: NodeProto;
}

export interface FloatConst {
  dims: number[];
  data: Float32Array;
}

/** A graph as the builder reads it. */
export interface Graph {
  nodes: OpNode[];
  /** Float initializers (weights, Clip bounds, batch-norm statistics). */
  floats: Map<string, FloatConst>;
  /** Integer initializers and Constant nodes' integer values (shapes, axes, pads). */
  ints: Map<string, number[]>;
  /** The graph's inputs that are not initializers, with their declared dims (a symbolic dim as -1). */
  inputs: Map<string, number[]>;
  opset: number;
}

function constOf(tensor: TensorProto): { kind: 'float'; value: FloatConst } | { kind: 'int'; value: number[] } | null {
  const dims = (tensor.dims ?? []).map(Number);
  if (tensor.dataType === DataType.FLOAT) return { kind: 'float', value: { dims, data: floatValues(tensor) } };
  if (tensor.dataType === DataType.INT64 || tensor.dataType === DataType.INT32) return { kind: 'int', value: intValues(tensor) };
  return null;
}

/** Reads a model (bytes or decoded) into the builder's form; Constant nodes become initializers. */
export function readGraph(model: Uint8Array | ModelProto): Graph {
  const proto = model instanceof Uint8Array ? decodeModel(model) : model;
  const g = proto.graph!;
  const floats = new Map<string, FloatConst>();
  const ints = new Map<string, number[]>();
  const add = (name: string, tensor: TensorProto): void => {
    const c = constOf(tensor);
    if (c?.kind === 'float') floats.set(name, c.value);
    else if (c?.kind === 'int') ints.set(name, c.value);
  };
  for (const t of g.initializer ?? []) add(t.name!, t);
  const nodes: OpNode[] = [];
  for (const [k, n] of (g.node ?? []).entries()) {
    const attrs: Record<string, Attr> = {};
    for (const a of n.attribute ?? []) {
      const v = attributeValue(a);
      if (v !== undefined) attrs[a.name!] = v;
    }
    if (n.opType === 'Constant' && typeof attrs.value === 'object' && !Array.isArray(attrs.value)) {
      add(n.output![0]!, attrs.value);
      continue;
    }
    nodes.push({ op: n.opType!, name: n.name || `${n.opType}_${k}`, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs, proto: n });
  }
  const inputs = new Map<string, number[]>();
  for (const i of g.input ?? []) {
    if (floats.has(i.name!) || ints.has(i.name!)) continue;
    inputs.set(i.name!, (i.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : -1)));
  }
  const opset = Number((proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 13);
  return { nodes, floats, ints, inputs, opset };
}

/** The nodes `outputs` depend on, not looking past `stop` (in graph order). */
export function nodesFor(nodes: readonly OpNode[], outputs: readonly string[], stop: ReadonlySet<string> = new Set()): OpNode[] {
  const producer = new Map<string, OpNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const needed = new Set<OpNode>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (stop.has(name)) continue;
    const n = producer.get(name);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    stack.push(...n.inputs.filter(Boolean));
  }
  return nodes.filter((n) => needed.has(n));
}

/**
 * The part of `graph` that computes `output` from the tensor `from` (the blocks above a cut).
 *
 * @throws SkulensError ERR_FINETUNE_FAILED when a node above `from` also reads a tensor computed below it
 *   (a skip connection crosses the cut) or `output` does not exist.
 */
export function graphAbove(graph: Graph, from: string, output: string): OpNode[] {
  if (!graph.nodes.some((n) => n.outputs.includes(output))) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `the graph has no tensor named ${output}` });
  const upper = nodesFor(graph.nodes, [output], new Set([from]));
  const known = new Set([from, ...graph.floats.keys(), ...graph.ints.keys(), ...upper.flatMap((n) => n.outputs)]);
  const crossing = [...new Set(upper.flatMap((n) => n.inputs).filter((i) => i && !known.has(i)))];
  if (crossing.length) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `cutting at ${from} is not possible: layers above it also read ${crossing.join(', ')}` });
  return upper;
}

/** An integer attribute or its default. */
export function intAttr(node: OpNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

/** An integer-list attribute or its default. */
export function intsAttr(node: OpNode, name: string, fallback: number[]): number[] {
  const v = node.attrs[name];
  return Array.isArray(v) ? v : fallback;
}

/** A float attribute or its default. */
export function floatAttr(node: OpNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

/** A node made by skulens (the training head), in the same form as a read one. */
export function opNode(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Attributes = {}, name = `skulens_${op}_${outputs[0]}`): OpNode {
  const proto = onnx.NodeProto.create({ opType: op, name, input: [...inputs], output: [...outputs], attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)) });
  const attrs: Record<string, Attr> = {};
  for (const a of proto.attribute ?? []) {
    const v = attributeValue(a);
    if (v !== undefined) attrs[a.name!] = v;
  }
  return { op, name, inputs: [...inputs], outputs: [...outputs], attrs, proto };
}
