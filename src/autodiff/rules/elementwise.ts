// Gradient rules of element-wise ops: activations (masks and local slopes) and the broadcasting
// arithmetic, whose operand gradients are summed back over the broadcast axes.
import type { GradContext, GradRule } from '../context.js';
import { floatAttr, type OpNode } from '../graph.js';

const unary = (rule: (ctx: GradContext, node: OpNode, dY: string) => string): GradRule => (ctx, node, [dY]) => (dY && ctx.wants(node, 0) ? [rule(ctx, node, dY)] : []);

/** Clip's bounds: inputs since opset 11, attributes before; a missing bound is no bound. */
function clipBounds(ctx: GradContext, node: OpNode): { lo?: string; hi?: string } {
  if (ctx.graph.opset >= 11) return { lo: node.inputs[1] || undefined, hi: node.inputs[2] || undefined };
  const lo = node.attrs.min;
  const hi = node.attrs.max;
  return { lo: typeof lo === 'number' ? ctx.scalar(lo) : undefined, hi: typeof hi === 'number' ? ctx.scalar(hi) : undefined };
}

const clip: GradRule = unary((ctx, node, dY) => {
  const { lo, hi } = clipBounds(ctx, node);
  if (!lo && !hi) return dY;
  // The gradient passes where clipping left the value alone: two passes over the tensor where the bounds
  // tested one by one take four (PyTorch's hardtanh also stops it at the bounds themselves, a set of measure zero).
  return ctx.masked(ctx.node('Equal', [node.inputs[0]!, node.outputs[0]!]), dY);
});

const relu: GradRule = unary((ctx, node, dY) => ctx.masked(ctx.node('Greater', [node.inputs[0]!, ctx.scalar(0)]), dY));

const sigmoid: GradRule = unary((ctx, node, dY) => {
  const y = node.outputs[0]!;
  return ctx.node('Mul', [dY, ctx.node('Mul', [y, ctx.node('Sub', [ctx.scalar(1), y])])]);
});

const hardSigmoid: GradRule = unary((ctx, node, dY) => {
  const y = node.outputs[0]!;
  const inside = ctx.node('And', [ctx.node('Greater', [y, ctx.scalar(0)]), ctx.node('Less', [y, ctx.scalar(1)])]);
  return ctx.masked(inside, ctx.node('Mul', [dY, ctx.scalar(floatAttr(node, 'alpha', 0.2))]));
});

const hardSwish: GradRule = unary((ctx, node, dY) => {
  const x = node.inputs[0]!;
  // y = x * clip(x / 6 + 1/2, 0, 1): slope 0 below -3, 1 above 3, x / 3 + 1/2 between (as PyTorch).
  const slope = ctx.node('Add', [ctx.node('Mul', [x, ctx.scalar(1 / 3)]), ctx.scalar(0.5)]);
  const upper = ctx.node('Where', [ctx.node('Greater', [x, ctx.scalar(3)]), ctx.scalar(1), slope]);
  const full = ctx.node('Where', [ctx.node('Less', [x, ctx.scalar(-3)]), ctx.scalar(0), upper]);
  return ctx.node('Mul', [dY, full]);
});

const identity: GradRule = (ctx, node, [dY]) => [dY && ctx.wants(node, 0) ? dY : undefined];

const neg: GradRule = unary((ctx, _node, dY) => ctx.node('Neg', [dY]));

/** Add, Sub, Mul, Div with numpy broadcasting. */
function binary(local: (ctx: GradContext, node: OpNode, dY: string, k: 0 | 1) => string): GradRule {
  return (ctx, node, [dY]) => {
    if (!dY) return [];
    const out = ctx.shape(node.outputs[0]!);
    return ([0, 1] as const).map((k) => (ctx.wants(node, k) ? ctx.unbroadcast(local(ctx, node, dY, k), out, ctx.shape(node.inputs[k]!)) : undefined));
  };
}

const add = binary((_ctx, _node, dY) => dY);
const sub = binary((ctx, _node, dY, k) => (k === 0 ? dY : ctx.node('Neg', [dY])));
const mul = binary((ctx, node, dY, k) => ctx.node('Mul', [dY, node.inputs[1 - k]!]));
const div = binary((ctx, node, dY, k) => {
  const b = node.inputs[1]!;
  // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b.
  return k === 0 ? ctx.node('Div', [dY, b]) : ctx.node('Neg', [ctx.node('Div', [ctx.node('Mul', [dY, node.outputs[0]!]), b])]);
});

export const ELEMENTWISE_RULES: Readonly<Record<string, GradRule>> = {
  Clip: clip,
  Relu: relu,
  Sigmoid: sigmoid,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Identity: identity,
  // An inference graph's Dropout is the identity; the training step applies its own dropout mask.
  Dropout: identity,
  Neg: neg,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
};
