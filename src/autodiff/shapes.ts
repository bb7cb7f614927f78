// Static shapes of every tensor of a graph, given its input's shape: the gradient rules need them to
// undo broadcasts, pads, slices and reshapes, and to size transposed convolutions. The training step
// has a fixed batch (a short last batch is padded with rows of weight zero), so every dim is a number.
import { SkulensError } from '../errors.js';
import { intAttr, intsAttr, type Graph, type OpNode } from './graph.js';

export type Shapes = Map<string, number[]>;

const SAME_SHAPE = new Set(['Clip', 'Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Identity', 'Dropout', 'BatchNormalization', 'LpNormalization', 'Softmax', 'Neg', 'Exp', 'Log', 'Sqrt', 'Tanh', 'LeakyRelu']);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div']);

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Numpy broadcasting of two shapes. */
export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, k) => {
    const x = a[a.length - n + k] ?? 1;
    const y = b[b.length - n + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** A convolution's geometry with explicit pads (auto_pad resolved), for a 2-D NCHW Conv. */
export interface ConvGeometry {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  group: number;
  out: [number, number];
}

export function convGeometry(node: OpNode, x: readonly number[], w: readonly number[]): ConvGeometry {
  if (x.length !== 4 || w.length !== 4) throw unsupported(node, `only 2-D convolutions (input [${x}], weights [${w}])`);
  const kernel: [number, number] = [w[2]!, w[3]!];
  const [sh, sw] = intsAttr(node, 'strides', [1, 1]);
  const [dh, dw] = intsAttr(node, 'dilations', [1, 1]);
  const autoPad = typeof node.attrs.auto_pad === 'string' ? node.attrs.auto_pad : 'NOTSET';
  let pads = intsAttr(node, 'pads', [0, 0, 0, 0]) as [number, number, number, number];
  const span = (k: number, d: number): number => (k - 1) * d + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = (inSize: number, s: number, k: number, d: number): number => Math.max(0, (Math.ceil(inSize / s) - 1) * s + span(k, d) - inSize);
    const th = total(x[2]!, sh!, kernel[0], dh!);
    const tw = total(x[3]!, sw!, kernel[1], dw!);
    const lo = (t: number): number => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2));
    pads = [lo(th), lo(tw), th - lo(th), tw - lo(tw)];
  } else if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  const out = (inSize: number, p0: number, p1: number, s: number, k: number, d: number): number => Math.floor((inSize + p0 + p1 - span(k, d)) / s) + 1;
  return {
    kernel,
    strides: [sh!, sw!],
    dilations: [dh!, dw!],
    pads,
    group: intAttr(node, 'group', 1),
    out: [out(x[2]!, pads[0], pads[2], sh!, kernel[0], dh!), out(x[3]!, pads[1], pads[3], sw!, kernel[1], dw!)],
  };
}

export function unsupported(node: OpNode, detail: string): SkulensError {
  return new SkulensError('ERR_AUTODIFF_OP_UNSUPPORTED', { op: node.op, node: node.name, detail });
}

/** An integer input (axes, pads, shape) read from the graph's constants, or the attribute of older opsets. */
export function constInts(graph: Graph, node: OpNode, input: number, attr?: string): number[] | undefined {
  const name = node.inputs[input];
  if (name) {
    const value = graph.ints.get(name);
    if (!value) throw unsupported(node, `input ${name} must be a constant`);
    return value;
  }
  return attr ? (Array.isArray(node.attrs[attr]) ? (node.attrs[attr] as number[]) : undefined) : undefined;
}

/** Normalised slice parameters: per axis of the input, begin, end (exclusive), step. */
export function sliceRanges(graph: Graph, node: OpNode, x: readonly number[]): { begin: number[]; end: number[]; step: number[] } {
  const opsetAttrs = graph.opset < 10;
  const starts = constInts(graph, node, opsetAttrs ? -1 : 1, 'starts') ?? [];
  const ends = constInts(graph, node, opsetAttrs ? -1 : 2, 'ends') ?? [];
  const axes = constInts(graph, node, opsetAttrs ? -1 : 3, 'axes') ?? starts.map((_, k) => k);
  const steps = opsetAttrs ? starts.map(() => 1) : (constInts(graph, node, 4) ?? starts.map(() => 1));
  const begin = x.map(() => 0);
  const end = [...x];
  const step = x.map(() => 1);
  axes.forEach((axis0, k) => {
    const axis = axis0 < 0 ? axis0 + x.length : axis0;
    const dim = x[axis]!;
    const st = steps[k]!;
    const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
    if (st > 0) {
      begin[axis] = clamp(starts[k]!, 0, dim);
      end[axis] = clamp(ends[k]!, 0, dim);
    } else {
      begin[axis] = clamp(starts[k]!, -1, dim - 1);
      end[axis] = ends[k]! < -dim ? -1 : clamp(ends[k]!, -1, dim - 1);
    }
    step[axis] = st;
  });
  return { begin, end, step };
}

/** Pads of a constant-mode Pad: [begin..., end...] over the input's axes. */
export function padAmounts(graph: Graph, node: OpNode, rank: number): number[] {
  const pads = graph.opset < 11 ? intsAttr(node, 'pads', []) : (constInts(graph, node, 1) ?? []);
  const axes = graph.opset >= 18 ? constInts(graph, node, 3) : undefined;
  if (!axes) return pads;
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + rank : a0;
    full[a] = pads[k]!;
    full[a + rank] = pads[k + axes.length]!;
  });
  return full;
}

/** Axes of a Reduce* node (attribute before opset 18, input after); undefined = all axes. */
export function reduceAxes(graph: Graph, node: OpNode, rank: number): number[] {
  const axes = graph.opset >= 18 ? constInts(graph, node, 1) : intsAttr(node, 'axes', []);
  const list = axes && axes.length ? axes : Array.from({ length: rank }, (_, k) => k);
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

function shapeOf(graph: Graph, node: OpNode, get: (name: string) => number[]): number[] {
  const x = node.inputs[0] ? get(node.inputs[0]) : [];
  if (SAME_SHAPE.has(node.op)) return [...x];
  if (BROADCAST.has(node.op)) return broadcast(x, get(node.inputs[1]!));
  switch (node.op) {
    case 'Conv': {
      const w = get(node.inputs[1]!);
      const g = convGeometry(node, x, w);
      return [x[0]!, w[0]!, ...g.out];
    }
    case 'GlobalAveragePool':
      return [x[0]!, x[1]!, ...x.slice(2).map(() => 1)];
    case 'ReduceMean':
    case 'ReduceSum': {
      const axes = reduceAxes(graph, node, x.length);
      const keep = intAttr(node, 'keepdims', 1) === 1;
      return x.flatMap((d, k) => (axes.includes(k) ? (keep ? [1] : []) : [d]));
    }
    case 'Flatten': {
      const axis0 = intAttr(node, 'axis', 1);
      const axis = axis0 < 0 ? axis0 + x.length : axis0;
      return [size(x.slice(0, axis)), size(x.slice(axis))];
    }
    case 'Reshape': {
      const target = constInts(graph, node, 1)!;
      const dims = target.map((d, k) => (d === 0 && intAttr(node, 'allowzero', 0) === 0 ? x[k]! : d));
      const known = size(dims.filter((d) => d !== -1));
      return dims.map((d) => (d === -1 ? size(x) / known : d));
    }
    case 'Gemm': {
      const a = intAttr(node, 'transA', 0) ? [x[1]!, x[0]!] : x;
      const b0 = get(node.inputs[1]!);
      const b = intAttr(node, 'transB', 0) ? [b0[1]!, b0[0]!] : b0;
      return [a[0]!, b[1]!];
    }
    case 'MatMul': {
      const b = get(node.inputs[1]!);
      if (x.length < 2 || b.length !== 2) throw unsupported(node, `MatMul of [${x}] by [${b}]: the second operand must be a matrix`);
      return [...x.slice(0, -1), b[1]!];
    }
    case 'Pad': {
      const pads = padAmounts(graph, node, x.length);
      return x.map((d, k) => d + pads[k]! + pads[k + x.length]!);
    }
    case 'Slice': {
      const { begin, end, step } = sliceRanges(graph, node, x);
      return x.map((_, k) => Math.max(0, Math.ceil((end[k]! - begin[k]!) / step[k]!)));
    }
    case 'Concat': {
      const axis0 = intAttr(node, 'axis', 0);
      const shapes = node.inputs.map(get);
      const axis = axis0 < 0 ? axis0 + x.length : axis0;
      return x.map((d, k) => (k === axis ? shapes.reduce((s, sh) => s + sh[k]!, 0) : d));
    }
    case 'Expand':
      return broadcast(x, constInts(graph, node, 1)!);
    case 'Transpose': {
      const perm = intsAttr(node, 'perm', x.map((_, k) => x.length - 1 - k));
      return perm.map((p) => x[p]!);
    }
    default:
      throw unsupported(node, 'it has no shape rule');
  }
}

/** Shapes of every tensor `nodes` compute, from the shapes of what they read (inputs and initializers). */
export function inferShapes(graph: Graph, nodes: readonly OpNode[], known: ReadonlyMap<string, number[]>): Shapes {
  const shapes: Shapes = new Map(known);
  for (const [name, c] of graph.floats) if (!shapes.has(name)) shapes.set(name, c.dims);
  for (const [name, v] of graph.ints) if (!shapes.has(name)) shapes.set(name, [v.length]);
  const get = (name: string): number[] => {
    const s = shapes.get(name);
    if (!s) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `no shape known for tensor ${name}` });
    return s;
  };
  for (const node of nodes) {
    const shape = shapeOf(graph, node, get);
    shapes.set(node.outputs[0]!, shape);
  }
  return shapes;
}
