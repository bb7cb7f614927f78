// What a gradient rule works with: the graph's constants and shapes, which inputs want a gradient, and
// small emitters for the ONNX idioms the rules share (sums over axes, reshapes, transposes, masks).
import type { GraphBuilder } from '../onnx/index.js';
import type { Graph, OpNode } from './graph.js';
import { size, unsupported, type Shapes } from './shapes.js';

/** A gradient rule: the gradients of a node's inputs from those of its outputs (undefined = none or not wanted). */
export type GradRule = (ctx: GradContext, node: OpNode, dOutputs: readonly (string | undefined)[]) => (string | undefined)[];

export class GradContext {
  constructor(
    readonly graph: Graph,
    readonly b: GraphBuilder,
    private readonly shapes: Shapes,
    private readonly needsGrad: ReadonlySet<string>,
  ) {}

  shape(name: string): number[] {
    const s = this.shapes.get(name);
    if (!s) throw new Error(`no shape for ${name}`);
    return s;
  }

  /** Whether input `k` of `node` needs a gradient (it depends on a trained weight). */
  wants(node: OpNode, k: number): boolean {
    const name = node.inputs[k];
    return !!name && this.needsGrad.has(name);
  }

  node(op: string, inputs: readonly string[], attrs: Parameters<GraphBuilder['node']>[3] = {}): string {
    return this.b.node(op, inputs, `g_${op.toLowerCase()}`, attrs);
  }

  scalar(value: number): string {
    return this.b.sharedScalar(`skulens_c_${String(value).replace(/[^0-9a-z]/gi, '_')}`, value);
  }

  ints(values: readonly number[]): string {
    return this.b.ints('g_ints', values);
  }

  reshape(x: string, dims: readonly number[]): string {
    return this.node('Reshape', [x, this.ints(dims)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.node('Transpose', [x], { perm: [...perm] });
  }

  /** Sum over `axes` (none: returns x). */
  reduceSum(x: string, axes: readonly number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    return this.reduce('ReduceSum', x, axes, keepdims);
  }

  /** A Reduce* op over `axes`, in the form the graph's opset wants (ReduceSum's axes became an input at 13, the others' at 18). */
  reduce(op: 'ReduceSum' | 'ReduceL2' | 'ReduceMean' | 'ReduceLogSumExp', x: string, axes: readonly number[], keepdims: boolean): string {
    const asInput = this.graph.opset >= (op === 'ReduceSum' ? 13 : 18);
    const keep = { keepdims: keepdims ? 1 : 0 };
    return asInput ? this.node(op, [x, this.ints(axes)], keep) : this.node(op, [x], { axes: [...axes], ...keep });
  }

  /** The gradient of a broadcast operand: `grad` (of shape `from`) summed back to the operand's shape `to`. */
  unbroadcast(grad: string, from: readonly number[], to: readonly number[]): string {
    const lead = from.length - to.length;
    const axes = from.flatMap((d, k) => (k < lead || (to[k - lead] === 1 && d !== 1) ? [k] : []));
    if (axes.length === 0) return grad;
    const summed = this.reduceSum(grad, axes, true);
    return size(from.filter((_, k) => !axes.includes(k))) === size(to) && lead === 0 ? summed : this.reshape(summed, to);
  }

  /** dY where `mask` holds, zero elsewhere (a multiply by the mask as floats: measured about twice as fast as Where). */
  masked(mask: string, dY: string): string {
    return this.node('Mul', [dY, this.node('Cast', [mask], { to: 1 })]);
  }

  refuse(node: OpNode, detail: string): never {
    throw unsupported(node, detail);
  }
}
