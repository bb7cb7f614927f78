// Gradient rules of ops that move values without arithmetic, or average them: reshapes and transposes
// (undone), pads and slices (each other's inverse), concatenation (sliced apart), and mean pooling
// (the gradient spread evenly back over what was averaged).
import type { GradContext, GradRule } from '../context.js';
import { intAttr, intsAttr, type OpNode } from '../graph.js';
import { padAmounts, reduceAxes, sliceRanges } from '../shapes.js';

const reshapeBack: GradRule = (ctx, node, [dY]) => (dY && ctx.wants(node, 0) ? [ctx.reshape(dY, ctx.shape(node.inputs[0]!))] : []);

const transpose: GradRule = (ctx, node, [dY]) => {
  if (!dY || !ctx.wants(node, 0)) return [];
  const rank = ctx.shape(node.inputs[0]!).length;
  const perm = intsAttr(node, 'perm', Array.from({ length: rank }, (_, k) => rank - 1 - k));
  const inverse = perm.map((_, k) => perm.indexOf(k));
  return [ctx.transpose(dY, inverse)];
};

/** dY (the averaged or summed shape, kept dims) spread back over the input's shape, times `scale`. */
function spread(ctx: GradContext, node: OpNode, dY: string, kept: readonly number[], scale: number): string {
  const xs = ctx.shape(node.inputs[0]!);
  const shaped = ctx.shape(node.outputs[0]!).length === kept.length ? dY : ctx.reshape(dY, kept);
  const scaled = scale === 1 ? shaped : ctx.node('Mul', [shaped, ctx.scalar(scale)]);
  return ctx.node('Expand', [scaled, ctx.ints(xs)]);
}

const globalAveragePool: GradRule = (ctx, node, [dY]) => {
  if (!dY || !ctx.wants(node, 0)) return [];
  const xs = ctx.shape(node.inputs[0]!);
  const area = xs.slice(2).reduce((a, b) => a * b, 1);
  return [spread(ctx, node, dY, ctx.shape(node.outputs[0]!), 1 / area)];
};

function reduceRule(mean: boolean): GradRule {
  return (ctx, node, [dY]) => {
    if (!dY || !ctx.wants(node, 0)) return [];
    const xs = ctx.shape(node.inputs[0]!);
    const axes = reduceAxes(ctx.graph, node, xs.length);
    const kept = xs.map((d, k) => (axes.includes(k) ? 1 : d));
    const count = axes.reduce((p, a) => p * xs[a]!, 1);
    return [spread(ctx, node, dY, kept, mean ? 1 / count : 1)];
  };
}

const expand: GradRule = (ctx, node, [dY]) => (dY && ctx.wants(node, 0) ? [ctx.unbroadcast(dY, ctx.shape(node.outputs[0]!), ctx.shape(node.inputs[0]!))] : []);

const pad: GradRule = (ctx, node, [dY]) => {
  if (!dY || !ctx.wants(node, 0)) return [];
  const mode = node.attrs.mode ?? 'constant';
  if (mode !== 'constant') ctx.refuse(node, `mode ${String(mode)}; only constant padding`);
  const xs = ctx.shape(node.inputs[0]!);
  const pads = padAmounts(ctx.graph, node, xs.length);
  if (pads.some((p) => p < 0)) ctx.refuse(node, 'negative pads (cropping)');
  const begin = xs.map((_, k) => pads[k]!);
  return [ctx.node('Slice', [dY, ctx.ints(begin), ctx.ints(xs.map((d, k) => begin[k]! + d)), ctx.ints(xs.map((_, k) => k))])];
};

const slice: GradRule = (ctx, node, [dY]) => {
  if (!dY || !ctx.wants(node, 0)) return [];
  const xs = ctx.shape(node.inputs[0]!);
  const { begin, end, step } = sliceRanges(ctx.graph, node, xs);
  if (step.some((s) => Math.abs(s) !== 1)) ctx.refuse(node, `steps [${step}]; only steps of 1 and -1`);
  const reversed = xs.flatMap((_, k) => (step[k] === -1 ? [k] : []));
  // A reversed axis: flip the gradient back, then it covers end + 1 .. begin of the input.
  const forward = reversed.length ? ctx.node('Slice', [dY, ctx.ints(reversed.map(() => -1)), ctx.ints(reversed.map(() => -(2 ** 62))), ctx.ints(reversed), ctx.ints(reversed.map(() => -1))]) : dY;
  const lo = xs.map((_, k) => (step[k] === -1 ? end[k]! + 1 : begin[k]!));
  const hi = xs.map((d, k) => d - (step[k] === -1 ? begin[k]! + 1 : end[k]!));
  return [ctx.node('Pad', [forward, ctx.ints([...lo, ...hi])], { mode: 'constant' })];
};

const concat: GradRule = (ctx, node, [dY]) => {
  if (!dY) return [];
  const rank = ctx.shape(node.inputs[0]!).length;
  const axis0 = intAttr(node, 'axis', 0);
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  let offset = 0;
  return node.inputs.map((input, k) => {
    const width = ctx.shape(input)[axis]!;
    const start = offset;
    offset += width;
    return ctx.wants(node, k) ? ctx.node('Slice', [dY, ctx.ints([start]), ctx.ints([start + width]), ctx.ints([axis])]) : undefined;
  });
};

export const SHAPE_RULES: Readonly<Record<string, GradRule>> = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Transpose: transpose,
  GlobalAveragePool: globalAveragePool,
  ReduceMean: reduceRule(true),
  ReduceSum: reduceRule(false),
  Expand: expand,
  Pad: pad,
  Slice: slice,
  Concat: concat,
};
